package io.mptcp.it.bench;

import io.mptcp.it.support.InstallThenMain;
import io.mptcp.it.support.ChildJvm;
import io.mptcp.it.support.Prerequisites;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * mptcp-nio against the JDK's own NIO, side by side on this machine: each case runs in fresh
 * child JVMs ({@link BenchMain}), the two sides of a pair one after the other, the order
 * alternating from pair to pair so that drift on a noisy machine hits both alike. It compares
 * like with like:
 * <ul>
 *   <li>suite {@code tcp}: mptcp-nio with {@code io.mptcp.nio.mode=off} against the plain JDK;</li>
 *   <li>suite {@code mptcp}: mptcp-nio (MPTCP) against the JDK under {@code mptcpize run}.</li>
 *   <li>suite {@code jfr} (root only, not run by default): the CPU cost of the path profiles'
 *       JFR events, {@link JfrCostBench}.
 *   <li>suite {@code two-path} (root only, not run by default): the path profiles on the
 *       two-path test bed against the in-kernel path manager, {@link TwoPathBench}; its cases
 *       are {@code handover}, {@code aggregate} and {@code interactive} (all three unless
 *       {@code --cases} names some), {@code --runs} runs each (5 by default). The case
 *       {@code multipath} of the default run is short for its handover and aggregate.</li>
 * </ul>
 * Prints each pair's ratio ours/JDK and, per case, the median, min and max against the targets
 * (throughput at least 0.97, round trip p50 and selector round at most 1.05, setup rate at least
 * 0.95; the allocation case, {@link AllocationReport}, compares bytes per operation). The
 * classic-socket cases ({@link SocketCase}) compare the JDK's {@code SocketImpl} with ours,
 * installed as the agent installs it.
 * {@code --aa} runs the JDK on both sides
 * (A/A: ratios near 1.0 show the noise floor). {@code --smoke} runs one short pair per case with
 * checksums, to check that everything runs and moves the right bytes; its figures mean nothing.
 *
 * <p>Exit 0 when every run worked (targets are reported, not enforced), 1 when one failed.
 */
public final class BenchDriver {

    // The targets, as median ratios ours/JDK. NaN: reported, no target.
    private static final double THROUGHPUT_TARGET = 0.97;
    private static final double RTT_TARGET = 1.05;
    private static final double SELECTOR_TARGET = 1.05;
    private static final double SETUP_TARGET = 0.95;
    private static final double REPORTED = Double.NaN;
    /** Every case, in the order they run by default. */
    static final List<String> CASES = List.of("bulk-heap", "bulk-direct", "bulk8-heap",
            "bulk8-direct", "rtt", "selector", "setup", "async-bulk", "async-rtt",
            "socket-bulk", "socket-rtt", "alloc", "multipath", "events");
    // Cases that are no comparison of two runners, run once after the suites.
    private static final List<String> SINGLE_CASES = List.of("alloc", "multipath",
            "events");
    private static final List<String> SUITES = List.of("tcp", "mptcp", "two-path", "jfr");
    private static final int SMOKE_SELECTOR_CONNECTIONS = 200;
    // Both providers: the NIO.2 cases use the asynchronous one, the others never touch it.
    private static final String PROVIDER = "-D" + ChildJvm.PROVIDER_PROPERTY + "="
            + ChildJvm.PROVIDER_CLASS;
    private static final String ASYNC_PROVIDER =
            "-Djava.nio.channels.spi.AsynchronousChannelProvider="
                    + "io.mptcp.nio.MptcpAsynchronousChannelProvider";
    // Same heap for every child: the comparison must not depend on GC ergonomics.
    private static final List<String> HEAP = List.of("-Xms256m", "-Xmx256m");

    /**
     * One way of running a case. For the socket cases ours also install the Socket factories
     * as the agent does ({@code MptcpSockets.install()} before {@code main}, by
     * {@link InstallThenMain}), and the run checks which {@code SocketImpl} it got.
     */
    enum Runner {
        JDK("jdk", List.of(), List.of(), "tcp", false),
        OURS_OFF("ours-off", List.of(), List.of(PROVIDER, ASYNC_PROVIDER,
                "-Dio.mptcp.nio.mode=off"), "tcp", true),
        JDK_MPTCPIZE("jdk-mptcpize", List.of(Prerequisites.MPTCPIZE, "run"), List.of(), "mptcp",
                false),
        OURS("ours", List.of(), List.of(PROVIDER, ASYNC_PROVIDER, "-Dio.mptcp.nio.mode=all"),
                "mptcp", true);

        final String label;
        final List<String> prefix;
        final List<String> props;
        final String expect;
        final boolean ours;

