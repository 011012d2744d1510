package io.mptcp.it.multipath;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mptcp.it.support.Bulk;
import io.mptcp.it.support.Commands;
import io.mptcp.it.support.NetNamespace;
import io.mptcp.it.support.NetNamespace.InterfaceCounters;
import io.mptcp.it.support.Prerequisites;
import io.mptcp.it.support.Subflows;
import io.mptcp.it.support.TwoPathTestBed;
import io.mptcp.it.support.TwoPathTestBed.Link;
import io.mptcp.it.support.TwoPathTestBed.PathManager;
import io.mptcp.nio.MptcpSelectorProvider;
import io.mptcp.nio.MptcpSocketOptions;
import io.mptcp.nio.Subflow;
import io.mptcp.nio.pm.PathProfile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

/**
 * The AGGREGATE path profile on the two-path test bed, both links limited by {@code tc tbf} to
 * the same rate.
 *
 * <p>Throughput: the same bulk upload ({@value #BYTES_MIB} MiB, client to server) three ways,
 * in the same run: plain TCP over link 1 (the JDK's {@code java.net.Socket}, which no
 * {@code SelectorProvider} touches), AGGREGATE (client namespace on the userspace path manager,
 * server on the in-kernel one without endpoints: AGGREGATE joins the server's address from the
 * client's link-2 address, over link 2 by the client's source routing), and the in-kernel path
 * manager alone on both ends ({@link PathManager#SIGNAL}: the server announces 10.250.2.2, the
 * client joins it). Both multipath cases thus have one subflow per link. The server announces
 * nothing to AGGREGATE: the announcement reaches the client right after the handshake, often
 * before the profile's event subscription exists (see the README), which would make the
 * subflow count of a run a matter of timing. Each rate is the payload over the time from the
 * sender's first write to the receiver's last byte. Only correctness is asserted (every byte,
 * SHA-256, AGGREGATE's two subflows, both links' client-side {@code tx_bytes}); the figures
 * are printed, with medians and ranges over {@code -Dit.aggregate.runs} runs (default 1) for
 * each congestion control in {@code -Dit.aggregate.cc} (default {@code reno}; an unavailable
 * one is reported and left out).
 *
 * <p>Link failure: link 2 goes down at both ends during an AGGREGATE upload, then comes back.
 * The client's subflow from its link-2 address leaves its {@code MPTCP_SUBFLOWS}, the upload
 * goes on over link 1, and after the link is up again AGGREGATE opens it again and link 2's
 * counter carries data again.
 */
@Timeout(value = 1800, unit = TimeUnit.SECONDS)
class AggregateProfileIT {

    private static final int RATE_MBIT = 50;
    /** tbf bucket: enough for the 1 ms timer granularity at this rate, so the rate is met. */
    private static final String BURST = "32kb";
    /** tbf queue: deep enough for two flows' windows, short enough to keep RTTs sane. */
    private static final String LATENCY = "40ms";
    private static final int BYTES_MIB = 48;
    private static final long BYTES = (long) BYTES_MIB << 20;
    private static final Duration DEADLINE = Duration.ofSeconds(60);
    private static final int RUNS = Integer.getInteger("it.aggregate.runs", 1);
    private static final List<String> CCS = Arrays.asList(
            System.getProperty("it.aggregate.cc", "reno").split(","));

    private final MptcpSelectorProvider provider = new MptcpSelectorProvider();

    /** One AGGREGATE connection: listener, client and accepted channel, closed together. */
    private record Conn(ServerSocketChannel listener, SocketChannel client,
            SocketChannel server) implements AutoCloseable {
        @Override
        public void close() throws java.io.IOException {
            try (listener; client; server) {
                // closes all three, keeping the first failure and suppressing the others
            }
        }
    }

    /**
     * One transfer's rates, bits per second: first write to last byte, and after the first
     * quarter of the bytes (without set-up, slow start and joins).
     */
    private record Rate(double total, double steady) {
        static Rate of(Bulk.Sent s, Bulk.Received r) {
            return new Rate(r.bitsPerSecondSince(s.startNanos()), r.steadyBitsPerSecond(0.25));
        }
    }

    /** One run's three transfers. */
    private record Rates(Rate tcp, Rate aggregate, Rate kernel) {
    }

