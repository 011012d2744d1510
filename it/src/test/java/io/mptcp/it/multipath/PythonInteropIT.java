package io.mptcp.it.multipath;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mptcp.it.support.Bulk;
import io.mptcp.it.support.ChildProcess;
import io.mptcp.it.support.Prerequisites;
import io.mptcp.it.support.Subflows;
import io.mptcp.it.support.TwoPathTestBed;
import io.mptcp.it.support.TwoPathTestBed.Link;
import io.mptcp.nio.MptcpSelectorProvider;
import io.mptcp.nio.MptcpSocketOptions;
import io.mptcp.nio.Subflow;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Interoperability with an independent MPTCP implementation of the socket API: Python's own
 * {@code socket.IPPROTO_MPTCP} ({@code src/test/python/mptcp_peer.py}), run with
 * {@code ip netns exec}. Our client talks to the Python server, and the Python client to our
 * server; data goes both ways with SHA-256 on each side, and each end checks for itself, while
 * the connection is whole, that it has two subflows: ours through {@code MPTCP_SUBFLOWS}, the
 * peer through {@code getsockopt(SOL_MPTCP, MPTCP_INFO / MPTCP_SUBFLOW_ADDRS)}.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class PythonInteropIT {

    /** Set by the failsafe configuration in it/pom.xml. */
    private static final String PEER_PROPERTY = "mptcp.it.python.peer";
    private static final long BYTES = 16L << 20;
    // Rate limits keep the transfer off the CPU's limit, so both links carry data.
    private static final int RATE_MBIT = 100;
    private static final Duration DEADLINE = Duration.ofSeconds(30);

    private final MptcpSelectorProvider provider = new MptcpSelectorProvider();
    private Path peer;

    @BeforeEach
    void prerequisites() {
        Prerequisites.requireTwoPathTestBed();
        Prerequisites.requirePython3();
        peer = Path.of(System.getProperty(PEER_PROPERTY, "src/test/python/mptcp_peer.py"));
        assertTrue(Files.isReadable(peer), "the Python peer is missing: " + peer.toAbsolutePath());
    }

    @Test
    void ourClientAndThePythonServer() throws Exception {
        ExecutorService pool = Executors.newCachedThreadPool();
        try (TwoPathTestBed bed = limited(TwoPathTestBed.start());
                ChildProcess python = bed.server().start(Prerequisites.PYTHON3,
                        peer.toString(), "server", "--bind", "0.0.0.0", "--port", "0",
                        "--bytes", Long.toString(BYTES), "--subflows", "2",
                        "--timeout", Long.toString(DEADLINE.toSeconds()))) {
            String listening = python.awaitLine(l -> l.startsWith("listening "), DEADLINE,
                    "its port");
            int port = Integer.parseInt(listening.split(" ")[2]);
            try (SocketChannel ours = bed.client().call(() ->
                    provider.openSocketChannel(StandardProtocolFamily.INET))) {
                ours.connect(bed.serverAddress(port));
                converse(bed, ours, python, pool, true);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void thePythonClientAndOurServer() throws Exception {
        ExecutorService pool = Executors.newCachedThreadPool();
        try (TwoPathTestBed bed = limited(TwoPathTestBed.start());
                ServerSocketChannel listener = bed.server().call(() ->
                        provider.openServerSocketChannel(StandardProtocolFamily.INET)
                                .bind(bed.serverBindAddress(0)))) {
            int port = ((InetSocketAddress) listener.getLocalAddress()).getPort();
            try (ChildProcess python = bed.client().start(Prerequisites.PYTHON3,
                    peer.toString(), "client", "--connect",
                    bed.link(1).serverAddress().getHostAddress(), "--port",
                    Integer.toString(port), "--bytes", Long.toString(BYTES), "--subflows", "2",
                    "--timeout", Long.toString(DEADLINE.toSeconds()));
                    SocketChannel ours = listener.accept()) {
                converse(bed, ours, python, pool, false);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * Subflow control against the independent peer (issue 11): our client, in a userspace-PM
     * namespace, opens the link-2 subflow itself towards the Python server, whose in-kernel
     * path manager accepts the join; the peer lists it.
     */
    @Test
    void ourClientOpensTheLink2SubflowTowardsThePythonServer() throws Exception {
        SubflowControlIT.requireUserspacePathManager();
        ExecutorService pool = Executors.newCachedThreadPool();
        try (TwoPathTestBed bed = limited(TwoPathTestBed.start(
                        TwoPathTestBed.PathManager.CLIENT_USERSPACE));
                ChildProcess python = bed.server().start(Prerequisites.PYTHON3,
                        peer.toString(), "server", "--bind", "0.0.0.0", "--port", "0",
                        "--bytes", Long.toString(BYTES), "--subflows", "2",
                        "--timeout", Long.toString(DEADLINE.toSeconds()))) {
            String listening = python.awaitLine(l -> l.startsWith("listening "), DEADLINE,
                    "its port");
            int port = Integer.parseInt(listening.split(" ")[2]);
            try (SocketChannel ours = bed.client().call(() ->
                    provider.openSocketChannel(StandardProtocolFamily.INET))) {
                ours.connect(bed.serverAddress(port));
                var two = bed.counters(bed.link(2));
                Subflow opened = bed.client().call(() -> SubflowControlIT.mptcp(ours)
                        .openSubflow(SubflowControlIT.onLink2(bed, port, false), DEADLINE));
                converse(bed, ours, python, pool, true);
                var onTwo = bed.counters(bed.link(2)).since(two);
                assertTrue(onTwo.txBytes() >= BYTES / 10 && onTwo.rxBytes() >= BYTES / 10,
                        "link 2 carried " + onTwo + " of " + BYTES + " each way");
                System.out.printf("[PythonInteropIT] opened %s; link 2 carried %s%n", opened,
                        onTwo);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * The other direction: the Python client, in an in-kernel-PM namespace accepting
     * addresses, joins the link-2 address our server (userspace PM) announces; the join is
     * accepted thanks to the library's event subscription.
     */
    @Test
    void thePythonClientJoinsTheAddressOurServerAnnounces() throws Exception {
        SubflowControlIT.requireUserspacePathManager();
        ExecutorService pool = Executors.newCachedThreadPool();
        try (TwoPathTestBed bed = limited(TwoPathTestBed.start(
                        TwoPathTestBed.PathManager.SERVER_USERSPACE));
                ServerSocketChannel listener = bed.server().call(() ->
                        provider.openServerSocketChannel(StandardProtocolFamily.INET)
                                .bind(bed.serverBindAddress(0)))) {
            int port = ((InetSocketAddress) listener.getLocalAddress()).getPort();
            try (ChildProcess python = bed.client().start(Prerequisites.PYTHON3,
                    peer.toString(), "client", "--connect",
                    bed.link(1).serverAddress().getHostAddress(), "--port",
                    Integer.toString(port), "--bytes", Long.toString(BYTES), "--subflows", "2",
                    "--timeout", Long.toString(DEADLINE.toSeconds()));
                    SocketChannel ours = listener.accept()) {
                var two = bed.counters(bed.link(2));
                var announced = bed.server().call(() -> SubflowControlIT.mptcp(ours).announce(
                        new InetSocketAddress(bed.link(2).serverAddress(), 0)));
                converse(bed, ours, python, pool, false);
                var onTwo = bed.counters(bed.link(2)).since(two);
                assertTrue(onTwo.txBytes() >= BYTES / 10 && onTwo.rxBytes() >= BYTES / 10,
                        "link 2 carried " + onTwo + " of " + BYTES + " each way");
                System.out.printf("[PythonInteropIT] announced %s; link 2 carried %s%n",
                        announced, onTwo);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * Our side of the peer's protocol: send and receive at once; once all is sent and two
     * subflows are listed, shut the output down; read to end of stream. Then compares notes.
     */
    private static void converse(TwoPathTestBed bed, SocketChannel ours, ChildProcess python,
            ExecutorService pool, boolean weAreClient) throws Exception {
        assertTrue(ours.getOption(MptcpSocketOptions.MPTCP_ENABLED), python::describe);
        Future<Bulk.Received> received = pool.submit(() -> Bulk.receive(ours, -1));
        Bulk.Sent sent = Bulk.send(ours, BYTES, weAreClient ? 31 : 32);
        List<Subflow> subflows = Subflows.await(ours, l -> l.size() == 2, DEADLINE,
                "second subflow on our side",
                () -> bed.describeMptcp() + python.describe());
        assertTrue(ours.getOption(MptcpSocketOptions.MPTCP_ENABLED), python::describe);
        ours.shutdownOutput();
        Bulk.Received got = received.get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
        assertEquals(0, python.awaitExit(DEADLINE), python::describe);
        Map<String, String> result = result(python);

        assertEquals("true", result.get("mptcp"), python::describe);
        assertEquals(Long.toString(BYTES), result.get("received"), python::describe);
        assertEquals(sent.sha256(), result.get("received_sha256"), python::describe);
        assertEquals(BYTES, got.bytes(), python::describe);
        assertEquals(result.get("sent_sha256"), got.sha256(), python::describe);

        // Both sides list the same two subflows, each from its own end.
        Link one = bed.link(1);
        Link two = bed.link(2);
        List<String> theirs = Arrays.asList(result.get("subflows").split(","));
        String both = "ours " + Subflows.describe(subflows) + ", theirs " + theirs;
        assertEquals(2, theirs.size(), both);
        for (Subflow s : subflows) {
            String mirrored = text(s.remote()) + ">" + text(s.local());
            assertTrue(theirs.contains(mirrored), "the peer lacks " + mirrored + ": " + both);
        }
        assertTrue(Subflows.usesLocal(subflows,
                weAreClient ? one.clientAddress() : one.serverAddress()), both);
        assertTrue(Subflows.usesLocal(subflows,
                weAreClient ? two.clientAddress() : bed.secondSubflowServerAddress()), both);
        System.out.printf("[PythonInteropIT] %s: %d bytes each way in %s s; subflows (ours) %s%n",
                weAreClient ? "our client -> Python server" : "Python client -> our server",
                BYTES, result.get("seconds"), Subflows.describe(subflows));
    }

    private static TwoPathTestBed limited(TwoPathTestBed bed) {
        try {
            bed.links().forEach(l -> bed.limitRate(l, RATE_MBIT));
            return bed;
        } catch (RuntimeException e) {
            bed.close();
            throw e;
        }
    }

    private static Map<String, String> result(ChildProcess python) throws InterruptedException {
        String line = python.awaitLine(l -> l.startsWith("result "), DEADLINE, "its result");
        Map<String, String> fields = new HashMap<>();
        for (String word : line.substring("result ".length()).split(" ")) {
            int eq = word.indexOf('=');
            fields.put(word.substring(0, eq), word.substring(eq + 1));
        }
        return fields;
    }

    private static String text(InetSocketAddress a) {
        return a.getAddress().getHostAddress() + ":" + a.getPort();
    }
}
