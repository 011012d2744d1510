package io.mptcp.nio.internal.options;

import io.mptcp.nio.FallbackReason;
import io.mptcp.nio.FallbackReason.Kind;
import io.mptcp.nio.internal.options.FallbackDiagnosis.Role;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Each answer of {@code MPTCP_FALLBACK_REASON} from an origin, the socket's protocol and state,
 * and a namespace given as text: {@code netstat-6.18.txt} is {@code /proc/net/netstat} as Linux
 * 6.18.44 printed it on the build machine.
 */
@Timeout(10)
class FallbackDiagnosisTest {
    private static final SocketOrigin MODE_ALL = SocketOrigin.mptcp("io.mptcp.nio.mode=all");

    private static String fixture() throws IOException {
        try (InputStream in = FallbackDiagnosisTest.class.getResourceAsStream("netstat-6.18.txt")) {
            return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
        }
    }

    /** A namespace whose files are {@code files}; every other path is absent. */
    private static NamespaceMptcpState namespace(Map<String, String> files) {
        return new NamespaceMptcpState(path -> Optional.ofNullable(files.get(path)));
    }

    /** The 6.18 fixture with {@code counter} set to {@code value}, and the three sysctls. */
    private static NamespaceMptcpState namespace618(Map<String, Long> counters,
            String blackholeTimeout) throws IOException {
        Map<String, Long> parsed = new java.util.LinkedHashMap<>(
                NamespaceMptcpState.parseMptcpExt(fixture()));
        parsed.putAll(counters);
        Map<String, String> files = new HashMap<>();
        files.put(NamespaceMptcpState.NETSTAT, "TcpExt: A\nTcpExt: 1\nMPTcpExt: "
                + String.join(" ", parsed.keySet()) + "\nMPTcpExt: "
                + String.join(" ", parsed.values().stream().map(String::valueOf).toList()) + "\n");
        files.put(NamespaceMptcpState.SYSCTL_DIR + "enabled", "1\n");
        files.put(NamespaceMptcpState.SYSCTL_DIR + "blackhole_timeout", blackholeTimeout + "\n");
        files.put(NamespaceMptcpState.SYSCTL_DIR + "syn_retrans_before_tcp_fallback", "2\n");
        return namespace(files);
    }

    private static FallbackReason diagnose(SocketOrigin origin, Role role, boolean mptcpSocket,
            boolean mptcpNow, NamespaceMptcpState ns) {
        return FallbackDiagnosis.diagnose(origin, role, mptcpSocket, mptcpNow, () -> ns);
    }

    private static NamespaceMptcpState noFiles() {
        return namespace(Map.of());
    }

    @Test
    void capturedNetstatParsesEveryMptcpCounterOfLinux618() throws IOException {
        Map<String, Long> c = NamespaceMptcpState.parseMptcpExt(fixture());
        assertEquals(76, c.size(), c.keySet().toString());
        assertEquals(522100L, c.get("MPCapableSYNRX"));
        assertEquals(197L, c.get("MPCapableFallbackSYNACK"));
        assertEquals(0L, c.get("Blackhole"));
        assertEquals(113L, c.get("MPCapableDataFallback"));
        assertEquals(2258L, c.get("WinProbe"), "the last one");
        assertFalse(c.containsKey("TCPAOGood"), "TcpExt is another line pair");
    }

    @Test
    void netstatWithoutMptcpOrWithAForeignValueStillParses() {
        assertEquals(Map.of(), NamespaceMptcpState.parseMptcpExt("TcpExt: A B\nTcpExt: 1 2\n"));
        assertEquals(Map.of(), NamespaceMptcpState.parseMptcpExt("MPTcpExt: A B\n"),
                "names without values");
        assertEquals(Map.of("A", 1L, "C", 3L),
                NamespaceMptcpState.parseMptcpExt("MPTcpExt: A B C\nMPTcpExt: 1 x 3\n"),
                "one bad value hides no other");
        assertEquals(OptionalLong.empty(), noFiles().counter("Blackhole"), "no netstat");
    }