    @Test
    void aggregateAgainstOneLinkAndTheInKernelPathManager() throws Exception {
        Prerequisites.requireTwoPathTestBed();
        ExecutorService pool = Executors.newCachedThreadPool();
        Map<String, List<Rates>> results = new LinkedHashMap<>();
        try (TwoPathTestBed user = aggregateBed();
                TwoPathTestBed kernel = TwoPathTestBed.start(PathManager.SIGNAL)) {
            List.of(user, kernel).forEach(AggregateProfileIT::limitBothLinks);
            for (String cc : CCS) {
                if (!useCongestionControl(cc, user, kernel)) {
                    continue;
                }
                List<Rates> runs = new ArrayList<>();
                for (int run = 1; run <= RUNS; run++) {
                    Rate tcp = plainTcpOverLinkOne(user, pool);
                    Rate aggregate = aggregate(user, pool);
                    Rate inKernel = inKernelPathManager(kernel, pool);
                    runs.add(new Rates(tcp, aggregate, inKernel));
                    System.out.printf("[AggregateProfileIT] %s run %d/%d: TCP one link %.1f"
                            + " Mbit/s (steady %.1f); AGGREGATE %.1f Mbit/s (%.3fx; steady"
                            + " %.1f, %.3fx); in-kernel PM %.1f Mbit/s (%.3fx; steady %.1f,"
                            + " %.3fx)%n", cc, run, RUNS, tcp.total() / 1e6,
                            tcp.steady() / 1e6, aggregate.total() / 1e6,
                            aggregate.total() / tcp.total(), aggregate.steady() / 1e6,
                            aggregate.steady() / tcp.steady(), inKernel.total() / 1e6,
                            inKernel.total() / tcp.total(), inKernel.steady() / 1e6,
                            inKernel.steady() / tcp.steady());
                }
                results.put(cc, runs);
            }
        } finally {
            pool.shutdownNow();
        }
        for (Map.Entry<String, List<Rates>> e : results.entrySet()) {
            List<Rates> runs = e.getValue();
            System.out.printf("[AggregateProfileIT] %s, %d run(s), tbf %d Mbit/s per link:"
                    + " TCP one link %s Mbit/s; AGGREGATE %s Mbit/s, ratio %s; in-kernel PM %s"
                    + " Mbit/s, ratio %s%n", e.getKey(), runs.size(), RATE_MBIT,
                    summary(runs.stream().map(r -> r.tcp().total() / 1e6).toList()),
                    summary(runs.stream().map(r -> r.aggregate().total() / 1e6).toList()),
                    summary(runs.stream().map(r -> r.aggregate().total() / r.tcp().total())
                            .toList()),
                    summary(runs.stream().map(r -> r.kernel().total() / 1e6).toList()),
                    summary(runs.stream().map(r -> r.kernel().total() / r.tcp().total())
                            .toList()));
            System.out.printf("[AggregateProfileIT] %s steady (after the first quarter):"
                    + " AGGREGATE ratio %s; in-kernel PM ratio %s%n", e.getKey(),
                    summary(runs.stream().map(r -> r.aggregate().steady() / r.tcp().steady())
                            .toList()),
                    summary(runs.stream().map(r -> r.kernel().steady() / r.tcp().steady())
                            .toList()));
        }
        assertFalse(results.isEmpty(), "no congestion control of " + CCS + " was available");
    }