        Runner(String label, List<String> prefix, List<String> props, String expect,
                boolean ours) {
            this.label = label;
            this.prefix = prefix;
            this.props = props;
            this.expect = expect;
            this.ours = ours;
        }
    }

    /** A figure of a RESULT line, compared as ours/JDK. */
    private record Metric(String key, String label, boolean higherIsBetter, double target,
            boolean worstCase) {
        Metric(String key, String label, boolean higherIsBetter, double target) {
            this(key, label, higherIsBetter, target, false);
        }
    }

    // Raw throughput is the figure. On loopback the kernel stalls MPTCP transfers for
    // 200 ms at a time, at random, whoever the sender is (README, benchmark); throughput with
    // the stalled time taken out is what the provider's own speed shows in.
    // With eight connections on two CPUs a sender is often descheduled for over 50 ms, so
    // "stalled" time means nothing there: raw throughput only.
    private static final List<Metric> BULK_METRICS = List.of(
            new Metric("mibps", "MiB/s", true, THROUGHPUT_TARGET),
            new Metric("unstalled_mibps", "MiB/s-unstalled", true, THROUGHPUT_TARGET));
    private static final List<Metric> BULK8_METRICS = List.of(
            new Metric("mibps", "MiB/s", true, THROUGHPUT_TARGET));
    private static final List<Metric> RTT_METRICS = List.of(
            new Metric("p50_us", "p50", false, RTT_TARGET),
            new Metric("mean_us", "mean", false, REPORTED),
            new Metric("p99_us", "p99", false, REPORTED));
    private static final List<Metric> SELECTOR_METRICS = List.of(
            new Metric("round_cpu_us", "server CPU per round", false, SELECTOR_TARGET),
            new Metric("round_mean_us", "round mean", false, REPORTED),
            new Metric("round_p50_us", "round p50", false, REPORTED),
            new Metric("round_p99_us", "round p99", false, REPORTED));
    private static final List<Metric> SETUP_METRICS = List.of(
            new Metric("per_second", "connections/s", true, SETUP_TARGET));

    private static List<Metric> metricsOf(String bench) {
        return switch (bench) {
            case "bulk-heap", "bulk-direct", "socket-bulk", "async-bulk" -> BULK_METRICS;
            case "bulk8-heap", "bulk8-direct" -> BULK8_METRICS;
            case "rtt", "async-rtt", "socket-rtt" -> RTT_METRICS;
            case "selector" -> SELECTOR_METRICS;
            case "setup" -> SETUP_METRICS;
            default -> throw new IllegalArgumentException(bench);
        };
    }

    /** One row of the results table. */
    record Summary(String suite, String bench, String metric, double median,
            double min, double max, String target, String verdict) {
    }

    private final int pairs;
    private final double seconds;
    private final double warmup;
    private final boolean smoke;
    private final String rttCpu;
    private final List<Summary> summaries = new ArrayList<>();

    private BenchDriver(int pairs, double seconds, double warmup, boolean smoke, String rttCpu) {
        this.pairs = pairs;
        this.seconds = seconds;
        this.warmup = warmup;
        this.smoke = smoke;
        this.rttCpu = rttCpu;
    }