    @Test
    void anUnsignedCounterAboveLongMaxIsKept() {
        Map<String, Long> c = NamespaceMptcpState.parseMptcpExt(
                "MPTcpExt: A B\nMPTcpExt: 18446744073709551615 7\n");
        assertEquals("18446744073709551615", Long.toUnsignedString(c.get("A")));
        assertEquals(7L, c.get("B"));
    }

    @Test
    void chosenTcpNamesTheModeOrTheOption() {
        FallbackReason r = diagnose(SocketOrigin.tcpChosen("io.mptcp.nio.mode=off (plain TCP"
                + " everywhere)"), Role.CONNECTED, false, false, noFiles());
        assertEquals(Kind.NOT_REQUESTED, r.kind());
        assertEquals("opened as plain TCP by choice: io.mptcp.nio.mode=off (plain TCP"
                + " everywhere)", r.explanation());
        FallbackReason unconnected = diagnose(SocketOrigin.byOption(false), Role.UNCONNECTED,
                false, false, noFiles());
        assertEquals(Kind.NOT_REQUESTED, unconnected.kind(), "TCP already: the answer is final");
        assertEquals("opened as plain TCP by choice: MPTCP_ENABLED was set to false; not"
                + " connected yet, it will be plain TCP whatever the peer answers",
                unconnected.explanation());
    }

    @Test
    void refusedInTheNamespaceSaysWhatTheSysctlReadsNow() {
        SocketOrigin refused = SocketOrigin.refused(true, "socket(IPPROTO_MPTCP) failed with"
                + " ENOPROTOOPT: MPTCP is disabled in this network namespace (sysctl"
                + " net.mptcp.enabled=0)");
        FallbackReason r = diagnose(refused, Role.LISTENER, false, false,
                namespace(Map.of(NamespaceMptcpState.SYSCTL_DIR + "enabled", "1\n")));
        assertEquals(Kind.DISABLED_IN_NAMESPACE, r.kind());
        assertEquals(refused.detail() + " when the socket was opened; net.mptcp.enabled reads 1"
                + " now", r.explanation());
        FallbackReason accepted = diagnose(refused.acceptedOnTcpListener(), Role.CONNECTED,
                false, false, noFiles());
        assertEquals(Kind.DISABLED_IN_NAMESPACE, accepted.kind(), "as its listener");
        assertTrue(accepted.explanation().startsWith("accepted on a TCP listener (the"
                + " listener: socket(IPPROTO_MPTCP) failed with ENOPROTOOPT"),
                accepted.explanation());
        assertTrue(accepted.explanation().endsWith("net.mptcp.enabled reads unknown now"),
                accepted.explanation());
    }

    @Test
    void kernelWithoutMptcpGivesTheErrnoAndTheKernelVersion() {
        FallbackReason r = diagnose(SocketOrigin.refused(false, "socket(IPPROTO_MPTCP) failed"
                + " with EPROTONOSUPPORT: this kernel is built without MPTCP (CONFIG_MPTCP)"),
                Role.CONNECTED, false, false, noFiles());
        assertEquals(Kind.KERNEL_WITHOUT_MPTCP, r.kind());
        assertTrue(r.explanation().contains("EPROTONOSUPPORT"), r.explanation());
        assertTrue(r.explanation().endsWith("; kernel " + System.getProperty("os.version")),
                r.explanation());
    }

    @Test
    void aTcpSocketAcceptedOnAnMptcpListenerIsAClientThatDidNotAsk() {
        FallbackReason r = diagnose(SocketOrigin.ACCEPTED_ON_MPTCP, Role.CONNECTED, false, false,
                noFiles());
        assertEquals(Kind.PEER_DID_NOT_REQUEST, r.kind());
        assertTrue(r.explanation().contains("SO_PROTOCOL 6"), r.explanation());
    }