    @Test
    void aSubflowOnALinkThatGoesDownIsClosedAndReopenedWhenItComesBack() throws Exception {
        Prerequisites.requireTwoPathTestBed();
        long bytes = 2 * BYTES;
        ExecutorService pool = Executors.newCachedThreadPool();
        try (TwoPathTestBed bed = aggregateBed()) {
            limitBothLinks(bed);
            Link two = bed.link(2);
            InetAddress local2 = two.clientAddress();
            try (Conn c = connectAggregate(bed)) {
                AtomicLong got = new AtomicLong();
                Future<Bulk.Sent> sent = pool.submit(() -> Bulk.send(c.client(), bytes, 41));
                Future<Bulk.Received> received =
                        pool.submit(() -> Bulk.receive(c.server(), bytes, got));
                awaitMesh(bed, c.client());
                awaitBytes(got, bytes / 8);

                long downAt = System.nanoTime();
                bed.setLinkUp(two, false);
                List<Subflow> without = Subflows.await(c.client(),
                        l -> !Subflows.usesLocal(l, local2), DEADLINE,
                        "close of the subflow from " + local2.getHostAddress(),
                        bed::describeMptcp);
                long closedAfter = System.nanoTime() - downAt;
                long gotAtDown = got.get();
                Thread.sleep(1000);
                long duringDown = got.get() - gotAtDown;
                assertTrue(duringDown > 0, "the upload went on over link 1");

                InterfaceCounters beforeUp = bed.counters(two);
                long upAt = System.nanoTime();
                bed.setLinkUp(two, true);
                List<Subflow> again = Subflows.await(c.client(),
                        l -> l.stream().anyMatch(s -> s.local().getAddress().equals(local2)
                                && s.tcp().isEstablished()), DEADLINE,
                        "the subflow from " + local2.getHostAddress() + " again",
                        bed::describeMptcp);
                long reopenedAfter = System.nanoTime() - upAt;
                long leftAtUp = bytes - got.get();

                Bulk.Received r = received.get(DEADLINE.toSeconds() * 3, TimeUnit.SECONDS);
                Bulk.Sent s = sent.get();
                long link2AfterUp = bed.counters(two).since(beforeUp).txBytes();
                assertEquals(bytes, r.bytes());
                assertEquals(s.sha256(), r.sha256());
                assertTrue(link2AfterUp > leftAtUp / 4, "link 2 sent " + link2AfterUp
                        + " B after it came back, of " + leftAtUp + " B left to send");
                System.out.printf("[AggregateProfileIT] link 2 down after %d MiB: subflow"
                                + " from %s gone from the list after %d ms (left: %s); %.1f"
                                + " Mbit/s over link 1 while down; link 2 up: reopened"
                                + " after %d ms (%s); link 2 then sent %d B of %d B left%n",
                        gotAtDown >> 20, local2.getHostAddress(), millis(closedAfter),
                        Subflows.describe(without), duringDown * 8 / 1e6, millis(reopenedAfter),
                        Subflows.describe(again), link2AfterUp, leftAtUp);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void everyAddressThePeerAnnouncesIsJoinedFromEveryLink() throws Exception {
        Prerequisites.requireTwoPathTestBed();
        long bytes = 8L << 20;
        ExecutorService pool = Executors.newCachedThreadPool();
        try (TwoPathTestBed bed = aggregateBed()) {
            // The server announces 10.250.2.2 right after each handshake and accepts the mesh's
            // three joins.
            Link two = bed.link(2);
            bed.server().ip("mptcp", "limits", "set", "subflows", "8", "add_addr_accepted", "8");
            bed.server().ip("mptcp", "endpoint", "add", two.serverAddress().getHostAddress(),
                    "dev", two.device(), "signal");
            Set<String> want = bed.links().stream().flatMap(l -> bed.links().stream()
                    .map(r -> l.clientAddress().getHostAddress() + ">"
                            + r.serverAddress().getHostAddress())).collect(Collectors.toSet());
            // Several connections: the announcement races connect's return every time, and
            // the first one of the namespace also races the subscription's creation.
            for (int i = 1; i <= 3; i++) {
                long seed = 50 + i;
                try (Conn c = connectAggregate(bed)) {
                    Future<Bulk.Sent> sent =
                            pool.submit(() -> Bulk.send(c.client(), bytes, seed));
                    Future<Bulk.Received> received =
                            pool.submit(() -> Bulk.receive(c.server(), bytes));
                    List<Subflow> mesh = Subflows.await(c.client(), l -> pairs(l).equals(want)
                            && l.size() == want.size(), DEADLINE, "connection " + i
                            + ": the full mesh " + want, bed::describeMptcp);
                    Bulk.Received r = received.get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
                    assertEquals(sent.get().sha256(), r.sha256());
                    // The server's own list (its kernel's view of the joins it accepted).
                    List<Subflow> atServer = Subflows.await(c.server(),
                            l -> l.size() == want.size(), DEADLINE,
                            "connection " + i + ": the server's four subflows",
                            bed::describeMptcp);
                    System.out.printf("[AggregateProfileIT] announced address, connection %d:"
                            + " client %s; server %s%n", i, Subflows.describe(mesh),
                            Subflows.describe(atServer));
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private static Set<String> pairs(List<Subflow> subflows) {
        return subflows.stream().filter(s -> s.tcp().isEstablished())
                .map(s -> s.local().getAddress().getHostAddress() + ">"
                        + s.remote().getAddress().getHostAddress())
                .collect(Collectors.toSet());
    }

    // ---- the three transfers ------------------------------------------------------------------

    /** Bits per second of a plain TCP upload over link 1; link 2 must stay idle. */
    private static Rate plainTcpOverLinkOne(TwoPathTestBed bed, ExecutorService pool)
            throws Exception {
        Link one = bed.link(1);
        Link two = bed.link(2);
        InterfaceCounters before2 = bed.counters(two);
        // A java.net socket gets its descriptor at bind/connect: both on the namespace's thread.
        try (ServerSocket listener = bed.server().call(() -> {
            ServerSocket s = new ServerSocket();
            s.bind(new InetSocketAddress(one.serverAddress(), 0));
            return s;
        });
                Socket client = bed.client().call(() -> {
                    Socket s = new Socket();
                    s.connect(new InetSocketAddress(one.serverAddress(),
                            listener.getLocalPort()));
                    return s;
                });
                Socket server = listener.accept()) {
            Future<Bulk.Sent> sent = pool.submit(() ->
                    Bulk.send(Channels.newChannel(client.getOutputStream()), BYTES, 31));
            Bulk.Received r = Bulk.receive(Channels.newChannel(server.getInputStream()), BYTES);
            Bulk.Sent s = sent.get();
            assertEquals(BYTES, r.bytes());
            assertEquals(s.sha256(), r.sha256());
            InterfaceCounters on2 = bed.counters(two).since(before2);
            assertTrue(on2.txBytes() < BYTES / 100, "the baseline uses link 1 only; link 2"
                    + " sent " + on2);
            return Rate.of(s, r);
        }
    }

    /** Bits per second of an AGGREGATE upload; checks the full mesh and both links' share. */
    private Rate aggregate(TwoPathTestBed bed, ExecutorService pool) throws Exception {
        InterfaceCounters before1 = bed.counters(bed.link(1));
        InterfaceCounters before2 = bed.counters(bed.link(2));
        try (Conn c = connectAggregate(bed)) {
            Future<Bulk.Sent> sent = pool.submit(() -> Bulk.send(c.client(), BYTES, 32));
            Future<Bulk.Received> received = pool.submit(() -> Bulk.receive(c.server(), BYTES));
            List<Subflow> mesh = awaitMesh(bed, c.client());
            Bulk.Sent s = sent.get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
            Bulk.Received r = received.get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
            assertEquals(BYTES, r.bytes());
            assertEquals(s.sha256(), r.sha256());
            checkBothLinks(bed, before1, before2, "AGGREGATE " + Subflows.describe(mesh));
            return Rate.of(s, r);
        }
    }

    /** Bits per second of an upload with the in-kernel path manager on both ends. */
    private Rate inKernelPathManager(TwoPathTestBed bed, ExecutorService pool)
            throws Exception {
        InterfaceCounters before1 = bed.counters(bed.link(1));
        InterfaceCounters before2 = bed.counters(bed.link(2));
        try (Connected c = Connected.open(bed, provider)) {
            assertTrue(c.client.getOption(MptcpSocketOptions.MPTCP_ENABLED));
            Future<Bulk.Sent> sent = pool.submit(() -> Bulk.send(c.client, BYTES, 33));
            Future<Bulk.Received> received = pool.submit(() -> Bulk.receive(c.server, BYTES));
            List<Subflow> two = Subflows.await(c.client, l -> l.size() == 2, DEADLINE,
                    "the in-kernel PM's second subflow", bed::describeMptcp);
            Bulk.Sent s = sent.get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
            Bulk.Received r = received.get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
            assertEquals(BYTES, r.bytes());
            assertEquals(s.sha256(), r.sha256());
            checkBothLinks(bed, before1, before2, "in-kernel PM " + Subflows.describe(two));
            return Rate.of(s, r);
        }
    }

    // ---- set-up and checks ----------------------------------------------------------------------

    /** The client namespace on the userspace path manager, the server's on the in-kernel one. */
    private static TwoPathTestBed aggregateBed() throws Exception {
        return TwoPathTestBed.start(PathManager.CLIENT_USERSPACE);
    }

    private static void limitBothLinks(TwoPathTestBed bed) {
        for (Link l : bed.links()) {
            for (NetNamespace ns : List.of(bed.client(), bed.server())) {
                ns.tc("qdisc", "replace", "dev", l.device(), "root", "tbf", "rate",
                        RATE_MBIT + "mbit", "burst", BURST, "latency", LATENCY);
            }
        }
    }

    /**
     * Sets {@code cc} in all four namespaces; false (and says so) if this kernel lacks it.
     */
    private static boolean useCongestionControl(String cc, TwoPathTestBed... beds) {
        for (TwoPathTestBed bed : beds) {
            for (NetNamespace ns : List.of(bed.client(), bed.server())) {
                Commands.Result r = Commands.attempt(ns.execCommand("sysctl", "-q", "-w",
                        "net.ipv4.tcp_congestion_control=" + cc));
                if (!r.succeeded() || !ns.sysctl("net.ipv4.tcp_congestion_control").equals(cc)) {
                    System.out.printf("[AggregateProfileIT] congestion control %s is not"
                            + " available here (%s); left out%n", cc, r.output().strip());
                    return false;
                }
            }
        }
        return true;
    }

    private Conn connectAggregate(TwoPathTestBed bed) throws Exception {
        ServerSocketChannel listener = bed.server().call(() -> provider
                .openServerSocketChannel(StandardProtocolFamily.INET)
                .bind(bed.serverBindAddress(0)));
        int port = ((InetSocketAddress) listener.getLocalAddress()).getPort();
        try {
            // Connected on the client namespace's thread: the first connection of a namespace
            // opens its path-manager subscription there.
            SocketChannel client = bed.client().call(() -> {
                SocketChannel ch = provider.openSocketChannel(StandardProtocolFamily.INET);
                ch.setOption(MptcpSocketOptions.PATH_PROFILE, PathProfile.AGGREGATE);
                ch.connect(bed.serverAddress(port));
                return ch;
            });
            assertEquals(PathProfile.AGGREGATE, client.getOption(MptcpSocketOptions.PATH_PROFILE));
            return new Conn(listener, client, listener.accept());
        } catch (Exception | Error e) {
            listener.close();
            throw e;
        }
    }

    /**
     * Waits for the mesh: a subflow from each client address to the server's address, all
     * established and none backup.
     */
    private static List<Subflow> awaitMesh(TwoPathTestBed bed, SocketChannel client)
            throws Exception {
        String server = bed.link(1).serverAddress().getHostAddress();
        Set<String> want = bed.links().stream()
                .map(l -> l.clientAddress().getHostAddress() + ">" + server)
                .collect(Collectors.toSet());
        List<Subflow> mesh = Subflows.await(client, l -> l.stream()
                .filter(s -> s.tcp().isEstablished())
                .map(s -> s.local().getAddress().getHostAddress() + ">"
                        + s.remote().getAddress().getHostAddress())
                .collect(Collectors.toSet()).equals(want) && l.size() == want.size(),
                DEADLINE, "the full mesh " + want, bed::describeMptcp);
        assertTrue(mesh.stream().noneMatch(s -> s.localBackup().orElse(false)),
                "no backup subflow: " + Subflows.describe(mesh));
        return mesh;
    }

    /** Both links' client-side tx counters carried at least a quarter of the bytes each. */
    private static void checkBothLinks(TwoPathTestBed bed, InterfaceCounters before1,
            InterfaceCounters before2, String what) {
        long on1 = bed.counters(bed.link(1)).since(before1).txBytes();
        long on2 = bed.counters(bed.link(2)).since(before2).txBytes();
        assertTrue(on1 > BYTES / 4 && on2 > BYTES / 4, what + ": link 1 sent " + on1
                + " B, link 2 sent " + on2 + " B of " + BYTES + " B");
    }

    private static void awaitBytes(AtomicLong counter, long bytes) throws InterruptedException {
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        while (counter.get() < bytes) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("only " + counter.get() + " of " + bytes
                        + " bytes arrived within " + DEADLINE);
            }
            Thread.sleep(5);
        }
    }

    /** "median M (min–max)" of {@code values}, two decimals for ratios, one for rates. */
    private static String summary(List<Double> values) {
        double[] v = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        double median = v.length % 2 == 1 ? v[v.length / 2]
                : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
        String f = v[v.length - 1] < 10 ? "%.3f" : "%.1f";
        return String.format("median " + f + " (" + f + "-" + f + ")", median, v[0],
                v[v.length - 1]);
    }

    private static long millis(long nanos) {
        return TimeUnit.NANOSECONDS.toMillis(nanos);
    }
}
