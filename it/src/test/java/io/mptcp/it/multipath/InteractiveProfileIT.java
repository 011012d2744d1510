package io.mptcp.it.multipath;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mptcp.it.support.NetNamespace;
import io.mptcp.it.support.Prerequisites;
import io.mptcp.it.support.Subflows;
import io.mptcp.it.support.TwoPathTestBed;
import io.mptcp.it.support.TwoPathTestBed.Link;
import io.mptcp.it.support.TwoPathTestBed.PathManager;
import io.mptcp.nio.MptcpSelectorProvider;
import io.mptcp.nio.MptcpSocketOptions;
import io.mptcp.nio.Subflow;
import io.mptcp.nio.pm.InteractivePolicy;
import io.mptcp.nio.pm.PathProfile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.spi.SelectorProvider;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The INTERACTIVE path profile on the two-path test bed (client namespace with the userspace
 * path manager). The client end of link 1 gets a deep {@code tbf} queue ({@value #RATE_MBIT}
 * Mbit/s, up to {@value #QUEUE_MS} ms), kept full by {@value #LOAD_FLOWS} competing plain TCP
 * flows over link 1 (one TCP flow alone does not fill it: TCP small queues keep a local
 * sender's bytes in the qdisc to about two packets). Small requests and responses
 * ({@value #MESSAGE} B each way, one at a time) are then timed on five connections:
 * <ol>
 *   <li>INTERACTIVE, connected over link 1: its initial subflow's RTT is the queue's, the
 *       backup it opens over link 2 is clearly faster, so it switches, then is measured;
 *   <li>plain TCP (the JDK's own channels, both ends) over link 2 alone: the better link
 *       alone, the target;
 *   <li>mptcp-nio's channel with MPTCP off, over link 2 alone: the library's own cost;
 *   <li>MPTCP (mptcp-nio, no profile) over link 2 alone: what MPTCP itself costs per
 *       exchange;
 *   <li>MPTCP without a profile over link 1: what INTERACTIVE saves.
 * </ol>
 * Asserted: every response is intact; INTERACTIVE's link-2 subflow ends active and its link-1
 * subflow backup; during its measurement {@code ss} shows the link-1 subflow carried almost
 * nothing while link 2's interface counter carried the requests. The medians are printed, not
 * asserted. System property {@value #RUNS_PROPERTY} (default 1) repeats the five cases.
 */
@Timeout(value = 600, unit = TimeUnit.SECONDS)
class InteractiveProfileIT {

    static final String RUNS_PROPERTY = "mptcp.it.interactive.runs";
    private static final int RATE_MBIT = 10;
    private static final int QUEUE_MS = 300;
    private static final int LOAD_FLOWS = 32;
    private static final int MESSAGE = 64;
    private static final int WARM_UP = 500;
    private static final int EXCHANGES = 3_000;
    /** Over the full queue each exchange takes its delay: a few give the median. */
    private static final int SLOW_EXCHANGES = 15;
    private static final Duration DEADLINE = Duration.ofSeconds(30);
    private static final Pattern SS_BYTES =
            Pattern.compile("bytes_(sent|received):(\\d+)");

    private final MptcpSelectorProvider provider = new MptcpSelectorProvider();
    private final SelectorProvider jdk = SelectorProvider.provider();

    @Test
    void interactiveMovesToTheLowerRttLinkAndMatchesIt() throws Exception {
        Prerequisites.requireTwoPathTestBed();
        int runs = Integer.getInteger(RUNS_PROPERTY, 1);
        if (runs < 1 || runs > 20) {
            throw new IllegalArgumentException("-D" + RUNS_PROPERTY + "=" + runs
                    + ": give 1..20 (the test's timeout is sized for 20)");
        }
        ExecutorService pool = Executors.newCachedThreadPool();
        // The load's sink adds its accepted sockets from a pool thread.
        List<AutoCloseable> open = new CopyOnWriteArrayList<>();
        try (TwoPathTestBed bed = TwoPathTestBed.start(PathManager.CLIENT_USERSPACE)) {
            Link one = bed.link(1);
            Link two = bed.link(2);
            bed.client().tc("qdisc", "replace", "dev", one.device(), "root", "tbf", "rate",
                    RATE_MBIT + "mbit", "burst", "32kb", "latency", QUEUE_MS + "ms");
            ServerSocketChannel mptcpListener = bed.server().call(() -> provider
                    .openServerSocketChannel(StandardProtocolFamily.INET)
                    .bind(bed.serverBindAddress(0)));
            open.add(mptcpListener);
            ServerSocketChannel tcpListener = bed.server().call(() -> jdk
                    .openServerSocketChannel().bind(bed.serverBindAddress(0)));
            open.add(tcpListener);
            pool.submit(() -> serve(mptcpListener, pool));
            pool.submit(() -> serve(tcpListener, pool));
            String backlog = startLoad(bed, one, pool, open);

            Map<String, List<Long>> p50s = new LinkedHashMap<>();
            for (int run = 1; run <= runs; run++) {
                Map<String, long[]> r = new LinkedHashMap<>();
                // The baselines first: whatever the JIT and the caches gain over a run goes to
                // them, not to INTERACTIVE.
                long[] tcp = timed(connect(bed, jdk, two, port(tcpListener), null, true),
                        EXCHANGES);
                long[] nioTcp = timed(connect(bed, provider, two, port(tcpListener), null,
                        false), EXCHANGES);
                long[] mptcp = timed(connect(bed, provider, two, port(mptcpListener), null,
                        true), EXCHANGES);
                long[] steered = interactive(bed, one, two, mptcpListener);
                long[] slow = timed(connect(bed, provider, one, port(mptcpListener), null,
                        true), SLOW_EXCHANGES);
                r.put("INTERACTIVE (from link 1)", steered);
                r.put("TCP over link 2", tcp);
                r.put("mptcp-nio TCP over link 2", nioTcp);
                r.put("MPTCP over link 2", mptcp);
                r.put("no profile (link 1)", slow);
                StringBuilder line = new StringBuilder("[InteractiveProfileIT] run " + run
                        + ":");
                r.forEach((k, v) -> {
                    p50s.computeIfAbsent(k, x -> new ArrayList<>()).add(v[v.length / 2]);
                    line.append(String.format(" %s p50 %d us p90 %d us;", k,
                            micros(v[v.length / 2]), micros(v[v.length * 9 / 10])));
                });
                System.out.println(line);
            }
            StringBuilder summary = new StringBuilder(String.format(
                    "[InteractiveProfileIT] link 1: tbf %d Mbit/s, %d ms queue, %d TCP load"
                            + " flows (qdisc %s); %d runs, %d exchanges of %d B each way"
                            + " (%d over link 1 without a profile); p50 median [range]:",
                    RATE_MBIT, QUEUE_MS, LOAD_FLOWS, backlog, runs, EXCHANGES, MESSAGE,
                    SLOW_EXCHANGES));
            p50s.forEach((k, v) -> {
                long[] s = v.stream().mapToLong(Long::longValue).sorted().toArray();
                summary.append(String.format(" %s %d us [%d..%d];", k, micros(s[s.length / 2]),
                        micros(s[0]), micros(s[s.length - 1])));
            });
            // Ratios within each run first: this machine's noise moves all cases of a run
            // together more than it moves one run against another.
            summary.append(" per-run ratio, median [range]:");
            ratio(summary, p50s, "INTERACTIVE (from link 1)", "TCP over link 2");
            ratio(summary, p50s, "MPTCP over link 2", "TCP over link 2");
            ratio(summary, p50s, "mptcp-nio TCP over link 2", "TCP over link 2");
            ratio(summary, p50s, "INTERACTIVE (from link 1)", "MPTCP over link 2");
            System.out.println(summary);
        } finally {
            for (AutoCloseable c : open) {
                try {
                    c.close();
                } catch (Exception e) {
                    // Closing only stops the load and the servers; the bed goes anyway.
                }
            }
            pool.shutdownNow();
        }
    }

    /**
     * A backup's RTT goes stale: after {@link InteractivePolicy#DEFAULT_STALE_AFTER} without
     * acknowledged data on the link-1 backup, while link 2 carries exchanges, the policy lets
     * link 1 carry data for a short trial. {@code ss} must see the link-1 subflow send again,
     * not before that time; link 1 being still slow, link 2 must stay active afterwards.
     */
    @Test
    void aStaleBackupIsRemeasuredByATrial() throws Exception {
        Prerequisites.requireTwoPathTestBed();
        ExecutorService pool = Executors.newCachedThreadPool();
        List<AutoCloseable> open = new CopyOnWriteArrayList<>();
        try (TwoPathTestBed bed = TwoPathTestBed.start(PathManager.CLIENT_USERSPACE)) {
            Link one = bed.link(1);
            Link two = bed.link(2);
            bed.client().tc("qdisc", "replace", "dev", one.device(), "root", "tbf", "rate",
                    RATE_MBIT + "mbit", "burst", "32kb", "latency", QUEUE_MS + "ms");
            ServerSocketChannel listener = bed.server().call(() -> provider
                    .openServerSocketChannel(StandardProtocolFamily.INET)
                    .bind(bed.serverBindAddress(0)));
            open.add(listener);
            pool.submit(() -> serve(listener, pool));
            startLoad(bed, one, pool, open);
            try (SocketChannel c = connect(bed, provider, null, port(listener),
                    PathProfile.INTERACTIVE, true)) {
                exchanges(c, 1, new SplittableRandom(6));
                long lastOnOne = System.nanoTime();
                List<Subflow> switched = awaitSwitch(bed, c, one, two);
                Subflow onOne = on(switched, one);
                long[] idle = ssBytes(bed.client(), onOne);
                long stale = InteractivePolicy.DEFAULT_STALE_AFTER.toNanos();
                long deadline = lastOnOne + stale + DEADLINE.toNanos();
                long trialAt = -1;
                long slowest = 0;
                SplittableRandom random = new SplittableRandom(7);
                while (trialAt < 0 && System.nanoTime() - deadline < 0) {
                    for (int i = 0; i < 50; i++) {
                        slowest = Math.max(slowest, exchanges(c, 1, random)[0]);
                        Thread.sleep(2);
                    }
                    if (ssBytes(bed.client(), onOne)[0] > idle[0]) {
                        trialAt = System.nanoTime();
                    }
                }
                assertTrue(trialAt > 0, "no data on the link-1 subflow within "
                        + TimeUnit.NANOSECONDS.toSeconds(deadline - lastOnOne)
                        + " s of its last use: no trial");
                long staleFor = trialAt - lastOnOne;
                assertTrue(staleFor >= stale, "link 1 carried data again after "
                        + millis(staleFor) + " ms, before its RTT was stale ("
                        + InteractivePolicy.DEFAULT_STALE_AFTER + ")");
                // The trial ends within its 300 ms; then the fresh, still slow value stands.
                long end = System.nanoTime() + Duration.ofSeconds(2).toNanos();
                while (System.nanoTime() - end < 0) {
                    slowest = Math.max(slowest, exchanges(c, 1, random)[0]);
                    Thread.sleep(2);
                }
                List<Subflow> after = subflows(bed, c);
                assertTrue(backup(after, two, false) && backup(after, one, true),
                        "link 2 active and link 1 backup after the trial: " + flags(after));
                System.out.printf("[InteractiveProfileIT] trial: link 1 carried data again %d"
                                + " ms after its last use; its RTT %d us before, %d us after;"
                                + " slowest exchange meanwhile %d ms; %s%n", millis(staleFor),
                        onOne.tcp().rttMicros(), on(after, one).tcp().rttMicros(),
                        millis(slowest), flags(after));
            }
        } finally {
            for (AutoCloseable c : open) {
                try {
                    c.close();
                } catch (Exception e) {
                    // Closing only stops the load and the server; the bed goes anyway.
                }
            }
            pool.shutdownNow();
        }
    }

    /**
     * The INTERACTIVE case: connects over link 1, waits for the switch, then measures and
     * checks what carried the exchanges.
     */
    private long[] interactive(TwoPathTestBed bed, Link one, Link two,
            ServerSocketChannel listener) throws Exception {
        long connectedAt = System.nanoTime();
        try (SocketChannel c = connect(bed, provider, null, port(listener),
                PathProfile.INTERACTIVE, true)) {
            assertEquals(PathProfile.INTERACTIVE, c.getOption(MptcpSocketOptions.PATH_PROFILE));
            assertTrue(c.getOption(MptcpSocketOptions.MPTCP_ENABLED), "MPTCP in use");
            // The first exchange makes MPTCP fully established, which the policy's subflow
            // over link 2 waits for.
            exchanges(c, 1, new SplittableRandom(1));
            List<Subflow> switched = awaitSwitch(bed, c, one, two);
            long switchMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - connectedAt);
            Subflow onOne = on(switched, one);
            exchanges(c, WARM_UP, new SplittableRandom(2));
            long[] ssBefore = ssBytes(bed.client(), onOne);
            NetNamespace.InterfaceCounters twoBefore = bed.counters(two);
            long[] times = exchanges(c, EXCHANGES, new SplittableRandom(3));
            NetNamespace.InterfaceCounters twoDuring = bed.counters(two).since(twoBefore);
            long[] ssAfter = ssBytes(bed.client(), onOne);
            List<Subflow> after = subflows(bed, c);

            long payload = (long) EXCHANGES * MESSAGE;
            long oneSent = ssAfter[0] - ssBefore[0];
            long oneReceived = ssAfter[1] - ssBefore[1];
            assertTrue(backup(after, two, false) && backup(after, one, true),
                    "the link-2 subflow active and the link-1 one backup at the end: "
                            + flags(after));
            assertTrue(oneSent + oneReceived <= payload / 100, "the link-1 subflow carried "
                    + oneSent + " B out, " + oneReceived + " B in during " + payload
                    + " B each way (ss)");
            assertTrue(twoDuring.txBytes() >= payload && twoDuring.rxBytes() >= payload,
                    "link 2 carried " + twoDuring + " for " + payload + " B each way");
            System.out.printf("[InteractiveProfileIT] INTERACTIVE switched to link 2 %d ms"
                            + " after connect (%s); during the measurement the link-1 subflow"
                            + " sent %d B, received %d B (ss); link 2 %s%n", switchMillis,
                    flags(switched), oneSent, oneReceived, twoDuring);
            return times;
        }
    }

    /**
     * Connects in the client namespace; {@code over} null: the default route (link 1);
     * {@code mptcp} false: mptcp-nio's channel asked for plain TCP (its own cost without
     * MPTCP's).
     */
    private SocketChannel connect(TwoPathTestBed bed, SelectorProvider p, Link over, int port,
            PathProfile profile, boolean mptcp) throws Exception {
        return bed.client().call(() -> {
            SocketChannel c = p.openSocketChannel(StandardProtocolFamily.INET);
            try {
                if (!mptcp) {
                    c.setOption(MptcpSocketOptions.MPTCP_ENABLED, false);
                }
                if (profile != null) {
                    c.setOption(MptcpSocketOptions.PATH_PROFILE, profile);
                }
                c.setOption(StandardSocketOptions.TCP_NODELAY, true);
                InetAddress to = bed.link(1).serverAddress();
                if (over != null) {
                    c.bind(new InetSocketAddress(over.clientAddress(), 0));
                    to = over.serverAddress();
                }
                c.connect(new InetSocketAddress(to, port));
                return c;
            } catch (IOException | RuntimeException e) {
                c.close();
                throw e;
            }
        });
    }

    private long[] timed(SocketChannel c, int count) throws IOException {
        try (c) {
            exchanges(c, count == SLOW_EXCHANGES ? 2 : WARM_UP, new SplittableRandom(4));
            return exchanges(c, count, new SplittableRandom(5));
        }
    }

    /**
     * {@code count} request/response exchanges; each response must be the request with every
     * byte inverted. {@return the round-trip times in ns} sorted.
     */
    private static long[] exchanges(SocketChannel c, int count, SplittableRandom random)
            throws IOException {
        ByteBuffer request = ByteBuffer.allocateDirect(MESSAGE);
        ByteBuffer response = ByteBuffer.allocateDirect(MESSAGE);
        byte[] sent = new byte[MESSAGE];
        long[] times = new long[count];
        for (int i = 0; i < count; i++) {
            random.nextBytes(sent);
            request.clear();
            request.put(sent).flip();
            response.clear();
            long t0 = System.nanoTime();
            while (request.hasRemaining()) {
                c.write(request);
            }
            while (response.hasRemaining()) {
                if (c.read(response) < 0) {
                    throw new IOException("the server closed after " + i + " of " + count
                            + " exchanges");
                }
            }
            times[i] = System.nanoTime() - t0;
            for (int j = 0; j < MESSAGE; j++) {
                if (response.get(j) != (byte) ~sent[j]) {
                    throw new AssertionError("exchange " + i + ": response byte " + j + " is "
                            + response.get(j) + ", expected " + (byte) ~sent[j]);
                }
            }
        }
        Arrays.sort(times);
        return times;
    }

    /** Accepts until closed; each connection answers every request with its bytes inverted. */
    private static Void serve(ServerSocketChannel listener, ExecutorService pool) {
        while (listener.isOpen()) {
            SocketChannel s;
            try {
                s = listener.accept();
            } catch (IOException e) {
                return null;
            }
            pool.submit((Callable<Void>) () -> {
                try (s) {
                    s.setOption(StandardSocketOptions.TCP_NODELAY, true);
                    ByteBuffer b = ByteBuffer.allocateDirect(MESSAGE);
                    while (true) {
                        b.clear();
                        while (b.hasRemaining()) {
                            if (s.read(b) < 0) {
                                return null;
                            }
                        }
                        for (int j = 0; j < MESSAGE; j++) {
                            b.put(j, (byte) ~b.get(j));
                        }
                        b.flip();
                        while (b.hasRemaining()) {
                            s.write(b);
                        }
                    }
                }
            });
        }
        return null;
    }

    /**
     * {@value #LOAD_FLOWS} plain TCP flows (the JDK's {@code java.net.Socket}) from the
     * client's link-1 address to a sink on the server, sending without pause until closed.
     * {@return the qdisc line of link 1 once its backlog is deep} (tc is the observer).
     */
    private static String startLoad(TwoPathTestBed bed, Link one, ExecutorService pool,
            List<AutoCloseable> open) throws Exception {
        ServerSocket sink = bed.server().call(() -> new ServerSocket(0, 64,
                one.serverAddress()));
        open.add(sink);
        pool.submit(() -> {
            while (!sink.isClosed()) {
                Socket s;
                try {
                    s = sink.accept();
                } catch (IOException e) {
                    return null;
                }
                open.add(s);
                pool.submit(() -> {
                    byte[] buf = new byte[64 << 10];
                    try (InputStream in = s.getInputStream()) {
                        while (in.read(buf) >= 0) {
                            // discarded: only the queue it builds matters
                        }
                    }
                    return null;
                });
            }
            return null;
        });
        for (int i = 0; i < LOAD_FLOWS; i++) {
            Socket s = bed.client().call(() -> {
                Socket x = new Socket();
                x.bind(new InetSocketAddress(one.clientAddress(), 0));
                x.connect(new InetSocketAddress(one.serverAddress(), sink.getLocalPort()));
                return x;
            });
            open.add(s);
            pool.submit(() -> {
                byte[] buf = new byte[64 << 10];
                try (OutputStream out = s.getOutputStream()) {
                    while (true) {
                        out.write(buf);
                    }
                } catch (IOException e) {
                    return null; // closed at the end
                }
            });
        }
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        Pattern backlog = Pattern.compile("backlog (\\d+)b");
        while (true) {
            String q = bed.client().tc("-s", "qdisc", "show", "dev", one.device());
            Matcher m = backlog.matcher(q);
            // Half the queue's bytes: rate x delay / 2.
            if (m.find() && Long.parseLong(m.group(1)) >= RATE_MBIT * 125L * QUEUE_MS / 2) {
                return q.replaceAll("\\s+", " ").strip();
            }
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("link 1's queue did not fill within " + DEADLINE
                        + ": " + q);
            }
            Thread.sleep(100);
        }
    }

    /** {@code ss}'s bytes_sent and bytes_received of one subflow (the kernel's TCP socket). */
    private static long[] ssBytes(NetNamespace ns, Subflow s) {
        String out = ns.exec("ss", "-tinH", "src", s.local().getAddress().getHostAddress()
                + ":" + s.local().getPort(), "dst", s.remote().getAddress().getHostAddress()
                + ":" + s.remote().getPort());
        long[] r = new long[2];
        Matcher m = SS_BYTES.matcher(out);
        int found = 0;
        while (m.find()) {
            r[m.group(1).equals("sent") ? 0 : 1] = Long.parseLong(m.group(2));
            found++;
        }
        if (found == 0 && !out.isBlank()) {
            throw new AssertionError("no byte counters in ss's line for " + s + ": " + out);
        }
        // No line: the subflow carried nothing at all (ss omits zero counters, not sockets).
        assertTrue(!out.isBlank(), "ss does not list the subflow " + s);
        return r;
    }

    /**
     * The subflow list as read in the client namespace: the backup flags come from the
     * socket diagnostics of the namespace the reading thread is in.
     */
    private static List<Subflow> subflows(TwoPathTestBed bed, SocketChannel c) throws Exception {
        return bed.client().call(() -> Subflows.of(c));
    }

    private static List<Subflow> awaitSwitch(TwoPathTestBed bed, SocketChannel c, Link one,
            Link two) throws Exception {
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        while (true) {
            List<Subflow> now = subflows(bed, c);
            if (backup(now, one, true) && backup(now, two, false)) {
                return now;
            }
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("no switch of INTERACTIVE to link 2 within " + DEADLINE
                        + "; subflows now: " + flags(now) + "\n" + bed.describeMptcp());
            }
            Thread.sleep(20);
        }
    }

    private static Subflow on(List<Subflow> subflows, Link link) {
        return subflows.stream()
                .filter(s -> s.local().getAddress().equals(link.clientAddress()))
                .findFirst().orElseThrow(() -> new AssertionError("no subflow on " + link
                        + ": " + Subflows.describe(subflows)));
    }

    private static boolean backup(List<Subflow> subflows, Link link, boolean backup) {
        return subflows.stream().anyMatch(s -> s.local().getAddress()
                .equals(link.clientAddress()) && s.tcp().isEstablished()
                && s.localBackup().orElse(!backup) == backup);
    }

    private static String flags(List<Subflow> subflows) {
        StringBuilder b = new StringBuilder();
        for (Subflow s : subflows) {
            b.append(s.local()).append(" rtt ").append(s.tcp().rttMicros()).append(" us backup=")
                    .append(s.localBackup().map(String::valueOf).orElse("?")).append("; ");
        }
        return b.toString().strip();
    }

    private static int port(ServerSocketChannel listener) throws IOException {
        return ((InetSocketAddress) listener.getLocalAddress()).getPort();
    }

    private static void ratio(StringBuilder out, Map<String, List<Long>> p50s, String of,
            String to) {
        List<Long> a = p50s.get(of);
        List<Long> b = p50s.get(to);
        double[] r = new double[a.size()];
        for (int i = 0; i < r.length; i++) {
            r[i] = (double) a.get(i) / b.get(i);
        }
        Arrays.sort(r);
        out.append(String.format(" %s / %s %.2f [%.2f..%.2f];", of, to, r[r.length / 2], r[0],
                r[r.length - 1]));
    }

    private static long millis(long nanos) {
        return TimeUnit.NANOSECONDS.toMillis(nanos);
    }

    private static long micros(long nanos) {
        return TimeUnit.NANOSECONDS.toMicros(nanos);
    }
}
