package io.mptcp.it.bench;

import io.mptcp.it.support.Bulk;
import io.mptcp.it.support.NetNamespace;
import io.mptcp.it.support.Subflows;
import io.mptcp.it.support.TwoPathTestBed;
import io.mptcp.it.support.TwoPathTestBed.Link;
import io.mptcp.it.support.TwoPathTestBed.PathManager;
import io.mptcp.nio.MptcpSelectorProvider;
import io.mptcp.nio.MptcpSocketOptions;
import io.mptcp.nio.Subflow;
import io.mptcp.nio.pm.PathProfile;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code two-path} suite of the benchmark (root only): the path profiles of issue 12 on
 * the {@link TwoPathTestBed}, each next to the in-kernel path manager measured in the same run,
 * mptcp-nio on both ends. Every run builds a fresh test bed per side (the path-manager type of
 * a namespace is fixed for the sockets made in it), and the order of the sides rotates from
 * run to run so that drift on a shared machine hits every side alike.
 *
 * <ul>
 *   <li><b>handover</b>: both links at {@value #RATE_MBIT} Mbit/s (tbf), a transfer in both
 *       directions; once a quarter has arrived at the server, link 1 (the initial, active
 *       path) goes down at both ends. The namespaces keep their default
 *       {@code tcp_retries2}. Sides: {@code PATH_PROFILE} HANDOVER on the client (test bed
 *       {@code --handover-bed}, CLIENT_USERSPACE by default) and the in-kernel PM (SIGNAL). The
 *       longest stall in either direction, the bytes lost (length and SHA-256), and when the
 *       dead subflow left each end's {@code MPTCP_SUBFLOWS} (polled every
 *       {@value #POLL_MILLIS} ms; infinity: still listed {@value #GONE_GRACE_MILLIS} ms after
 *       the transfer ended). Link 2's client-side TX counter after the failure, against what
 *       was left to send, shows where the rest went.</li>
 *   <li><b>aggregate</b>: both links at {@value #RATE_MBIT} Mbit/s; plain TCP over link 1, the
 *       in-kernel PM, and {@code PATH_PROFILE} AGGREGATE; each rate is the payload over the
 *       time from the sender's first write to the receiver's last byte, and each MPTCP rate is
 *       divided by the same run's one-link rate. The client-side TX counters give each link's
 *       share.</li>
 *   <li><b>interactive</b>: both links at {@value #INTERACTIVE_MBIT} Mbit/s, link 1 with a deep
 *       tbf queue ({@value #DEEP_QUEUE_MS} ms) kept full by two plain Reno TCP transfers over
 *       link 1, one each way. A {@value #MESSAGE}-byte request and response, one at a time,
 *       for the measured time after a warm-up; p50 and p99 of the round trip. Sides:
 *       plain TCP over link 2 alone (the better link), the in-kernel PM, and
 *       {@code PATH_PROFILE} INTERACTIVE. Link 2's client-side TX bytes per round trip show
 *       which link the requests took.</li>
 * </ul>
 *
 * <p>A WARNING of logger {@code io.mptcp.nio.pm.PathProfile} during a profile side (the
 * profile did not start) fails the case with that warning. Targets are reported against, never
 * enforced: the verdict is for the profile side, the in-kernel PM and the single-link sides are
 * baselines.
 */
public final class TwoPathBench {

    /** The cases, in the order they run. */
    public static final List<String> CASES = List.of("handover", "aggregate", "interactive");

    static final int RATE_MBIT = 50;
    static final int INTERACTIVE_MBIT = 20;
    static final int DEEP_QUEUE_MS = 500;
    static final int MESSAGE = 64;
    static final long POLL_MILLIS = 5;
    static final long GONE_GRACE_MILLIS = 1000;
    private static final Duration DEADLINE = Duration.ofSeconds(90);
    private static final Duration JOIN_DEADLINE = Duration.ofSeconds(10);
    private static final String PROFILE_LOGGER = "io.mptcp.nio.pm.PathProfile";
    private static final int LOAD_CHUNK = 64 * 1024;
    // "rtt:85.21/3.1" in ss -i output: smoothed RTT / variance, in ms.
    private static final Pattern SS_RTT = Pattern.compile("\\brtt:([0-9.]+)/");

    /**
     * What to run.
     *
     * @param runs runs per case, each measuring every side once
     * @param smoke tiny sizes, for checking that everything runs; figures mean nothing
     * @param seconds the aggregate case's single-link transfer and the interactive case's
     *     measured time
     * @param handoverBed the {@link PathManager} name of the handover profile side's test bed
     * @param profileBed the {@link PathManager} name of the aggregate and interactive profile
     *     sides' test bed
     * @param serverProfile the {@link PathProfile} name set on the server's listener on the
     *     profile sides; null for none
     */
    public record Options(int runs, boolean smoke, double seconds, String handoverBed,
            String profileBed, String serverProfile) {
        /** Checks the numbers; the names are checked when a case starts. */
        public Options {
            if (runs < 1) {
                throw new IllegalArgumentException("--runs " + runs + ": at least 1");
            }
            if (!(seconds > 0)) {
                throw new IllegalArgumentException("--seconds " + seconds + ": more than 0");
            }
        }

        /** The defaults: 5 runs, 5 s, CLIENT_USERSPACE, no server profile. */
        public static Options defaults() {
            return new Options(5, false, 5, "CLIENT_USERSPACE", "CLIENT_USERSPACE", null);
        }
    }

    /** Whether a summary row is judged against the target, and how. */
    public enum Judge {
        /** The profile's figure: judged by its median. */
        MEDIAN,
        /** The profile's figure: every run must meet the target. */
        EVERY_RUN,
        /** A baseline or an explanatory figure: printed, not judged. */
        REPORTED
    }

    /**
     * One summary row: a figure of one side over all runs.
     *
     * @param caseName handover, aggregate or interactive
     * @param side who was measured (HANDOVER, in-kernel PM, one link …)
     * @param figure what, with its unit
     * @param key the figure's short name, as in the {@code TWO-PATH-RUN} lines
     * @param values one per run, in run order
     * @param judge how the target applies
     * @param higherIsBetter direction of the target
     * @param target the bound (NaN when {@link Judge#REPORTED})
     */
    public record Row(String caseName, String side, String figure, String key,
            List<Double> values,
            Judge judge, boolean higherIsBetter, double target) {

        /** The median of {@link #values()} (the mean of the two middle ones for an even count). */
        public double median() {
            List<Double> s = sorted();
            int n = s.size();
            return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
        }

        public double min() {
            return sorted().get(0);
        }

        public double max() {
            return sorted().get(values.size() - 1);
        }

        /** "&lt;= 100.0", "every run &lt;= 0.0", or "reported". */
        public String targetText() {
            if (judge == Judge.REPORTED) {
                return "reported";
            }
            return (judge == Judge.EVERY_RUN ? "every run " : "") + (higherIsBetter ? ">= " : "<= ")
                    + fmt(target);
        }

        /** "met", "MISSED", or empty for a reported figure. */
        public String verdict(boolean smoke) {
            if (judge == Judge.REPORTED) {
                return "";
            }
            if (smoke) {
                return "n/a (smoke)";
            }
            double judged = judge == Judge.MEDIAN ? median() : higherIsBetter ? min() : max();
            return (higherIsBetter ? judged >= target : judged <= target) ? "met" : "MISSED";
        }

        private List<Double> sorted() {
            return values.stream().sorted().toList();
        }
    }

    /** A case that could not run or whose run failed; the message is one line. */
    public static final class CaseFailed extends Exception {
        private static final long serialVersionUID = 1L;

        // A bad option: the message says it all, no stack trace.
        final boolean setUp;

        CaseFailed(String message, Throwable cause, boolean setUp) {
            super(message, cause);
            this.setUp = setUp;
        }

        CaseFailed(String message, Throwable cause) {
            this(message, cause, false);
        }
    }

    /** What {@link #run} gives back: the rows of the cases that ran, and the failures. */
    public record Outcome(List<Row> rows, Map<String, String> failures) {
    }

    private final MptcpSelectorProvider provider = new MptcpSelectorProvider();
    private final ExecutorService pool = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "two-path-bench");
        t.setDaemon(true);
        return t;
    });
    private final Options options;

    private TwoPathBench(Options options) {
        this.options = options;
    }

    /**
     * Runs {@code cases} (names from {@link #CASES}) in order, printing every run, a summary per
     * case, a Markdown table and one {@code TWO-PATH} line per row; a failing case is reported
     * on one line and the next case runs.
     */
    public static Outcome run(List<String> cases, Options options) {
        for (String c : cases) {
            if (!CASES.contains(c)) {
                throw new IllegalArgumentException("two-path case '" + c + "': the cases are "
                        + String.join(", ", CASES));
            }
        }
        TwoPathBench bench = new TwoPathBench(options);
        List<Row> rows = new ArrayList<>();
        Map<String, String> failures = new LinkedHashMap<>();
        try {
            for (String c : cases) {
                try {
                    List<Row> got = switch (c) {
                        case "handover" -> bench.handover();
                        case "aggregate" -> bench.aggregate();
                        default -> bench.interactive();
                    };
                    bench.printCase(got);
                    rows.addAll(got);
                } catch (CaseFailed e) {
                    failures.put(c, e.getMessage());
                    System.out.println("[two-path] " + c + ": FAILED: " + e.getMessage());
                    if (e.getCause() != null && !e.setUp) {
                        e.getCause().printStackTrace(System.out);
                    }
                    System.out.println();
                }
            }
        } finally {
            bench.pool.shutdownNow();
        }
        printTable(rows, options.smoke());
        return new Outcome(rows, failures);
    }

    // ---- handover -------------------------------------------------------------------------

    private List<Row> handover() throws CaseFailed {
        PathProfile profile = PathProfile.HANDOVER;
        PathManager profileBed = pathManager(options.handoverBed(), "--handover-bed");
        PathProfile serverProfile = serverProfile();
        long bytes = options.smoke() ? 4L << 20 : 40L << 20;
        String profileSide = sideName(profile, profileBed, serverProfile);
        String kernelSide = "in-kernel PM (SIGNAL)";
        System.out.printf(Locale.ROOT, "[two-path] handover: %d MiB each way over 2 x %d Mbit/s"
                        + " (tbf); link 1, the active path, down at both ends after a quarter"
                        + " arrived; %s against %s; %d run(s), order alternating%n",
                bytes >> 20, RATE_MBIT, profileSide, kernelSide, options.runs());
        Map<String, List<Map<String, Double>>> bySide = new LinkedHashMap<>();
        bySide.put(profileSide, new ArrayList<>());
        bySide.put(kernelSide, new ArrayList<>());
        for (int i = 1; i <= options.runs(); i++) {
            boolean profileFirst = i % 2 == 1;
            for (int k = 0; k < 2; k++) {
                boolean useProfile = (k == 0) == profileFirst;
                String side = useProfile ? profileSide : kernelSide;
                Map<String, Double> r = attempt(side, () -> handoverRun(
                        useProfile ? profileBed : PathManager.SIGNAL,
                        useProfile ? profile : null, useProfile ? serverProfile : null, bytes));
                bySide.get(side).add(r);
                printRun("handover", i, side, r);
            }
        }
        List<Row> rows = new ArrayList<>();
        for (var e : bySide.entrySet()) {
            boolean judged = e.getKey().equals(profileSide);
            rows.add(row("handover", e.getKey(), "longest stall after link down, ms",
                    e.getValue(), "stall_ms", judged ? Judge.MEDIAN : Judge.REPORTED, false, 100));
            rows.add(row("handover", e.getKey(), "longest stall client->server, ms",
                    e.getValue(), "stall_c2s_ms", Judge.REPORTED, false, Double.NaN));
            rows.add(row("handover", e.getKey(), "longest stall server->client, ms",
                    e.getValue(), "stall_s2c_ms", Judge.REPORTED, false, Double.NaN));
            rows.add(row("handover", e.getKey(), "bytes lost", e.getValue(), "lost_bytes",
                    judged ? Judge.EVERY_RUN : Judge.REPORTED, false, 0));
            rows.add(row("handover", e.getKey(), "dead subflow gone from client's list, ms",
                    e.getValue(), "client_gone_ms", judged ? Judge.MEDIAN : Judge.REPORTED,
                    false, 100));
            rows.add(row("handover", e.getKey(), "dead subflow gone from server's list, ms",
                    e.getValue(), "server_gone_ms", Judge.REPORTED, false, Double.NaN));
            rows.add(row("handover", e.getKey(), "link 2 TX after failure / bytes left",
                    e.getValue(), "link2_share", Judge.REPORTED, false, Double.NaN));
            rows.add(row("handover", e.getKey(), "transfer ended after link down, ms",
                    e.getValue(), "end_ms", Judge.REPORTED, false, Double.NaN));
        }
        return rows;
    }

    private Map<String, Double> handoverRun(PathManager pm, PathProfile profile,
            PathProfile serverProfile, long bytes) throws Exception {
        try (TwoPathTestBed bed = TwoPathTestBed.start(pm)) {
            bed.links().forEach(l -> bed.limitRate(l, RATE_MBIT));
            Link one = bed.link(1);
            Link two = bed.link(2);
            double retries = Double.parseDouble(bed.client().sysctl("net.ipv4.tcp_retries2"));
            try (Conn c = connect(bed, profile, serverProfile, null, null)) {
                AtomicLong serverGot = new AtomicLong();
                Future<Bulk.Sent> up = pool.submit(() -> Bulk.send(c.client, bytes, 31));
                Future<Bulk.Sent> down = pool.submit(() -> Bulk.send(c.server, bytes, 32));
                Future<Bulk.Received> atServer =
                        pool.submit(() -> Bulk.receive(c.server, bytes, serverGot));
                Future<Bulk.Received> atClient = pool.submit(() -> Bulk.receive(c.client, bytes));
                // Both paths before the failure: HANDOVER's backup, or the in-kernel PM's join.
                // Awaited once data flows: either comes after the connection's ESTABLISHED
                // event, which the client sees only once data has been acknowledged.
                Subflows.await(c.client, l -> l.size() == 2 && Subflows.usesLocal(l,
                        two.clientAddress()), JOIN_DEADLINE, "the link-2 subflow",
                        bed::describeMptcp);
                awaitBytes(serverGot, bytes / 4);
                long leftToSend = bytes - serverGot.get();
                NetNamespace.InterfaceCounters link2Before = bed.counters(two);
                AtomicBoolean transferDone = new AtomicBoolean();
                long failedAt = System.nanoTime();
                bed.setLinkUp(one, false);
                // The dead subflow is the one from the client's link-1 address, at both ends:
                // at the server its local address may be link 1's even for a subflow over link
                // 2 (HANDOVER's backup joins the server's first address).
                Future<Long> clientGone = pool.submit(() -> goneAfter(c.client,
                        sf -> sf.local().getAddress().equals(one.clientAddress()), failedAt,
                        transferDone));
                Future<Long> serverGone = pool.submit(() -> goneAfter(c.server,
                        sf -> sf.remote().getAddress().equals(one.clientAddress()), failedAt,
                        transferDone));
                Bulk.Received s = atServer.get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
                Bulk.Received r = atClient.get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
                transferDone.set(true);
                NetNamespace.InterfaceCounters link2 = bed.counters(two).since(link2Before);
                long lost = (bytes - s.bytes()) + (bytes - r.bytes());
                if (lost == 0 && (!up.get().sha256().equals(s.sha256())
                        || !down.get().sha256().equals(r.sha256()))) {
                    throw new IOException("every byte arrived, but some differ from those"
                            + " sent (SHA-256)");
                }
                Map<String, Double> m = new LinkedHashMap<>();
                double c2s = s.longestGapAfterNanos(failedAt) / 1e6;
                double s2c = r.longestGapAfterNanos(failedAt) / 1e6;
                m.put("stall_ms", Math.max(c2s, s2c));
                m.put("stall_c2s_ms", c2s);
                m.put("stall_s2c_ms", s2c);
                m.put("lost_bytes", (double) lost);
                m.put("client_gone_ms", millisOrInfinity(clientGone.get(DEADLINE.toSeconds(),
                        TimeUnit.SECONDS)));
                m.put("server_gone_ms", millisOrInfinity(serverGone.get(DEADLINE.toSeconds(),
                        TimeUnit.SECONDS)));
                m.put("link2_share", link2.txBytes() / (double) leftToSend);
                m.put("end_ms", (Math.max(s.endNanos(), r.endNanos()) - failedAt) / 1e6);
                m.put("tcp_retries2", retries);
                return m;
            }
        }
    }

    /**
     * Polls {@code ch}'s subflows until none has local address {@code dead}; the nanoseconds
     * from {@code since}, or -1 if it was still listed {@value #GONE_GRACE_MILLIS} ms after
     * {@code done} was set.
     */
    private static long goneAfter(SocketChannel ch, Predicate<Subflow> dead, long since,
            AtomicBoolean done) throws IOException, InterruptedException {
        long doneAt = 0;
        while (true) {
            long now = System.nanoTime();
            if (Subflows.of(ch).stream().noneMatch(dead)) {
                return now - since;
            }
            if (done.get()) {
                if (doneAt == 0) {
                    doneAt = now;
                } else if (now - doneAt > TimeUnit.MILLISECONDS.toNanos(GONE_GRACE_MILLIS)) {
                    return -1;
                }
            }
            Thread.sleep(POLL_MILLIS);
        }
    }

    private static double millisOrInfinity(long nanos) {
        return nanos < 0 ? Double.POSITIVE_INFINITY : nanos / 1e6;
    }

    // ---- aggregate ------------------------------------------------------------------------

    private List<Row> aggregate() throws CaseFailed {
        PathProfile profile = PathProfile.AGGREGATE;
        PathManager profileBed = pathManager(options.profileBed(), "--profile-bed");
        PathProfile serverProfile = serverProfile();
        double seconds = options.smoke() ? 1 : options.seconds();
        long single = (long) (RATE_MBIT * 1e6 / 8 * seconds);
        String profileSide = sideName(profile, profileBed, serverProfile);
        String kernelSide = "in-kernel PM (SIGNAL)";
        String oneLink = "one link, plain TCP";
        List<String> sides = List.of(oneLink, kernelSide, profileSide);
        System.out.printf(Locale.ROOT, "[two-path] aggregate: 2 x %d Mbit/s (tbf); %.1f MB over"
                        + " one link (plain TCP) against %.1f MB over both, %s and %s; first"
                        + " write to last byte; %d run(s), order rotating%n", RATE_MBIT,
                single / 1e6, 2 * single / 1e6, kernelSide, profileSide, options.runs());
        Map<String, List<Map<String, Double>>> bySide = new LinkedHashMap<>();
        sides.forEach(s -> bySide.put(s, new ArrayList<>()));
        for (int i = 1; i <= options.runs(); i++) {
            Map<String, Map<String, Double>> run = new LinkedHashMap<>();
            for (int k = 0; k < sides.size(); k++) {
                String side = sides.get((k + i - 1) % sides.size());
                boolean isProfile = side.equals(profileSide);
                boolean tcp = side.equals(oneLink);
                Map<String, Double> r = attempt(side, () -> aggregateRun(
                        isProfile ? profileBed : PathManager.SIGNAL, isProfile ? profile : null,
                        isProfile ? serverProfile : null, tcp, tcp ? single : 2 * single));
                run.put(side, r);
            }
            double base = run.get(oneLink).get("mbps");
            double baseSteady = run.get(oneLink).get("steady_mbps");
            for (String side : sides) {
                Map<String, Double> r = run.get(side);
                if (!side.equals(oneLink)) {
                    r.put("ratio", r.get("mbps") / base);
                    r.put("steady_ratio", r.get("steady_mbps") / baseSteady);
                }
                bySide.get(side).add(r);
                printRun("aggregate", i, side, r);
            }
        }
        List<Row> rows = new ArrayList<>();
        for (String side : sides) {
            List<Map<String, Double>> runs = bySide.get(side);
            rows.add(row("aggregate", side, "Mbit/s, first write to last byte", runs, "mbps",
                    Judge.REPORTED, true, Double.NaN));
            if (!side.equals(oneLink)) {
                rows.add(row("aggregate", side, "x one link (same run)", runs, "ratio",
                        side.equals(profileSide) ? Judge.MEDIAN : Judge.REPORTED, true, 1.95));
                rows.add(row("aggregate", side, "x one link, steady state (first quarter out)",
                        runs, "steady_ratio", Judge.REPORTED, true, Double.NaN));
            }
            rows.add(row("aggregate", side, "link 2 share of client TX bytes", runs,
                    "link2_share", Judge.REPORTED, true, Double.NaN));
        }
        return rows;
    }

    private Map<String, Double> aggregateRun(PathManager pm, PathProfile profile,
            PathProfile serverProfile, boolean tcp, long bytes) throws Exception {
        try (TwoPathTestBed bed = TwoPathTestBed.start(pm)) {
            bed.links().forEach(l -> bed.limitRate(l, RATE_MBIT));
            NetNamespace.InterfaceCounters l1 = bed.counters(bed.link(1));
            NetNamespace.InterfaceCounters l2 = bed.counters(bed.link(2));
            try (Conn c = connect(bed, profile, serverProfile, tcp ? Boolean.FALSE : null,
                    null)) {
                if (c.client.getOption(MptcpSocketOptions.MPTCP_ENABLED) == tcp) {
                    throw new IOException("MPTCP_ENABLED is " + !tcp + " on the client; this"
                            + " side needs " + (tcp ? "plain TCP" : "MPTCP"));
                }
                Future<Bulk.Sent> sent = pool.submit(() -> Bulk.send(c.client, bytes, 41));
                Bulk.Received got = Bulk.receive(c.server, bytes);
                Bulk.Sent s = sent.get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
                if (got.bytes() != bytes || !s.sha256().equals(got.sha256())) {
                    throw new IOException(got.bytes() + " of " + bytes + " bytes arrived, SHA-256 "
                            + (s.sha256().equals(got.sha256()) ? "equal" : "different"));
                }
                long tx1 = bed.counters(bed.link(1)).since(l1).txBytes();
                long tx2 = bed.counters(bed.link(2)).since(l2).txBytes();
                Map<String, Double> m = new LinkedHashMap<>();
                m.put("mbps", got.bitsPerSecondSince(s.startNanos()) / 1e6);
                m.put("steady_mbps", got.steadyBitsPerSecond(0.25) / 1e6);
                m.put("link2_share", tx2 / (double) (tx1 + tx2));
                return m;
            }
        }
    }

    // ---- interactive ----------------------------------------------------------------------

    private List<Row> interactive() throws CaseFailed {
        PathProfile profile = PathProfile.INTERACTIVE;
        PathManager profileBed = pathManager(options.profileBed(), "--profile-bed");
        PathProfile serverProfile = serverProfile();
        double seconds = options.smoke() ? 1 : options.seconds();
        double warmup = options.smoke() ? 1 : 3;
        String profileSide = sideName(profile, profileBed, serverProfile);
        String kernelSide = "in-kernel PM (SIGNAL)";
        String better = "link 2 alone, plain TCP";
        List<String> sides = List.of(better, kernelSide, profileSide);
        System.out.printf(Locale.ROOT, "[two-path] interactive: 2 x %d Mbit/s (tbf), link 1 with"
                        + " a %d ms queue kept full by plain Reno TCP both ways; %d-byte request"
                        + " and response, one at a time, %.1f s after %.1f s of warm-up; %s and"
                        + " %s against %s; %d run(s), order rotating%n", INTERACTIVE_MBIT,
                DEEP_QUEUE_MS, MESSAGE, seconds, warmup, kernelSide, profileSide, better,
                options.runs());
        Map<String, List<Map<String, Double>>> bySide = new LinkedHashMap<>();
        sides.forEach(s -> bySide.put(s, new ArrayList<>()));
        for (int i = 1; i <= options.runs(); i++) {
            Map<String, Map<String, Double>> run = new LinkedHashMap<>();
            for (int k = 0; k < sides.size(); k++) {
                String side = sides.get((k + i - 1) % sides.size());
                boolean isProfile = side.equals(profileSide);
                boolean alone = side.equals(better);
                Map<String, Double> r = attempt(side, () -> interactiveRun(
                        isProfile ? profileBed : PathManager.SIGNAL, isProfile ? profile : null,
                        isProfile ? serverProfile : null, alone, seconds, warmup));
                run.put(side, r);
            }
            double base = run.get(better).get("p50_us");
            for (String side : sides) {
                Map<String, Double> r = run.get(side);
                if (!side.equals(better)) {
                    r.put("p50_ratio", r.get("p50_us") / base);
                }
                bySide.get(side).add(r);
                printRun("interactive", i, side, r);
            }
        }
        List<Row> rows = new ArrayList<>();
        for (String side : sides) {
            List<Map<String, Double>> runs = bySide.get(side);
            rows.add(row("interactive", side, "round trip p50, us", runs, "p50_us",
                    Judge.REPORTED, false, Double.NaN));
            if (!side.equals(better)) {
                rows.add(row("interactive", side, "p50 / link 2 alone (same run)", runs,
                        "p50_ratio", side.equals(profileSide) ? Judge.MEDIAN : Judge.REPORTED,
                        false, 1.10));
            }
            rows.add(row("interactive", side, "round trip p99, us", runs, "p99_us",
                    Judge.REPORTED, false, Double.NaN));
            rows.add(row("interactive", side, "round trips measured", runs, "round_trips",
                    Judge.REPORTED, true, Double.NaN));
            rows.add(row("interactive", side, "client link 2 TX bytes per round trip", runs,
                    "link2_tx_per_rt", Judge.REPORTED, true, Double.NaN));
            rows.add(row("interactive", side, "link 1 RTT under load (ss), ms", runs,
                    "link1_rtt_ms", Judge.REPORTED, false, Double.NaN));
            rows.add(row("interactive", side, "load on link 1, Mbit/s each way", runs,
                    "load_mbps", Judge.REPORTED, true, Double.NaN));
        }
        return rows;
    }

    private Map<String, Double> interactiveRun(PathManager pm, PathProfile profile,
            PathProfile serverProfile, boolean betterAlone, double seconds, double warmup)
            throws Exception {
        try (TwoPathTestBed bed = TwoPathTestBed.start(pm)) {
            Link one = bed.link(1);
            Link two = bed.link(2);
            for (NetNamespace ns : List.of(bed.client(), bed.server())) {
                // Reno queues until the senders' TCP small queues hold it back (about 60 ms
                // here, by ss); BBR, this kernel's default, would keep the queue near empty.
                ns.setSysctl("net.ipv4.tcp_congestion_control=reno");
                ns.tc("qdisc", "replace", "dev", one.device(), "root", "tbf", "rate",
                        INTERACTIVE_MBIT + "mbit", "burst", "64kb", "latency",
                        DEEP_QUEUE_MS + "ms");
            }
            bed.limitRate(two, INTERACTIVE_MBIT);
            AtomicBoolean stop = new AtomicBoolean();
            List<Conn> load = new ArrayList<>();
            try {
                // Link 1's address on both ends: plain TCP that can take no other path.
                for (int dir = 0; dir < 2; dir++) {
                    Conn l = connect(bed, null, null, Boolean.FALSE, one);
                    load.add(l);
                    SocketChannel from = dir == 0 ? l.client : l.server;
                    SocketChannel to = dir == 0 ? l.server : l.client;
                    pool.submit(() -> pump(from, stop));
                    pool.submit(() -> drain(to));
                }
                long loadStart = System.nanoTime();
                NetNamespace.InterfaceCounters link1Start = bed.counters(one);
                try (Conn c = connect(bed, profile, serverProfile,
                        betterAlone ? Boolean.FALSE : null, betterAlone ? two : null)) {
                    c.client.setOption(StandardSocketOptions.TCP_NODELAY, true);
                    c.server.setOption(StandardSocketOptions.TCP_NODELAY, true);
                    Future<Long> echo = pool.submit(() -> echo(c.server));
                    long warmEnd = System.nanoTime() + (long) (warmup * 1e9);
                    ByteBuffer req = ByteBuffer.allocateDirect(MESSAGE);
                    ByteBuffer resp = ByteBuffer.allocateDirect(MESSAGE);
                    while (System.nanoTime() < warmEnd) {
                        roundTrip(c.client, req, resp);
                    }
                    NetNamespace.InterfaceCounters link2Start = bed.counters(two);
                    long[] rtts = new long[1024];
                    int n = 0;
                    long end = System.nanoTime() + (long) (seconds * 1e9);
                    while (System.nanoTime() < end || n < 3) {
                        if (n == rtts.length) {
                            rtts = Arrays.copyOf(rtts, n * 2);
                        }
                        rtts[n++] = roundTrip(c.client, req, resp);
                    }
                    long link2Tx = bed.counters(two).since(link2Start).txBytes();
                    double link1Rtt = smoothedRttMillis(bed.client(), one.clientAddress());
                    double loadSeconds = (System.nanoTime() - loadStart) / 1e9;
                    long link1Tx = bed.counters(one).since(link1Start).txBytes();
                    c.client.shutdownOutput();
                    echo.get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
                    long[] sorted = Arrays.copyOf(rtts, n);
                    Arrays.sort(sorted);
                    Map<String, Double> m = new LinkedHashMap<>();
                    m.put("p50_us", percentile(sorted, 0.50) / 1e3);
                    m.put("p99_us", percentile(sorted, 0.99) / 1e3);
                    m.put("round_trips", (double) n);
                    m.put("link2_tx_per_rt", link2Tx / (double) n);
                    m.put("load_mbps", link1Tx * 8 / loadSeconds / 1e6);
                    m.put("link1_rtt_ms", link1Rtt);
                    return m;
                }
            } finally {
                stop.set(true);
                for (Conn l : load) {
                    l.close();
                }
            }
        }
    }

    /**
     * The largest smoothed RTT {@code ss -tin} shows for the TCP sockets (the load's, and MPTCP
     * subflows) with local address {@code local} in {@code ns}: how deep link 1's queue is, as
     * the kernel sees it, independently of this bench's own clock.
     */
    private static double smoothedRttMillis(NetNamespace ns, InetAddress local) {
        String out = ns.exec("ss", "-tin", "state", "established", "src",
                local.getHostAddress());
        double max = Double.NaN;
        Matcher m = SS_RTT.matcher(out);
        while (m.find()) {
            double v = Double.parseDouble(m.group(1));
            max = Double.isNaN(max) ? v : Math.max(max, v);
        }
        if (Double.isNaN(max)) {
            throw new IllegalStateException("ss -tin shows no rtt for " + local + " in " + ns
                    + ": " + out);
        }
        return max;
    }

    /** One request and its response; the nanoseconds it took. */
    private static long roundTrip(SocketChannel ch, ByteBuffer req, ByteBuffer resp)
            throws IOException {
        long t0 = System.nanoTime();
        req.clear();
        while (req.hasRemaining()) {
            ch.write(req);
        }
        resp.clear();
        readFully(ch, resp);
        return System.nanoTime() - t0;
    }

    /** Answers each request with a response of the same size until end of stream. */
    private static long echo(SocketChannel ch) throws IOException {
        ByteBuffer buf = ByteBuffer.allocateDirect(MESSAGE);
        long answered = 0;
        while (true) {
            buf.clear();
            if (!readFully(ch, buf)) {
                return answered;
            }
            buf.flip();
            while (buf.hasRemaining()) {
                ch.write(buf);
            }
            answered++;
        }
    }

    private static boolean readFully(SocketChannel ch, ByteBuffer buf) throws IOException {
        while (buf.hasRemaining()) {
            if (ch.read(buf) < 0) {
                if (buf.position() == 0) {
                    return false;
                }
                throw new IOException("end of stream after " + buf.position() + " of "
                        + buf.limit() + " bytes of a message");
            }
        }
        return true;
    }

    /** Writes until {@code stop}; the channel's close then ends a blocked write. */
    private static long pump(SocketChannel ch, AtomicBoolean stop) {
        ByteBuffer buf = ByteBuffer.allocateDirect(LOAD_CHUNK);
        long sent = 0;
        try {
            while (!stop.get()) {
                buf.clear();
                sent += ch.write(buf);
            }
        } catch (IOException e) {
            // Closed under the write by the end of the side: expected, the load is over.
        }
        return sent;
    }

    private static long drain(SocketChannel ch) {
        ByteBuffer buf = ByteBuffer.allocateDirect(LOAD_CHUNK);
        long got = 0;
        try {
            int n;
            while ((n = ch.read(buf)) >= 0) {
                got += n;
                buf.clear();
            }
        } catch (IOException e) {
            // Closed under the read by the end of the side: expected.
        }
        return got;
    }

    private static double percentile(long[] sorted, double p) {
        int i = (int) Math.ceil(p * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
    }

    // ---- shared ---------------------------------------------------------------------------

    /** A connection across the bed: listener, client and accepted channel. */
    private record Conn(ServerSocketChannel listener, SocketChannel client, SocketChannel server)
            implements AutoCloseable {
        @Override
        public void close() throws IOException {
            try (listener; client; server) {
                // closes all three, keeping the first failure and suppressing the others
            }
        }
    }

    /**
     * Opens a listener on the server's wildcard address (with {@code serverProfile}), a client
     * (with {@code profile}, {@code MPTCP_ENABLED} = {@code mptcp} unless null, bound to
     * {@code via}'s client address and connected to its server address when {@code via} is
     * given, else to the server's link-1 address), and accepts. Opening, connecting and
     * accepting run on the namespaces' threads: the first connection of a namespace opens its
     * path-manager session there.
     */
    private Conn connect(TwoPathTestBed bed, PathProfile profile, PathProfile serverProfile,
            Boolean mptcp, Link via) throws Exception {
        ServerSocketChannel listener = bed.server().call(() -> {
            ServerSocketChannel l = provider.openServerSocketChannel(StandardProtocolFamily.INET);
            try {
                if (mptcp != null) {
                    l.setOption(MptcpSocketOptions.MPTCP_ENABLED, mptcp);
                }
                if (serverProfile != null) {
                    setListenerProfile(l, serverProfile);
                }
                return l.bind(bed.serverBindAddress(0));
            } catch (Exception e) {
                l.close();
                throw e;
            }
        });
        SocketChannel client = null;
        try {
            int port = ((InetSocketAddress) listener.getLocalAddress()).getPort();
            InetSocketAddress to = via == null ? bed.serverAddress(port)
                    : new InetSocketAddress(via.serverAddress(), port);
            client = bed.client().call(() -> {
                SocketChannel c = provider.openSocketChannel(StandardProtocolFamily.INET);
                try {
                    if (mptcp != null) {
                        c.setOption(MptcpSocketOptions.MPTCP_ENABLED, mptcp);
                    }
                    if (profile != null) {
                        c.setOption(MptcpSocketOptions.PATH_PROFILE, profile);
                    }
                    if (via != null) {
                        c.bind(new InetSocketAddress(via.clientAddress(), 0));
                    }
                    c.connect(to);
                    return c;
                } catch (Exception e) {
                    c.close();
                    throw e;
                }
            });
            SocketChannel server = bed.server().call(listener::accept);
            return new Conn(listener, client, server);
        } catch (Exception e) {
            if (client != null) {
                client.close();
            }
            listener.close();
            throw e;
        }
    }

    private static void setListenerProfile(ServerSocketChannel l, PathProfile p)
            throws CaseFailed {
        try {
            l.setOption(MptcpSocketOptions.PATH_PROFILE, p);
        } catch (UnsupportedOperationException | IllegalArgumentException | IOException e) {
            throw new CaseFailed("--server-profile " + p + ": the listener refused"
                    + " PATH_PROFILE (" + e + "); this build's listeners do not take a profile",
                    e, true);
        }
    }

    /** A side's run, with the profile's WARNING turned into the case's failure. */
    private Map<String, Double> attempt(String side, SideRun run)
            throws CaseFailed {
        Logger log = Logger.getLogger(PROFILE_LOGGER);
        List<String> warnings = new CopyOnWriteArrayList<>();
        Handler handler = new Handler() {
            @Override
            public void publish(LogRecord r) {
                if (r.getLevel().intValue() >= Level.WARNING.intValue()) {
                    warnings.add(r.getMessage());
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        log.addHandler(handler);
        try {
            Map<String, Double> r = run.run();
            if (!warnings.isEmpty()) {
                throw new CaseFailed(side + ": the profile did not run: " + warnings.get(0),
                        null);
            }
            return r;
        } catch (CaseFailed e) {
            throw e;
        } catch (ExecutionException e) {
            throw new CaseFailed(side + ": " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            throw new CaseFailed(side + ": the transfer did not end within " + DEADLINE, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CaseFailed(side + ": interrupted", e);
        } catch (Exception | AssertionError e) {
            throw new CaseFailed(side + ": " + e.getMessage(), e);
        } finally {
            log.removeHandler(handler);
        }
    }

    @FunctionalInterface
    private interface SideRun {
        Map<String, Double> run() throws Exception;
    }

    private static PathManager pathManager(String name, String option) throws CaseFailed {
        try {
            return PathManager.valueOf(name);
        } catch (IllegalArgumentException e) {
            throw new CaseFailed(option + " " + name + ": TwoPathTestBed has no such mode in this"
                    + " build (it has: " + Arrays.toString(PathManager.values()) + ")", e, true);
        }
    }

    private PathProfile serverProfile() throws CaseFailed {
        String name = options.serverProfile();
        if (name == null) {
            return null;
        }
        try {
            return PathProfile.valueOf(name.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new CaseFailed("--server-profile " + name + ": no such profile (choices: "
                    + PathProfile.choices() + ")", e, true);
        }
    }

    private static String sideName(PathProfile p, PathManager bed, PathProfile server) {
        return p + " (" + bed + (server != null ? ", server " + server : "") + ")";
    }

    private void awaitBytes(AtomicLong counter, long bytes) throws InterruptedException,
            IOException {
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        while (counter.get() < bytes) {
            if (System.nanoTime() - deadline > 0) {
                throw new IOException("only " + counter.get() + " of " + bytes
                        + " bytes arrived within " + DEADLINE);
            }
            Thread.sleep(2);
        }
    }

    private static Row row(String caseName, String side, String figure,
            List<Map<String, Double>> runs, String key, Judge judge, boolean higherIsBetter,
            double target) {
        return new Row(caseName, side, figure, key,
                runs.stream().map(r -> r.get(key)).toList(), judge, higherIsBetter, target);
    }

    private static void printRun(String caseName, int run, String side, Map<String, Double> r) {
        StringBuilder b = new StringBuilder("  TWO-PATH-RUN case=").append(caseName)
                .append(" run=").append(run).append(" side=").append(token(side));
        r.forEach((k, v) -> b.append(' ').append(k).append('=').append(fmt(v)));
        System.out.println(b);
    }

    private void printCase(List<Row> rows) {
        for (Row r : rows) {
            System.out.printf(Locale.ROOT, "  %s, %s: median %s (min %s, max %s), target %s%s%n",
                    r.side(), r.figure(), fmt(r.median()), fmt(r.min()), fmt(r.max()),
                    r.targetText(), r.verdict(options.smoke()).isEmpty() ? ""
                            : ": " + r.verdict(options.smoke()));
        }
        System.out.println();
    }

    private static void printTable(List<Row> rows, boolean smoke) {
        if (rows.isEmpty()) {
            return;
        }
        System.out.println("<!-- two-path: paste between the TWO-PATH-RESULTS markers of"
                + " README.md -->");
        System.out.println("| case | side | figure | median | min | max | target | |");
        System.out.println("|---|---|---|---:|---:|---:|---|---|");
        for (Row r : rows) {
            System.out.printf(Locale.ROOT, "| %s | %s | %s | %s | %s | %s | %s | %s |%n",
                    r.caseName(), r.side(), r.figure(), fmt(r.median()), fmt(r.min()),
                    fmt(r.max()), r.targetText(), r.verdict(smoke));
        }
        System.out.println();
        // One line per row for scripts: the values of every run, in run order.
        for (Row r : rows) {
            StringBuilder values = new StringBuilder();
            for (double v : r.values()) {
                values.append(values.length() == 0 ? "" : ",").append(fmt(v));
            }
            System.out.printf(Locale.ROOT, "TWO-PATH case=%s side=%s figure=%s median=%s min=%s"
                            + " max=%s runs=%d values=%s target=%s verdict=%s%n", r.caseName(),
                    token(r.side()), token(r.figure()), fmt(r.median()), fmt(r.min()),
                    fmt(r.max()), r.values().size(), values, token(r.targetText()),
                    token(r.verdict(smoke).isEmpty() ? "-" : r.verdict(smoke)));
        }
    }

    /** A value for a line of space-separated fields. */
    private static String token(String s) {
        return s.replaceAll("[^A-Za-z0-9_.<>=/+-]+", "_").replaceAll("^_|_$", "");
    }

    /** Three significant digits at least, integers as integers, infinity as "inf". */
    static String fmt(double v) {
        if (Double.isInfinite(v)) {
            return v > 0 ? "inf" : "-inf";
        }
        if (Double.isNaN(v)) {
            return "nan";
        }
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return Long.toString((long) v);
        }
        return Math.abs(v) >= 100 ? String.format(Locale.ROOT, "%.1f", v)
                : String.format(Locale.ROOT, "%.3f", v);
    }
}
