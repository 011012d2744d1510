package io.mptcp.it.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mptcp.nio.MptcpSelectorProvider;
import io.mptcp.nio.MptcpSocketOptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The harness itself: threads that {@code setns(2)} put our channels in their namespace, and
 * the test bed deletes what it creates, whatever happens.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class TwoPathTestBedIT {

    private final MptcpSelectorProvider provider = new MptcpSelectorProvider();

    @BeforeAll
    static void classPath() {
        ChildJvm.requireOnClassPath(TestBedChild.class, MptcpSelectorProvider.class);
    }

    @BeforeEach
    void prerequisites() {
        Prerequisites.requireTwoPathTestBed();
    }

    @Test
    void aChannelOpenedOnANamespaceThreadLivesThereAndWorksFromAnyThread() throws Exception {
        try (TwoPathTestBed bed = TwoPathTestBed.start()) {
            String root = NamespaceThread.currentNamespaceId();
            assertNotEquals(root, bed.client().call(NamespaceThread::currentNamespaceId));
            assertNotEquals(bed.client().call(NamespaceThread::currentNamespaceId),
                    bed.server().call(NamespaceThread::currentNamespaceId));

            // 10.250.1.1 exists only in the client namespace.
            InetSocketAddress clientAddress =
                    new InetSocketAddress(bed.link(1).clientAddress(), 0);
            try (SocketChannel outside = provider.openSocketChannel(StandardProtocolFamily.INET)) {
                assertThrows(BindException.class, () -> outside.bind(clientAddress));
            }
            try (ServerSocketChannel listener = bed.server().call(() ->
                            provider.openServerSocketChannel(StandardProtocolFamily.INET)
                                    .bind(new InetSocketAddress(bed.link(1).serverAddress(), 0)));
                    SocketChannel client = bed.client().call(() ->
                            provider.openSocketChannel(StandardProtocolFamily.INET)
                                    .bind(clientAddress))) {
                // Everything from here runs on the test's own thread, in the root namespace.
                int port = ((InetSocketAddress) listener.getLocalAddress()).getPort();
                assertTrue(client.connect(bed.serverAddress(port)));
                try (SocketChannel accepted = listener.accept()) {
                    assertEquals(client.getLocalAddress(), accepted.getRemoteAddress());
                    assertTrue(client.getOption(MptcpSocketOptions.MPTCP_ENABLED));
                    assertTrue(accepted.getOption(MptcpSocketOptions.MPTCP_ENABLED));
                    client.write(ByteBuffer.wrap("hello".getBytes(StandardCharsets.US_ASCII)));
                    ByteBuffer in = ByteBuffer.allocate(5);
                    while (in.hasRemaining() && accepted.read(in) >= 0) {
                        // reads until the 5 bytes are in
                    }
                    assertEquals("hello", new String(in.array(), StandardCharsets.US_ASCII));
                }
            }
        }
    }

    @Test
    void bothLimitsAndTheEndpointAreAsDocumented() throws Exception {
        // The in-kernel modes; the userspace ones are checked by aUserspaceMode….
        for (TwoPathTestBed.PathManager pm : List.of(TwoPathTestBed.PathManager.SIGNAL,
                TwoPathTestBed.PathManager.SUBFLOW)) {
            try (TwoPathTestBed bed = TwoPathTestBed.start(pm)) {
                for (NetNamespace ns : List.of(bed.client(), bed.server())) {
                    String limits = ns.ip("mptcp", "limits", "show");
                    assertTrue(limits.contains("subflows 2") && limits.contains(
                            "add_addr_accepted 2"), ns + ": " + limits);
                    assertEquals("1", ns.sysctl("net.mptcp.enabled"));
                    assertEquals("0", ns.sysctl("net.ipv4.conf.all.rp_filter"));
                }
                NetNamespace withEndpoint =
                        pm == TwoPathTestBed.PathManager.SIGNAL ? bed.server() : bed.client();
                NetNamespace without =
                        pm == TwoPathTestBed.PathManager.SIGNAL ? bed.client() : bed.server();
                String endpoint = withEndpoint.ip("mptcp", "endpoint", "show");
                assertTrue(endpoint.contains(pm.name().toLowerCase()) && endpoint.contains(
                        "dev mp2"), bed.describeMptcp());
                assertEquals("", without.ip("mptcp", "endpoint", "show").strip(),
                        bed.describeMptcp());
                // Nothing of the test bed in the root namespace: no link has a peer in it.
                String rootLinks = Commands.run("ip", "link", "show");
                assertFalse(rootLinks.contains(bed.client().name())
                        || rootLinks.contains(bed.server().name()), rootLinks);
            }
        }
    }

    @Test
    void closeDeletesBothNamespacesOnce() throws Exception {
        TwoPathTestBed bed = TwoPathTestBed.start();
        List<String> names = List.of(bed.client().name(), bed.server().name());
        assertTrue(TwoPathTestBed.namespaces().containsAll(names));
        bed.close();
        assertNoneLeft(names);
        bed.close();
        assertThrows(IllegalStateException.class, () -> bed.client().call(() -> 1));
    }

    @Test
    void aFailureDuringSetUpDeletesWhatWasCreated() {
        String ours = "mpnio-" + ProcessHandle.current().pid() + "-";
        List<String> before = TwoPathTestBed.namespaces();
        List<String> created = new ArrayList<>();
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> TwoPathTestBed.start(TwoPathTestBed.PathManager.SIGNAL, () -> {
                    TwoPathTestBed.namespaces().stream()
                            .filter(n -> n.startsWith(ours) && !before.contains(n))
                            .forEach(created::add);
                    throw new IllegalStateException("injected set-up failure");
                }));
        assertEquals("injected set-up failure", e.getMessage());
        assertEquals(2, created.size(), "namespaces of the failed set-up: " + created);
        assertNoneLeft(created);
    }

    @Test
    void theShutdownHookDeletesATestBedLeftOpen() throws Exception {
        try (ChildJvm child = ChildJvm.start(List.of(), List.of(), TestBedChild.class.getName(),
                "exit")) {
            List<String> names = namespacesOf(child);
            assertEquals(0, child.awaitExit(Duration.ofSeconds(60)), child::describe);
            assertNoneLeft(names);
        }
    }

    @Test
    void namespacesOfAKilledJvmAreSweptAndLiveOnesKept() throws Exception {
        try (ChildJvm child = ChildJvm.start(List.of(), List.of(), TestBedChild.class.getName(),
                "hang")) {
            String line = child.awaitLine(l -> l.startsWith("pid "), Duration.ofSeconds(60),
                    "its namespaces");
            String[] words = line.split(" ");
            long pid = Long.parseLong(words[1]);
            List<String> names = List.of(words[3], words[4]);
            assertTrue(TwoPathTestBed.namespaces().containsAll(names));
            // Still alive: its namespaces are not stale.
            assertFalse(TwoPathTestBed.sweepStale().stream().anyMatch(names::contains));
            ProcessHandle p = ProcessHandle.of(pid).orElseThrow();
            p.destroyForcibly();
            p.onExit().get(30, TimeUnit.SECONDS);
            // SIGKILL: no hook ran, the namespaces are left behind ...
            assertTrue(TwoPathTestBed.namespaces().containsAll(names));
            // ... until a sweep finds their owner dead.
            assertTrue(TwoPathTestBed.sweepStale().containsAll(names));
            assertNoneLeft(names);
        }
    }

    private static List<String> namespacesOf(ChildJvm child) throws InterruptedException {
        String line = child.awaitLine(l -> l.startsWith("pid "), Duration.ofSeconds(60),
                "its namespaces");
        String[] words = line.split(" ");
        return List.of(words[3], words[4]);
    }

    private static void assertNoneLeft(List<String> names) {
        List<String> now = TwoPathTestBed.namespaces();
        for (String n : names) {
            assertFalse(now.contains(n), n + " is left in " + now);
        }
    }

    @org.junit.jupiter.params.ParameterizedTest(name = "{0}")
    @org.junit.jupiter.params.provider.EnumSource(names = {"CLIENT_USERSPACE", "SERVER_USERSPACE"})
    void aUserspaceModeSwitchesExactlyOneNamespaceAndKeepsTheOtherAcceptingAddresses(
            TwoPathTestBed.PathManager mode) throws Exception {
        try (TwoPathTestBed bed = TwoPathTestBed.start(mode)) {
            NetNamespace userspace = bed.userspacePathManager().orElseThrow();
            NetNamespace kernel = userspace == bed.client() ? bed.server() : bed.client();
            assertEquals(mode == TwoPathTestBed.PathManager.CLIENT_USERSPACE ? bed.client()
                    : bed.server(), userspace);
            assertEquals("userspace", pathManagerOf(userspace), userspace.toString());
            assertEquals("kernel", pathManagerOf(kernel), kernel.toString());
            // The in-kernel side has no endpoint of its own: every extra subflow of these
            // modes comes from the application's subflow control or its announcements.
            assertEquals("", kernel.ip("mptcp", "endpoint", "show").strip());
            assertTrue(kernel.ip("mptcp", "limits", "show").contains("add_addr_accepted "
                    + TwoPathTestBed.LIMIT_ADD_ADDR_ACCEPTED), bed::describeMptcp);
            assertEquals(bed.link(2).serverAddress(), bed.secondSubflowServerAddress());
        }
    }

    /** {@code net.mptcp.path_manager}, or the same from {@code pm_type} before Linux 6.15. */
    private static String pathManagerOf(NetNamespace ns) {
        Commands.Result r = Commands.attempt(ns.execCommand("sysctl", "-n",
                "net.mptcp.path_manager"));
        if (r.succeeded()) {
            return r.output().strip();
        }
        return ns.sysctl("net.mptcp.pm_type").equals("1") ? "userspace" : "kernel";
    }
}