    public static void main(String[] args) throws Exception {
        int pairs = 5;
        double seconds = 5;
        double warmup = 2;
        boolean smoke = false;
        boolean aa = false;
        // The last CPU: client and server threads of a round trip share it, as explained in
        // the README; on two CPUs the wake-up across CPUs makes each run land on one of two
        // latencies at random.
        String rttCpu = Integer.toString(Runtime.getRuntime().availableProcessors() - 1);
        List<String> suites = List.of("tcp", "mptcp");
        List<String> cases = CASES;
        TwoPathBench.Options two = TwoPathBench.Options.defaults();
        int runs = two.runs();
        String handoverBed = two.handoverBed();
        String profileBed = two.profileBed();
        String serverProfile = null;
        String jfrBaseline = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--pairs" -> pairs = Integer.parseInt(args[++i]);
                case "--seconds" -> seconds = Double.parseDouble(args[++i]);
                case "--warmup" -> warmup = Double.parseDouble(args[++i]);
                case "--suites" -> suites = Arrays.asList(args[++i].split(","));
                case "--cases" -> cases = Arrays.asList(args[++i].split(","));
                case "--aa" -> aa = true;
                case "--smoke" -> smoke = true;
                case "--rtt-cpu" -> rttCpu = args[++i];
                case "--runs" -> runs = Integer.parseInt(args[++i]);
                case "--handover-bed" -> handoverBed = args[++i];
                case "--profile-bed" -> profileBed = args[++i];
                case "--server-profile" -> serverProfile = args[++i];
                case "--jfr-baseline" -> jfrBaseline = args[++i];
                default -> {
                    System.err.println("usage: BenchDriver [--pairs N] [--seconds S] [--warmup S]"
                            + " [--suites " + String.join(",", SUITES) + "] [--cases "
                            + String.join(",", CASES) + "," + String.join(",", TwoPathBench.CASES)
                            + "] [--aa] [--smoke] [--rtt-cpu N|none] [--runs N (two-path)]"
                            + " [--handover-bed CLIENT_USERSPACE|BOTH_USERSPACE]"
                            + " [--profile-bed PATH_MANAGER] [--server-profile PROFILE]"
                            + " [--jfr-baseline MPTCP_NIO_JAR (jfr)]");
                    System.exit(2);
                }
            }
        }
        List<String> unknown = new ArrayList<>(suites);
        unknown.removeAll(SUITES);
        List<String> unknownCases = new ArrayList<>(cases);
        unknownCases.removeAll(CASES);
        unknownCases.removeAll(TwoPathBench.CASES);
        if (!unknown.isEmpty() || !unknownCases.isEmpty()) {
            System.err.println("unknown suite or case: " + unknown + " " + unknownCases
                    + "; suites " + SUITES + ", cases " + CASES + " and, for two-path, "
                    + TwoPathBench.CASES);
            System.exit(2);
        }
        List<String> twoPathCases = new ArrayList<>();
        if (suites.contains("two-path")) {
            TwoPathBench.CASES.stream().filter(cases::contains).forEach(twoPathCases::add);
            if (twoPathCases.isEmpty()) {
                twoPathCases.addAll(TwoPathBench.CASES);
            }
        } else if (cases.stream().anyMatch(TwoPathBench.CASES::contains)) {
            System.err.println("cases " + TwoPathBench.CASES + " belong to suite two-path:"
                    + " add --suites two-path");
            System.exit(2);
        }
        if (cases.contains("multipath") && !suites.equals(List.of("jfr"))) {
            // The old name of the two-path handover and aggregate, kept for the README's runs.
            for (String c : List.of("handover", "aggregate")) {
                if (!twoPathCases.contains(c)) {
                    twoPathCases.add(c);
                }
            }
        }
        if (smoke) {
            pairs = 1;
            seconds = 1;
            warmup = 0.2;
        }
        if (smoke) {
            runs = 1;
        }
        TwoPathBench.Options twoPath;
        try {
            twoPath = new TwoPathBench.Options(runs, smoke, seconds, handoverBed, profileBed,
                    serverProfile);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.exit(2);
            return;
        }
        BenchDriver d = new BenchDriver(pairs, seconds, warmup, smoke, rttCpu);
        System.out.printf(Locale.ROOT, "mptcp-nio benchmark%s: %d pair(s) per case, %.1f s"
                        + " measured after %.1f s warm-up per run, order alternating%n",
                smoke ? " (SMOKE: checks bytes only, figures mean nothing)" : aa ? " (A/A)" : "",
                pairs, seconds, warmup);
        System.out.printf("java %s (%s), %s %s, %d CPUs%n%n", System.getProperty("java.version"),
                System.getProperty("java.home"), System.getProperty("os.name"),
                System.getProperty("os.version"), Runtime.getRuntime().availableProcessors());
        try {
            for (String suite : suites) {
                if (suite.equals("two-path") || suite.equals("jfr")) {
                    continue; // after the loopback suites, below
                }
                Runner base = suite.equals("tcp") ? Runner.JDK : Runner.JDK_MPTCPIZE;
                Runner ours = aa ? base : suite.equals("tcp") ? Runner.OURS_OFF : Runner.OURS;
                for (String bench : cases) {
                    if (!SINGLE_CASES.contains(bench)) {
                        d.compare(suite, bench, base, ours);
                    }
                }
            }
            // The single cases belong to the loopback suites' run, not to a two-path-only one.
            boolean loopback = suites.stream().anyMatch(s -> s.equals("tcp") || s.equals("mptcp"));
            if (loopback && cases.contains("alloc")) {
                d.summaries.addAll(AllocationReport.run(smoke));
            }
            if (loopback && cases.contains("events")) {
                d.events();
            }
        } catch (RunFailed e) {
            System.out.println("\nFAILED: " + e.getMessage());
            System.exit(1);
        }
        Map<String, String> twoPathFailures = new LinkedHashMap<>(twoPathCases.isEmpty()
                ? Map.of() : d.twoPath(twoPathCases, twoPath));
        if (suites.contains("jfr")) {
            List<String> failed = JfrCostBench.run(runs, jfrBaseline,
                    smoke ? 16 : JfrCostBench.MIB_PER_DIRECTION);
            if (!failed.isEmpty()) {
                twoPathFailures.put("jfr", String.join("; ", failed));
            }
        }
        d.printSummary();
        if (!twoPathFailures.isEmpty()) {
            twoPathFailures.forEach((c, why) -> System.out.println("FAILED: "
                    + (c.equals("jfr") ? "" : "two-path ") + c
                    + ": " + why));
            System.exit(1);
        }
    }

    private void compare(String suite, String bench, Runner base, Runner ours) throws Exception {
        boolean rtt = isRtt(bench);
        List<Metric> metrics = metricsOf(bench);
        System.out.printf("[%s] %s: %s vs %s%s%n", suite, bench, ours.label, base.label,
                rtt ? " (round trip in us, lower is better; pinned to CPU " + rttCpu + ")"
                        : bench.equals("selector") ? " (round time in us, lower is better)"
                        : " (higher is better)");
        List<List<Double>> ratios = new ArrayList<>();
        metrics.forEach(m -> ratios.add(new ArrayList<>()));
        for (int i = 1; i <= pairs; i++) {
            // Odd pairs run the baseline first, even pairs ours first.
            boolean baseFirst = i % 2 == 1;
            Map<String, String> first = run(baseFirst ? base : ours, bench);
            Map<String, String> second = run(baseFirst ? ours : base, bench);
            Map<String, String> b = baseFirst ? first : second;
            Map<String, String> o = baseFirst ? second : first;
            StringBuilder line = new StringBuilder("  pair " + i + ":");
            for (int k = 0; k < metrics.size(); k++) {
                Metric m = metrics.get(k);
                double ratio = Double.parseDouble(o.get(m.key)) / Double.parseDouble(b.get(m.key));
                ratios.get(k).add(ratio);
                line.append(String.format(Locale.ROOT, "  %s %s/%s = %.3f", m.label, o.get(m.key),
                        b.get(m.key), ratio));
            }
            if (o.containsKey("stalls")) {
                line.append("  stalls ").append(o.get("stalls")).append('/')
                        .append(b.get("stalls"));
            }
            System.out.println(line);
        }
        for (int k = 0; k < metrics.size(); k++) {
            summarise(suite, bench, metrics.get(k), ours.label + "/" + base.label, ratios.get(k));
        }
        System.out.println();
    }

    /**
     * The two-path suite (root only): {@link TwoPathBench} prints its own runs and table; its
     * rows also go into the summary table.
     *
     * @return the cases that failed, with the one-line reason
     */
    private Map<String, String> twoPath(List<String> cases, TwoPathBench.Options options) {
        if (!Prerequisites.isRoot()) {
            System.out.println("[two-path] skipped: the two-path test bed needs root\n");
            return Map.of();
        }
        TwoPathBench.Outcome outcome = TwoPathBench.run(cases, options);
        for (TwoPathBench.Row r : outcome.rows()) {
            summaries.add(new Summary("two-path", r.caseName(), r.figure() + " " + r.side(),
                    r.median(), r.min(), r.max(), r.targetText(), r.verdict(smoke)));
        }
        return outcome.failures();
    }

    /**
     * The event channel (root only): events per second without overrun, and the delay from
     * the kernel's event to the Java callback against {@code ip mptcp monitor}.
     */
    private void events() throws Exception {
        if (!Prerequisites.isRoot()) {
            System.out.println("[events] skipped: the namespace and the events group need root"
                    + "\n");
            return;
        }
        System.out.println("[events] listener events in a namespace: paced rates doubling until"
                + " an overrun; delay at one listener per 5 ms");
        for (EventsBench.Figure f : EventsBench.run(pairs, smoke ? 1 : seconds)) {
            Metric m = switch (f.name()) {
                case "events-per-s" -> new Metric(f.name(), "events/s without overrun, "
                        + "default buffer", true, REPORTED);
                case "events-per-s-8mib" -> new Metric(f.name(), "events/s without overrun, "
                        + "8 MiB buffer", true, REPORTED);
                case "events-lost" -> new Metric(f.name(), "EventsLost in the step that "
                        + "overran", false, REPORTED);
                default -> new Metric(f.name(), f.name().replace('-', ' '), false, REPORTED);
            };
            summarise("events", f.name().startsWith("events") ? "rate" : "delay", m,
                    "mptcp-nio", f.values());
        }
        System.out.println();
    }

    private void summarise(String suite, String bench, Metric m, String who, List<Double> r) {
        List<Double> sorted = r.stream().sorted().toList();
        int n = sorted.size();
        double median = n % 2 == 1 ? sorted.get(n / 2)
                : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
        double judged = !m.worstCase ? median
                : m.higherIsBetter ? sorted.get(0) : sorted.get(n - 1);
        boolean met = m.higherIsBetter ? judged >= m.target : judged <= m.target;
        boolean reported = Double.isNaN(m.target);
        String target = reported ? "reported" : (m.worstCase ? "every run " : "")
                + (m.higherIsBetter ? ">= " : "<= ") + m.target;
        String verdict = smoke ? "n/a (smoke)" : reported ? "" : met ? "met" : "MISSED";
        System.out.printf(Locale.ROOT, "  %s %s: median %.3f (min %.3f, max %.3f), target %s:"
                + " %s%n", m.label, who, median, sorted.get(0), sorted.get(n - 1), target, verdict);
        summaries.add(new Summary(suite, bench, m.label + " " + who, median, sorted.get(0),
                sorted.get(n - 1), target, verdict));
    }

    private static boolean isRtt(String bench) {
        return bench.equals("rtt") || bench.equals("async-rtt") || bench.equals("socket-rtt");
    }

    /** Runs one case in a fresh JVM and returns its RESULT fields. */
    private Map<String, String> run(Runner runner, String bench) throws Exception {
        if (!runner.prefix.isEmpty() && !new java.io.File(runner.prefix.get(0)).canExecute()) {
            throw new RunFailed(runner.prefix.get(0) + " is missing: apt-get install mptcpize");
        }
        List<String> prefix = new ArrayList<>();
        if (isRtt(bench) && !rttCpu.equals("none")) {
            prefix.addAll(List.of("taskset", "-c", rttCpu));
        }
        prefix.addAll(runner.prefix);
        List<String> jvmArgs = new ArrayList<>(HEAP);
        jvmArgs.addAll(runner.props);
        List<String> args = new ArrayList<>(List.of("--case", bench, "--expect", runner.expect,
                "--seconds", Double.toString(seconds), "--warmup", Double.toString(warmup)));
        if (smoke) {
            args.add("--verify");
            if (bench.equals("selector")) {
                args.addAll(List.of("--connections", Integer.toString(SMOKE_SELECTOR_CONNECTIONS)));
            }
        }
        // Setting up 10,000 connections takes seconds of its own.
        Duration limit = Duration.ofSeconds((long) (seconds + warmup) + 120);
        String main = BenchMain.class.getName();
        boolean socketCase = bench.startsWith("socket-");
        if (runner.ours && socketCase) {
            args.add(0, main);
            main = InstallThenMain.class.getName();
        }
        try (ChildJvm child = ChildJvm.start(prefix, jvmArgs, main,
                args.toArray(String[]::new))) {
            String line;
            try {
                if (socketCase) {
                    String impl = child.awaitLine(l -> l.startsWith("SOCKET_IMPL "), limit,
                            "SOCKET_IMPL");
                    String wanted = "SOCKET_IMPL " + (runner.ours ? "mptcp-nio" : "jdk");
                    if (!impl.equals(wanted)) {
                        throw new AssertionError("expected " + wanted + ", got " + impl + "\n"
                                + child.describe());
                    }
                }
                line = child.awaitLine(l -> l.startsWith("RESULT "), limit, "RESULT");
                if (child.awaitExit(limit) != 0) {
                    throw new AssertionError("exit code not 0\n" + child.describe());
                }
            } catch (AssertionError e) {
                throw new RunFailed(runner.label + " " + bench + ": " + e.getMessage());
            }
            Map<String, String> fields = new HashMap<>();
            for (String kv : line.substring("RESULT ".length()).split(" ")) {
                String[] p = kv.split("=", 2);
                fields.put(p[0], p[1]);
            }
            return fields;
        }
    }

    private void printSummary() {
        System.out.println("<!-- paste between the BENCH-RESULTS markers of README.md -->");
        System.out.println("| suite | case | ratio | median | min | max | target | |");
        System.out.println("|---|---|---|---:|---:|---:|---|---|");
        for (Summary s : summaries) {
            System.out.printf(Locale.ROOT, "| %s | %s | %s | %.3f | %.3f | %.3f | %s | %s |%n",
                    s.suite, s.bench, s.metric, s.median, s.min, s.max, s.target, s.verdict);
        }
    }

    /** A run that did not produce a result; the message holds the child's output. */
    private static final class RunFailed extends Exception {
        private static final long serialVersionUID = 1L;

        RunFailed(String message) {
            super(message);
        }
    }
}