    @Test
    void anInheritedTcpSocketSaysWhatCannotBeToldApart() {
        FallbackReason r = diagnose(SocketOrigin.UNKNOWN, Role.CONNECTED, false, false,
                noFiles());
        assertEquals(Kind.NOT_REQUESTED, r.kind());
        assertTrue(r.explanation().contains("cannot tell whether it was opened as TCP or"
                + " accepted"), r.explanation());
    }

    @Test
    void mptcpInUseAndNotConnectedYet() {
        assertEquals(Kind.MPTCP_IN_USE, diagnose(MODE_ALL, Role.CONNECTED, true, true,
                noFiles()).kind());
        assertEquals(Kind.MPTCP_IN_USE, diagnose(SocketOrigin.ACCEPTED_ON_MPTCP, Role.CONNECTED,
                true, true, noFiles()).kind());
        assertEquals(Kind.MPTCP_IN_USE, diagnose(MODE_ALL, Role.LISTENER, true, true,
                noFiles()).kind());
        FallbackReason pending = diagnose(MODE_ALL, Role.UNCONNECTED, true, true, noFiles());
        assertEquals(Kind.NOT_CONNECTED, pending.kind());
        assertEquals("an MPTCP socket (io.mptcp.nio.mode=all), not connected yet: whether the"
                + " peer speaks MPTCP is known once it is", pending.explanation());
    }

    /** The namespace of the fixture: 197 SYN-ACKs without MP_CAPABLE, 113 data fallbacks. */
    @Test
    void aClientFallbackListsTheNamespaceEvidenceSeenNotSeenAndUnknown() throws IOException {
        FallbackReason r = diagnose(MODE_ALL, Role.CONNECTED, true, false,
                namespace618(Map.of(), "3600"));
        assertEquals(Kind.FELL_BACK, r.kind());
        assertEquals("opened as MPTCP (io.mptcp.nio.mode=all) but the connection uses plain TCP"
                + " now (TCP_IS_MPTCP 0). Linux keeps no reason per socket; counters of this"
                + " network namespace, for all its connections, not this one alone. Causes seen"
                + " (counter above 0): peer answered the SYN without MP_CAPABLE"
                + " (MPTcpExtMPCapableFallbackSYNACK=197); first data without MPTCP mapping"
                + " (MPTcpExtMPCapableDataFallback=113). Causes not seen (counter 0): active MPTCP disabled by blackhole detection, SYN sent without"
                + " MP_CAPABLE (MPTcpExtMPCapableSYNTXDisabled=0); SYN retried without MPTCP"
                + " after MP_CAPABLE SYNs were lost (MPTcpExtMPCapableSYNTXDrop=0); simultaneous"
                + " connect (MPTcpExtSimultConnectFallback=0); no token could be allocated"
                + " (MPTcpExtMPFallbackTokenInit=0); bad or missing DSS (MPTcpExtDssFallback=0);"
                + " DSS corruption (MPTcpExtDSSCorruptionFallback=0); peer sent an infinite"
                + " mapping (MPTcpExtInfiniteMapRx=0); conflicting TCP option (TCP_MD5SIG)"
                + " (MPTcpExtMD5SigFallback=0).", r.explanation());
    }

    @Test
    void blackholeDetectionAndSynRetriesNameTheirSysctls() throws IOException {
        FallbackReason r = diagnose(MODE_ALL, Role.CONNECTED, true, false, namespace618(Map.of(
                "Blackhole", 1L, "MPCapableSYNTXDisabled", 4L, "MPCapableSYNTXDrop", 3L),
                "3600"));
        assertTrue(r.explanation().contains("Causes seen (counter above 0): active MPTCP disabled"
                + " by blackhole detection,"
                + " SYN sent without MP_CAPABLE (MPTcpExtMPCapableSYNTXDisabled=4,"
                + " MPTcpExtBlackhole=1, net.mptcp.blackhole_timeout=3600 s: while it lasts, new"
                + " client connections in this namespace are plain TCP); SYN retried without"
                + " MPTCP after MP_CAPABLE SYNs were lost (MPTcpExtMPCapableSYNTXDrop=3,"
                + " net.mptcp.syn_retrans_before_tcp_fallback=2);"), r.explanation());
    }

