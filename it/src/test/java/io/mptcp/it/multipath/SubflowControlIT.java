package io.mptcp.it.multipath;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mptcp.it.support.Bulk;
import io.mptcp.it.support.MptcpMonitor;
import io.mptcp.it.support.NetNamespace.InterfaceCounters;
import io.mptcp.it.support.PacketCapture;
import io.mptcp.it.support.Prerequisites;
import io.mptcp.it.support.Subflows;
import io.mptcp.it.support.TwoPathTestBed;
import io.mptcp.it.support.TwoPathTestBed.Link;
import io.mptcp.it.support.TwoPathTestBed.PathManager;
import io.mptcp.nio.MptcpSelectorProvider;
import io.mptcp.nio.MptcpSocketChannel;
import io.mptcp.nio.MptcpSocketOptions;
import io.mptcp.nio.Subflow;
import io.mptcp.nio.pm.AnnouncedAddress;
import io.mptcp.nio.pm.PathManagerException;
import io.mptcp.nio.pm.SubflowClose;
import io.mptcp.nio.pm.SubflowRequest;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Subflow control on the two-path test bed with one namespace on the userspace path manager
 * (issue 11, item 5): each operation of {@link MptcpSocketChannel} checked against observers
 * that share no code with the library — the per-link byte counters of the client's veth ends,
 * {@code ip mptcp monitor} in the peer's (in-kernel PM) namespace, {@code tcpdump} for FIN
 * versus RST — and every transfer against a SHA-256 of its bytes.
 *
 * <p>Every subflow-control call runs on the thread of the namespace the socket lives in (the
 * library requires it: the path manager it talks to is the calling thread's namespace's).
 *
 * <p>Both links are limited to {@value #RATE_MBIT} Mbit/s so that a transfer is limited by the
 * links, not the CPU: the scheduler then uses every non-backup subflow, and a share of bytes per
 * link says where the scheduler put them. Shares are asserted with wide margins (a subflow that
 * should carry traffic carries at least 10 %, a backup at most 10 %); the printed lines give
 * the measured figures.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class SubflowControlIT {

    static final int RATE_MBIT = 50;
    private static final long BYTES = 12L << 20;
    private static final Duration WAIT = Duration.ofSeconds(30);

    private final MptcpSelectorProvider provider = new MptcpSelectorProvider();
    private final ExecutorService pool = Executors.newCachedThreadPool();

    @BeforeEach
    void prerequisites() {
        Prerequisites.requireTwoPathTestBed();
        requireUserspacePathManager();
    }

    @org.junit.jupiter.api.AfterEach
    void stopPool() {
        pool.shutdownNow();
    }

    /** The userspace path manager and its commands: Linux 5.19. */
    static void requireUserspacePathManager() {
        Prerequisites.require(Prerequisites.kernelAtLeast(5, 19), "subflow control needs the"
                + " userspace path manager (Linux 5.19+); this is "
                + System.getProperty("os.version"));
    }

    @Test
    void aSubflowOpenedOnLink2IsTheOneListedAndCarriesBytes() throws Exception {
        try (TwoPathTestBed bed = limited(TwoPathTestBed.start(PathManager.CLIENT_USERSPACE));
                MptcpMonitor serverEvents = MptcpMonitor.start(bed.server(), provider);
                Connected c = Connected.open(bed, provider)) {
            MptcpSocketChannel client = mptcp(c.client);
            fullyEstablish(c);
            Link two = bed.link(2);
            assertEquals(1, Subflows.of(client).size(), "the userspace PM opens nothing itself: "
                    + Subflows.describe(Subflows.of(client)));

            Subflow opened = bed.client().call(() -> client.openSubflow(onLink2(bed, c.port, false),
                    WAIT));

            assertEquals(two.clientAddress(), opened.local().getAddress(), opened::toString);
            assertEquals(new InetSocketAddress(two.serverAddress(), c.port), opened.remote());
            List<Subflow> listed = Subflows.of(client);
            Subflow same = find(listed, opened.local(), opened.remote());
            assertEquals(opened.id(), same.id(), "id: " + opened + " vs " + listed);
            assertEquals(2, listed.size(), Subflows.describe(listed));
            // The peer sees the join from its side, mirrored.
            MptcpMonitor.Event joined = serverEvents.await("SF_ESTABLISHED", Map.of(
                    "saddr4", two.serverAddress().getHostAddress(),
                    "daddr4", two.clientAddress().getHostAddress(),
                    "dport", Integer.toString(opened.local().getPort())), WAIT);
            Subflows.await(c.server, l -> l.stream().anyMatch(s -> s.remote()
                    .equals(opened.local())), WAIT, "the join on the server", bed::describeMptcp);

            Phase p = transfer(bed, c, BYTES, 1);
            assertTrue(p.link2 >= BYTES / 10, "link 2 carried " + p);
            System.out.printf("[SubflowControlIT] open: returned %s; peer saw %s; %s%n", opened,
                    joined.text(), p);
        }
    }

    @Test
    void backupOnTheLink1SubflowMovesNewBytesToLink2AndClearingItUsesBoth() throws Exception {
        try (TwoPathTestBed bed = limited(TwoPathTestBed.start(PathManager.CLIENT_USERSPACE));
                MptcpMonitor serverEvents = MptcpMonitor.start(bed.server(), provider);
                Connected c = Connected.open(bed, provider)) {
            MptcpSocketChannel client = mptcp(c.client);
            fullyEstablish(c);
            Link one = bed.link(1);
            bed.client().call(() -> client.openSubflow(onLink2(bed, c.port, false), WAIT));
            Subflow initial = onLink(Subflows.of(client), one.clientAddress());
            Map<String, String> initialAtServer = Map.of(
                    "saddr4", one.serverAddress().getHostAddress(),
                    "daddr4", one.clientAddress().getHostAddress(),
                    "dport", Integer.toString(initial.local().getPort()));

            bed.client().call(() -> {
                client.setSubflowBackup(initial, true);
                return null;
            });
            // The peer got MP_PRIO: its SUB_PRIORITY event carries the flag it received.
            MptcpMonitor.Event prio = serverEvents.await("SF_PRIO",
                    with(initialAtServer, "backup", "1"), WAIT);
            Phase backup = transfer(bed, c, BYTES, 2);
            assertTrue(backup.link2 >= 0.9 * backup.total(), "with link 1 backup: " + backup);

            bed.client().call(() -> {
                client.setSubflowBackup(initial, false);
                return null;
            });
            MptcpMonitor.Event unprio = serverEvents.await("SF_PRIO",
                    with(initialAtServer, "backup", "0"), WAIT);
            Phase both = transfer(bed, c, BYTES, 3);
            assertTrue(both.link1 >= both.total() / 10 && both.link2 >= both.total() / 10,
                    "with backup cleared: " + both);
            System.out.printf("[SubflowControlIT] backup: peer saw %s; link 1 backup: %s;"
                    + " peer saw %s; cleared: %s%n", prio.text(), backup, unprio.text(), both);
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(SubflowClose.class)
    void closingTheInitialSubflowMovesTheTransferToLink2Intact(SubflowClose how)
            throws Exception {
        try (TwoPathTestBed bed = limited(TwoPathTestBed.start(PathManager.CLIENT_USERSPACE));
                MptcpMonitor serverEvents = MptcpMonitor.start(bed.server(), provider);
                PacketCapture wire = PacketCapture.finAndRst(bed.client(), bed.link(1).device());
                Connected c = Connected.open(bed, provider)) {
            MptcpSocketChannel client = mptcp(c.client);
            fullyEstablish(c);
            Link one = bed.link(1);
            bed.client().call(() -> client.openSubflow(onLink2(bed, c.port, false), WAIT));
            Subflow initial = onLink(Subflows.of(client), one.clientAddress());

            long bytes = 2 * BYTES;
            AtomicLong serverGot = new AtomicLong();
            Future<Bulk.Sent> up = pool.submit(() -> Bulk.send(c.client, bytes, 41));
            Future<Bulk.Sent> down = pool.submit(() -> Bulk.send(c.server, bytes, 42));
            Future<Bulk.Received> atServer =
                    pool.submit(() -> Bulk.receive(c.server, bytes, serverGot));
            Future<Bulk.Received> atClient = pool.submit(() -> Bulk.receive(c.client, bytes));
            awaitBytes(serverGot, bytes / 4);

            InterfaceCounters one0 = bed.counters(one);
            InterfaceCounters two0 = bed.counters(bed.link(2));
            long progress = serverGot.get();
            bed.client().call(() -> {
                client.closeSubflow(initial, how);
                return null;
            });

            PacketCapture.Segment first = wire.await(s -> s.source().equals(initial.local())
                            && s.destination().equals(initial.remote()), WAIT,
                    "the client's FIN or RST on the initial subflow");
            MptcpMonitor.Event closed = serverEvents.await("SF_CLOSED", Map.of(
                    "saddr4", one.serverAddress().getHostAddress(),
                    "daddr4", one.clientAddress().getHostAddress(),
                    "dport", Integer.toString(initial.local().getPort())), WAIT);
            List<Subflow> left = Subflows.await(c.client, l -> l.size() == 1
                            && !Subflows.usesLocal(l, one.clientAddress()), WAIT,
                    "the drop of the initial subflow (client)", bed::describeMptcp);
            List<Subflow> leftAtServer = Subflows.await(c.server, l -> l.size() == 1
                            && !Subflows.usesLocal(l, one.serverAddress()), WAIT,
                    "the drop of the initial subflow (server)", bed::describeMptcp);

            Bulk.Received gotAtServer = atServer.get(WAIT.toSeconds(), TimeUnit.SECONDS);
            Bulk.Received gotAtClient = atClient.get(WAIT.toSeconds(), TimeUnit.SECONDS);
            InterfaceCounters oneAfter = bed.counters(one).since(one0);
            InterfaceCounters twoAfter = bed.counters(bed.link(2)).since(two0);
            assertEquals(bytes, gotAtServer.bytes());
            assertEquals(bytes, gotAtClient.bytes());
            assertEquals(up.get().sha256(), gotAtServer.sha256(), "client to server");
            assertEquals(down.get().sha256(), gotAtClient.sha256(), "server to client");

            List<PacketCapture.Segment> fromUs = wire.segments().stream()
                    .filter(s -> s.source().equals(initial.local())
                            && s.destination().equals(initial.remote())).toList();
            if (how == SubflowClose.GRACEFUL) {
                assertTrue(first.fin() && !first.rst(), "graceful close began with " + first);
                assertFalse(fromUs.stream().anyMatch(PacketCapture.Segment::rst),
                        "a graceful close sent a RST: " + fromUs);
            } else {
                assertTrue(first.rst() && !first.fin(), "abortive close began with " + first);
            }
            assertEquals(bed.link(2).clientAddress(), left.get(0).local().getAddress());
            assertEquals(left.get(0).local(), leftAtServer.get(0).remote());
            // What was left to send went over link 2 (the counters include headers and the
            // other direction's acknowledgements; link 1 carried at most a few segments).
            long rest = bytes - progress;
            assertTrue(twoAfter.txBytes() >= 0.9 * rest, "link 2 sent " + twoAfter.txBytes()
                    + " of the last " + rest + " bytes; link 1 " + oneAfter.txBytes());
            assertTrue(c.client.getOption(MptcpSocketOptions.MPTCP_ENABLED));
            System.out.printf("[SubflowControlIT] close %s: wire %s; peer saw %s; after the"
                            + " close link 1 sent %d B, link 2 %d B (of %d B left); left %s%n",
                    how, fromUs.stream().map(PacketCapture.Segment::flags).toList(),
                    closed.text(), oneAfter.txBytes(), twoAfter.txBytes(), rest,
                    Subflows.describe(left));
        }
    }

    @Test
    void anAnnouncedAddressIsJoinedByThePeerAndItsWithdrawalClosesTheSubflow()
            throws Exception {
        // The server is the userspace-PM side; nothing watches events in its namespace but
        // the library, whose subscription must make the kernel accept the peer's join.
        try (TwoPathTestBed bed = limited(TwoPathTestBed.start(PathManager.SERVER_USERSPACE));
                MptcpMonitor clientEvents = MptcpMonitor.start(bed.client(), provider);
                Connected c = Connected.open(bed, provider)) {
            MptcpSocketChannel server = mptcp(c.server);
            Link two = bed.link(2);
            InetSocketAddress address = new InetSocketAddress(two.serverAddress(), 0);

            AnnouncedAddress announced = bed.server().call(() -> server.announce(address));

            assertEquals(address, announced.address());
            String id = Integer.toString(announced.id());
            MptcpMonitor.Event seen = clientEvents.await("ANNOUNCED", Map.of("remid", id,
                    "daddr4", two.serverAddress().getHostAddress()), WAIT);
            MptcpMonitor.Event join = clientEvents.await("SF_ESTABLISHED", Map.of("remid", id,
                    "saddr4", two.clientAddress().getHostAddress(),
                    "daddr4", two.serverAddress().getHostAddress()), WAIT);
            Subflows.await(c.server, l -> l.size() == 2
                            && Subflows.usesLocal(l, two.serverAddress()), WAIT,
                    "the peer's join, accepted by the userspace-PM server", bed::describeMptcp);
            Subflows.await(c.client, l -> l.size() == 2
                    && Subflows.usesLocal(l, two.clientAddress()), WAIT, "the join (client)");
            Phase joined = transfer(bed, c, BYTES, 4);
            assertTrue(joined.link2 >= joined.total() / 10, "after the join: " + joined);

            bed.server().call(() -> {
                server.withdraw(announced);
                return null;
            });

            MptcpMonitor.Event removed = clientEvents.await("REMOVED", Map.of("remid", id),
                    WAIT);
            MptcpMonitor.Event gone = clientEvents.await("SF_CLOSED", Map.of("remid", id,
                    "saddr4", two.clientAddress().getHostAddress()), WAIT);
            Subflows.await(c.client, l -> l.size() == 1
                    && !Subflows.usesLocal(l, two.clientAddress()), WAIT,
                    "the close of the withdrawn subflow (client)", bed::describeMptcp);
            Subflows.await(c.server, l -> l.size() == 1
                    && !Subflows.usesLocal(l, two.serverAddress()), WAIT,
                    "the close of the withdrawn subflow (server)", bed::describeMptcp);
            Phase after = transfer(bed, c, BYTES, 5);
            assertTrue(after.link1 >= 0.9 * after.total(), "after the withdrawal: " + after);
            System.out.printf("[SubflowControlIT] announce %s: peer saw %s, then %s; %s;"
                            + " withdraw: peer saw %s, then %s; %s%n", announced, seen.text(),
                    join.text(), joined, removed.text(), gone.text(), after);
        }
    }

    @Test
    void aJoinToAClosedPortFailsWithTheKernelsConnectionRefused() throws Exception {
        try (TwoPathTestBed bed = limited(TwoPathTestBed.start(PathManager.CLIENT_USERSPACE));
                MptcpMonitor clientEvents = MptcpMonitor.start(bed.client(), provider);
                Connected c = Connected.open(bed, provider)) {
            MptcpSocketChannel client = mptcp(c.client);
            fullyEstablish(c);
            Link two = bed.link(2);
            // Nothing listens in the server's namespace but the test's listener.
            int closed = c.port == 65535 ? c.port - 1 : c.port + 1;
            SubflowRequest request = SubflowRequest.builder().local(two.clientAddress())
                    .remote(new InetSocketAddress(two.serverAddress(), closed)).build();

            PathManagerException blocking = assertThrows(PathManagerException.class,
                    () -> bed.client().call(() -> client.openSubflow(request, WAIT)));
            MptcpMonitor.Event refused = clientEvents.await("SF_CLOSED", Map.of(
                    "dport", Integer.toString(closed)), WAIT);
            ExecutionException async = assertThrows(ExecutionException.class,
                    () -> bed.client().call(() -> client.openSubflowAsync(request)).get(WAIT.toSeconds(),
                            TimeUnit.SECONDS));

            assertEquals(ECONNREFUSED, blocking.errno(), blocking::toString);
            assertEquals(Integer.toString(ECONNREFUSED), refused.get("error"), refused.text());
            PathManagerException cause = assertInstanceOf(PathManagerException.class,
                    async.getCause(), async::toString);
            assertEquals(ECONNREFUSED, cause.errno(), cause::toString);
            List<Subflow> now = Subflows.of(client);
            assertEquals(1, now.size(), Subflows.describe(now));
            assertEquals(bed.link(1).clientAddress(), now.get(0).local().getAddress());
            Phase p = transfer(bed, c, BYTES / 4, 6);
            System.out.printf("[SubflowControlIT] refused join: %s; kernel %s; async %s;"
                    + " connection goes on: %s%n", blocking, refused.text(), cause, p);
        }
    }

    /** errno ECONNREFUSED on Linux (asm-generic/errno.h). */
    private static final int ECONNREFUSED = 111;

    // ---- helpers ---------------------------------------------------------------------------

    /** Bytes the client sent on each link during one transfer. */
    record Phase(long bytes, long link1, long link2) {
        long total() {
            return link1 + link2;
        }

        @Override
        public String toString() {
            return String.format("%d MiB sent, link 1 %d B (%.1f %%), link 2 %d B (%.1f %%)",
                    bytes >> 20, link1, 100.0 * link1 / Math.max(1, total()), link2,
                    100.0 * link2 / Math.max(1, total()));
        }
    }

    /**
     * Sends {@code bytes} over the connection, from the side that steers it towards its peer
     * (the client in client-userspace mode, else the server), and checks the SHA-256; the
     * bytes each link carried in that direction, from the client end's veth counters.
     */
    private Phase transfer(TwoPathTestBed bed, Connected c, long bytes, long seed)
            throws Exception {
        boolean fromClient = bed.pathManager() != PathManager.SERVER_USERSPACE;
        SocketChannel from = fromClient ? c.client : c.server;
        SocketChannel to = fromClient ? c.server : c.client;
        InterfaceCounters one = bed.counters(bed.link(1));
        InterfaceCounters two = bed.counters(bed.link(2));
        Future<Bulk.Sent> sent = pool.submit(() -> Bulk.send(from, bytes, seed));
        Bulk.Received got = Bulk.receive(to, bytes);
        assertEquals(sent.get(WAIT.toSeconds(), TimeUnit.SECONDS).sha256(), got.sha256());
        InterfaceCounters d1 = bed.counters(bed.link(1)).since(one);
        InterfaceCounters d2 = bed.counters(bed.link(2)).since(two);
        return fromClient ? new Phase(bytes, d1.txBytes(), d2.txBytes())
                : new Phase(bytes, d1.rxBytes(), d2.rxBytes());
    }

    /**
     * One byte each way: the client's side of the connection becomes fully established only
     * when an MPTCP acknowledgement (DSS) arrives from the server, and the kernel opens no
     * subflow before that (openSubflow waits for it).
     */
    static void fullyEstablish(Connected c) throws java.io.IOException {
        for (SocketChannel[] pair : new SocketChannel[][] {{c.client, c.server},
                {c.server, c.client}}) {
            java.nio.ByteBuffer one = java.nio.ByteBuffer.wrap(new byte[] {42});
            while (one.hasRemaining()) {
                pair[0].write(one);
            }
            java.nio.ByteBuffer in = java.nio.ByteBuffer.allocate(1);
            while (in.hasRemaining()) {
                if (pair[1].read(in) < 0) {
                    throw new java.io.EOFException("the first exchange ended early");
                }
            }
        }
    }

    static SubflowRequest onLink2(TwoPathTestBed bed, int port, boolean backup) {
        Link two = bed.link(2);
        return SubflowRequest.builder().local(two.clientAddress())
                .remote(new InetSocketAddress(two.serverAddress(), port)).backup(backup).build();
    }

    static MptcpSocketChannel mptcp(SocketChannel ch) {
        return assertInstanceOf(MptcpSocketChannel.class, ch, "an mptcp-nio channel");
    }

    static Subflow find(List<Subflow> list, InetSocketAddress local, InetSocketAddress remote) {
        return list.stream().filter(s -> s.local().equals(local) && s.remote().equals(remote))
                .findFirst().orElseThrow(() -> new AssertionError("no subflow " + local + " -> "
                        + remote + " in " + Subflows.describe(list)));
    }

    static Subflow onLink(List<Subflow> list, InetAddress local) {
        return list.stream().filter(s -> s.local().getAddress().equals(local)).findFirst()
                .orElseThrow(() -> new AssertionError("no subflow from " + local + " in "
                        + Subflows.describe(list)));
    }

    private static Map<String, String> with(Map<String, String> base, String key, String value) {
        Map<String, String> m = new java.util.HashMap<>(base);
        m.put(key, value);
        return m;
    }

    private static void awaitBytes(AtomicLong counter, long bytes) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (counter.get() < bytes) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("only " + counter.get() + " of " + bytes
                        + " bytes arrived within " + WAIT);
            }
            Thread.sleep(5);
        }
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
}
