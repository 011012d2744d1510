package io.mptcp.nio.contract;

import io.mptcp.nio.FallbackReason;
import io.mptcp.nio.FallbackReason.Kind;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.nio.channels.NetworkChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.mptcp.nio.MptcpSocketOptions.MPTCP_ENABLED;
import static io.mptcp.nio.MptcpSocketOptions.MPTCP_FALLBACK_REASON;
import static io.mptcp.nio.contract.ContractSupport.LOOPBACK_V4;
import static io.mptcp.nio.contract.ContractSupport.loopback;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code MPTCP_FALLBACK_REASON} on the real kernel, our provider only (the JDK's does not know
 * the option; its channels serve here as the plain TCP peer). Each answer is checked against an
 * observer outside the library: {@code ss -M} lists MPTCP connections, {@code nstat} reads the
 * namespace's counters, {@code sysctl} the namespace's switch. The fallback cases run in a
 * network namespace the test creates and deletes ({@link RouteNamespace}; root needed, skipped
 * visibly otherwise and failed under {@code CI=true}), so that its counters count this test's
 * connections only.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class MptcpFallbackReasonContractTest implements Providers.ModeAll {
    private final List<NetworkChannel> open = new ArrayList<>();

    @AfterEach
    void closeAll() throws IOException {
        for (NetworkChannel ch : open) {
            ch.close();
        }
    }

    private <C extends NetworkChannel> C track(C ch) {
        open.add(ch);
        return ch;
    }

    private static void assumeMptcpEnabled() throws IOException {
        Path enabled = Path.of("/proc/sys/net/mptcp/enabled");
        Assumptions.assumeTrue(Files.exists(enabled), "this kernel has no MPTCP");
        Assumptions.assumeTrue(Files.readString(enabled).trim().equals("1"),
                "MPTCP is disabled: sysctl net.mptcp.enabled=0");
    }

    private static Kind kind(NetworkChannel ch) throws IOException {
        return ch.getOption(MPTCP_FALLBACK_REASON).kind();
    }

    private static String ss(RouteNamespace ns, int port) throws IOException {
        String[] cmd = {"ss", "-MHn", "state", "established", "sport", "=", ":" + port};
        if (ns != null) {
            return ns.exec(cmd);
        }
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        return new String(p.getInputStream().readAllBytes()).trim();
    }

    /** A counter of the namespace as {@code nstat} reads it (absolute, history untouched). */
    private static long nstat(RouteNamespace ns, String counter) throws IOException {
        String out = ns.exec("nstat", "-asz", counter);
        for (String line : out.split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length >= 2 && f[0].equals(counter)) {
                return Long.parseLong(f[1]);
            }
        }
        throw new AssertionError("nstat has no " + counter + ": " + out);
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @ValueSource(strings = {"127.0.0.1", "::1"})
    void mptcpOnBothEndsIsInUseEverywhere(String host) throws Exception {
        assumeMptcpEnabled();
        ServerSocketChannel server = track(Providers.MPTCP.openServerSocketChannel());
        server.bind(new InetSocketAddress(loopback(host), 0));
        SocketChannel client = track(Providers.MPTCP.openSocketChannel());
        FallbackReason before = client.getOption(MPTCP_FALLBACK_REASON);
        assertEquals(Kind.NOT_CONNECTED, before.kind(), before.toString());
        client.connect(server.getLocalAddress());
        SocketChannel accepted = track(server.accept());

        assertEquals(Kind.MPTCP_IN_USE, kind(server));
        assertEquals(Kind.MPTCP_IN_USE, kind(client));
        assertEquals(Kind.MPTCP_IN_USE, kind(accepted));
        int port = ((InetSocketAddress) client.getLocalAddress()).getPort();
        assertFalse(ss(null, port).isEmpty(), "ss -M lists the connection as MPTCP");
        assertThrows(SocketException.class, () -> client.setOption(MPTCP_FALLBACK_REASON,
                client.getOption(MPTCP_FALLBACK_REASON)));
        assertThrows(SocketException.class, () -> server.setOption(MPTCP_FALLBACK_REASON,
                server.getOption(MPTCP_FALLBACK_REASON)));
    }

    @Test
    void mptcpEnabledFalseIsTcpByChoiceOnEachEnd() throws Exception {
        assumeMptcpEnabled();
        ServerSocketChannel server = track(Providers.MPTCP.openServerSocketChannel());
        server.setOption(MPTCP_ENABLED, false);
        server.bind(new InetSocketAddress(LOOPBACK_V4, 0));
        SocketChannel client = track(Providers.MPTCP.openSocketChannel());
        client.setOption(MPTCP_ENABLED, false);
        client.connect(server.getLocalAddress());
        SocketChannel accepted = track(server.accept());

        for (NetworkChannel ch : List.of(server, client, accepted)) {
            FallbackReason r = ch.getOption(MPTCP_FALLBACK_REASON);
            assertEquals(Kind.NOT_REQUESTED, r.kind(), r.toString());
            assertTrue(r.explanation().contains("MPTCP_ENABLED was set to false"), r.toString());
            assertFalse(ch.getOption(MPTCP_ENABLED));
        }
        int port = ((InetSocketAddress) client.getLocalAddress()).getPort();
        assertEquals("", ss(null, port), "ss -M does not list a TCP connection");
    }

    @Test
    void modeOffIsTcpByChoice() throws Exception {
        System.setProperty(Providers.MODE_PROPERTY, "off");
        try {
            SocketChannel client = track(Providers.MPTCP.openSocketChannel());
            FallbackReason r = client.getOption(MPTCP_FALLBACK_REASON);
            assertEquals(Kind.NOT_REQUESTED, r.kind(), r.toString());
            assertTrue(r.explanation().contains("io.mptcp.nio.mode=off"), r.toString());
        } finally {
            System.setProperty(Providers.MODE_PROPERTY, "all");
        }
    }

    /**
     * Our MPTCP client to the JDK's TCP listener: the SYN-ACK comes without MP_CAPABLE. The
     * fresh namespace's counters show it, and only it: one {@code MPCapableFallbackSYNACK}.
     */
    @Test
    void aClientWhosePeerAnswersWithoutMptcpFellBack() throws Exception {
        assumeMptcpEnabled();
        try (RouteNamespace ns = RouteNamespace.create()) {
            FallbackReason r = ns.call(() -> {
                ServerSocketChannel tcp = track(Providers.jdk().openServerSocketChannel());
                tcp.bind(new InetSocketAddress(LOOPBACK_V4, 0));
                SocketChannel client = track(Providers.MPTCP.openSocketChannel());
                client.connect(tcp.getLocalAddress());
                SocketChannel accepted = track(tcp.accept());
                ContractSupport.writeFully(client, new byte[] {5});
                assertArrayEquals(new byte[] {5}, ContractSupport.readFully(accepted, 1));
                assertFalse(client.getOption(MPTCP_ENABLED));
                return client.getOption(MPTCP_FALLBACK_REASON);
            });
            assertEquals(Kind.FELL_BACK, r.kind(), r.toString());
            assertEquals(1, nstat(ns, "MPTcpExtMPCapableFallbackSYNACK"), "observer");
            assertEquals(0, nstat(ns, "MPTcpExtMPCapableSYNTXDrop"), "observer");
            assertTrue(r.explanation().contains("Causes seen (counter above 0): peer answered the"
                    + " SYN without MP_CAPABLE (MPTcpExtMPCapableFallbackSYNACK=1)."),
                    r.explanation());
            assertTrue(r.explanation().contains("SYN retried without MPTCP after MP_CAPABLE SYNs"
                    + " were lost (MPTcpExtMPCapableSYNTXDrop=0)"), r.explanation());
        }
    }

    /** The JDK's TCP client to our MPTCP listener: the accepted socket is plain TCP. */
    @Test
    void aTcpClientOnAnMptcpListenerDidNotRequest() throws Exception {
        assumeMptcpEnabled();
        try (RouteNamespace ns = RouteNamespace.create()) {
            int port = ns.call(() -> {
                ServerSocketChannel server = track(Providers.MPTCP.openServerSocketChannel());
                server.bind(new InetSocketAddress(LOOPBACK_V4, 0));
                SocketChannel client = track(Providers.jdk().openSocketChannel());
                client.connect(server.getLocalAddress());
                SocketChannel accepted = track(server.accept());
                assertEquals(Kind.MPTCP_IN_USE, kind(server));
                FallbackReason r = accepted.getOption(MPTCP_FALLBACK_REASON);
                assertEquals(Kind.PEER_DID_NOT_REQUEST, r.kind(), r.toString());
                return ((InetSocketAddress) accepted.getLocalAddress()).getPort();
            });
            assertEquals(0, nstat(ns, "MPTcpExtMPCapableSYNRX"), "no MP_CAPABLE SYN arrived");
            assertEquals("", ss(ns, port), "ss -M does not list the connection");
        }
    }

    /**
     * A firewall that drops SYNs carrying an MPTCP option (kind 30): the first connection
     * retries its SYN without MPTCP after {@code syn_retrans_before_tcp_fallback} losses (about
     * 3 s), which the kernel takes for a blackhole and turns active MPTCP off in the namespace;
     * the second connection's SYN goes out without MP_CAPABLE at once. Each reads
     * {@code FELL_BACK} with the namespace's evidence as it stood when read.
     */
    @Test
    void aFirewallThatDropsMptcpSynsIsSeenAsSynRetriesThenBlackhole() throws Exception {
        assumeMptcpEnabled();
        try (RouteNamespace ns = RouteNamespace.create()) {
            requireIptables(ns);
            ns.exec("iptables", "-A", "INPUT", "-p", "tcp", "--syn", "-m", "tcp",
                    "--tcp-option", "30", "-j", "DROP");
            String timeout = ns.exec("sysctl", "-n", "net.mptcp.blackhole_timeout");
            String retries = ns.exec("sysctl", "-n", "net.mptcp.syn_retrans_before_tcp_fallback");
            List<FallbackReason> reasons = ns.call(() -> {
                ServerSocketChannel server = track(Providers.MPTCP.openServerSocketChannel());
                server.bind(new InetSocketAddress(LOOPBACK_V4, 0));
                List<FallbackReason> r = new ArrayList<>();
                for (int i = 0; i < 2; i++) {
                    SocketChannel client = track(Providers.MPTCP.openSocketChannel());
                    client.connect(server.getLocalAddress());
                    SocketChannel accepted = track(server.accept());
                    r.add(client.getOption(MPTCP_FALLBACK_REASON));
                    r.add(accepted.getOption(MPTCP_FALLBACK_REASON));
                }
                return r;
            });
            FallbackReason first = reasons.get(0);
            assertEquals(Kind.FELL_BACK, first.kind(), first.toString());
            assertTrue(first.explanation().contains("Causes seen (counter above 0): SYN retried"
                    + " without MPTCP after MP_CAPABLE SYNs were lost"
                    + " (MPTcpExtMPCapableSYNTXDrop=1, net.mptcp.syn_retrans_before_tcp_fallback="
                    + retries + "). Causes not seen (counter 0): active MPTCP disabled by"
                    + " blackhole detection, SYN sent without MP_CAPABLE"
                    + " (MPTcpExtMPCapableSYNTXDisabled=0);"), first.explanation());
            FallbackReason second = reasons.get(2);
            assertEquals(Kind.FELL_BACK, second.kind(), second.toString());
            assertTrue(second.explanation().contains("Causes seen (counter above 0): active MPTCP"
                    + " disabled by blackhole detection, SYN sent without MP_CAPABLE"
                    + " (MPTcpExtMPCapableSYNTXDisabled=1, MPTcpExtBlackhole=1,"
                    + " net.mptcp.blackhole_timeout=" + timeout + " s: while it lasts, new client"
                    + " connections in this namespace are plain TCP); SYN retried without MPTCP"),
                    second.explanation());
            for (FallbackReason accepted : List.of(reasons.get(1), reasons.get(3))) {
                assertEquals(Kind.PEER_DID_NOT_REQUEST, accepted.kind(), accepted.toString());
            }
            assertEquals(1, nstat(ns, "MPTcpExtMPCapableSYNTXDrop"), "observer");
            assertEquals(1, nstat(ns, "MPTcpExtBlackhole"), "observer");
            assertEquals(1, nstat(ns, "MPTcpExtMPCapableSYNTXDisabled"), "observer");
        }
    }

    /** iptables in the namespace, or the test is skipped (failed under {@code CI=true}). */
    private static void requireIptables(RouteNamespace ns) {
        try {
            ns.exec("iptables", "-L", "INPUT", "-n");
        } catch (IOException missing) {
            String why = "the blackhole test needs iptables (with the tcp option match): "
                    + missing.getMessage();
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                throw new AssertionError(why + " (CI=true: the CI machine must have it)");
            }
            Assumptions.abort(why);
        }
    }

    /** {@code net.mptcp.enabled=0} in a fresh namespace: socket(IPPROTO_MPTCP) is refused. */
    @Test
    void mptcpOffInTheNamespaceIsDisabledInNamespace() throws Exception {
        Assumptions.assumeTrue(Files.exists(Path.of("/proc/sys/net/mptcp/enabled")),
                "this kernel has no MPTCP");
        try (RouteNamespace ns = RouteNamespace.create()) {
            ns.exec("sysctl", "-qw", "net.mptcp.enabled=0");
            assertEquals("0", ns.exec("sysctl", "-n", "net.mptcp.enabled"), "observer");
            List<FallbackReason> reasons = ns.call(() -> {
                ServerSocketChannel server = track(Providers.MPTCP.openServerSocketChannel());
                server.bind(new InetSocketAddress(LOOPBACK_V4, 0));
                SocketChannel client = track(Providers.MPTCP.openSocketChannel());
                FallbackReason unconnected = client.getOption(MPTCP_FALLBACK_REASON);
                client.connect(server.getLocalAddress());
                SocketChannel accepted = track(server.accept());
                return List.of(server.getOption(MPTCP_FALLBACK_REASON), unconnected,
                        client.getOption(MPTCP_FALLBACK_REASON),
                        accepted.getOption(MPTCP_FALLBACK_REASON));
            });
            for (FallbackReason r : reasons) {
                assertEquals(Kind.DISABLED_IN_NAMESPACE, r.kind(), r.toString());
                assertTrue(r.explanation().contains("socket(IPPROTO_MPTCP) failed with"
                        + " ENOPROTOOPT"), r.explanation());
                assertTrue(r.explanation().contains("net.mptcp.enabled reads 0 now"),
                        r.explanation());
            }
        }
    }
}