    /** An older kernel counts fewer causes: those it lacks are unknown, not "not seen". */
    @Test
    void countersAnOlderKernelLacksAreUnknown() {
        NamespaceMptcpState old = namespace(Map.of(NamespaceMptcpState.NETSTAT,
                "MPTcpExt: MPCapableSYNRX MPCapableFallbackACK MPCapableFallbackSYNACK"
                        + " MPFallbackTokenInit DSSCorruptionFallback InfiniteMapRx\n"
                        + "MPTcpExt: 5 2 0 0 0 0\n"));
        FallbackReason client = diagnose(MODE_ALL, Role.CONNECTED, true, false, old);
        assertTrue(client.explanation().contains(" Causes this kernel does not count: active"
                + " MPTCP disabled by blackhole detection, SYN sent without MP_CAPABLE"
                + " (MPTcpExtMPCapableSYNTXDisabled); SYN retried"), client.explanation());
        assertTrue(client.explanation().contains(" Causes seen (counter above 0): none. Causes"
                + " not seen (counter 0): peer answered the SYN without MP_CAPABLE"
                + " (MPTcpExtMPCapableFallbackSYNACK=0)"), client.explanation());

        FallbackReason server = diagnose(SocketOrigin.ACCEPTED_ON_MPTCP, Role.CONNECTED, true,
                false, old);
        assertEquals(Kind.FELL_BACK, server.kind());
        assertTrue(server.explanation().startsWith("an MPTCP socket (accepted on an MPTCP"
                + " listener) that uses plain TCP now (TCP_IS_MPTCP 0)."), server.explanation());
        assertTrue(server.explanation().contains("Causes seen (counter above 0): client's third"
                + " ACK without MP_CAPABLE (MPTcpExtMPCapableFallbackACK=2)."),
                server.explanation());
        assertFalse(server.explanation().contains("SYNACK"), "a server sends the SYN-ACK");
    }

    @Test
    void withoutNetstatEveryCauseIsUnknown() {
        FallbackReason r = diagnose(MODE_ALL, Role.CONNECTED, true, false, noFiles());
        assertEquals(Kind.FELL_BACK, r.kind());
        assertTrue(r.explanation().contains("Causes seen (counter above 0): none. Causes this"
                + " kernel does not count: "), r.explanation());
        assertFalse(r.explanation().contains("(counter 0)"), r.explanation());
    }

    @Test
    void anEarlyFallbackShowsBeforeTheConnectionIsEstablished() throws IOException {
        // Blackhole detection falls back in connect(), before the SYN: TCP_IS_MPTCP 0 already.
        FallbackReason r = diagnose(MODE_ALL, Role.UNCONNECTED, true, false,
                namespace618(Map.of("Blackhole", 1L, "MPCapableSYNTXDisabled", 1L), "3600"));
        assertEquals(Kind.FELL_BACK, r.kind());
    }

    @Test
    void valueSemantics() {
        FallbackReason a = FallbackReason.of(Kind.FELL_BACK, "x");
        assertEquals(a, FallbackReason.of(Kind.FELL_BACK, "x"));
        assertEquals(a.hashCode(), FallbackReason.of(Kind.FELL_BACK, "x").hashCode());
        assertFalse(a.equals(FallbackReason.of(Kind.NOT_REQUESTED, "x")));
        assertEquals("FELL_BACK: x", a.toString());
        org.junit.jupiter.api.Assertions.assertThrows(NullPointerException.class,
                () -> FallbackReason.of(null, "x"));
    }
}
