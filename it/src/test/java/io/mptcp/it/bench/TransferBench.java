package io.mptcp.it.bench;

import io.mptcp.it.support.ChildJvm;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * File transfers to and from a socket channel, mptcp-nio against the JDK's NIO: each case runs
 * in fresh child JVMs ({@link TransferBenchMain}), the two sides of a pair one after the other,
 * the order alternating from pair to pair. Suites as in {@link BenchDriver}: {@code tcp} is
 * ours with {@code mode=off} against the plain JDK, {@code mptcp} ours against the JDK under
 * {@code mptcpize run}. Cases:
 * <ul>
 *   <li>{@code transferTo}: {@code FileChannel.transferTo} into each side's socket channel
 *       (the JDK uses sendfile(2) for its own channel, a copy loop for ours);</li>
 *   <li>{@code sendfile}: ours with {@code MptcpSocketChannel.transferFrom(Path, …)} against
 *       the JDK's {@code transferTo} (both sendfile);</li>
 *   <li>{@code mapped}: ours writing 8 MiB {@code FileChannel.map} buffers (what the JDK's
 *       {@code transferTo} would do for a channel implementing its internal {@code SelChImpl}
 *       on JDK 21+) against the JDK's {@code transferTo}; not in the default set;</li>
 *   <li>{@code transferFrom}: {@code FileChannel.transferFrom(socketChannel, …)} (both a copy
 *       loop: the JDK has no fast path from a socket).</li>
 * </ul>
 * The file (default 1 GiB, made of random bytes) is written under /tmp and read once so that
 * it is in the page cache, and removed at the end. Prints each pair's MiB/s and ratio ours/JDK
 * and, per case, the median, min and max. {@code --smoke}: one small pair per case with CRC
 * checks (figures mean nothing).
 */
public final class TransferBench {
    private static final List<String> HEAP = List.of("-Xms256m", "-Xmx256m");

    private record Summary(String suite, String bench, double median, double min, double max,
            String figures) {
    }

    private final int pairs;
    private final int rounds;
    private final boolean smoke;
    private final Path file;
    private final Path out;
    private final List<Summary> summaries = new ArrayList<>();

    private TransferBench(int pairs, int rounds, boolean smoke, Path file, Path out) {
        this.pairs = pairs;
        this.rounds = rounds;
        this.smoke = smoke;
        this.file = file;
        this.out = out;
    }

    public static void main(String[] args) throws Exception {
        int pairs = 5;
        int rounds = 3;
        long sizeMib = 1024;
        boolean smoke = false;
        List<String> suites = List.of("tcp", "mptcp");
        List<String> cases = List.of("transferTo", "sendfile", "transferFrom");
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--pairs" -> pairs = Integer.parseInt(args[++i]);
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                case "--size-mib" -> sizeMib = Long.parseLong(args[++i]);
                case "--suites" -> suites = Arrays.asList(args[++i].split(","));
                case "--cases" -> cases = Arrays.asList(args[++i].split(","));
                case "--smoke" -> smoke = true;
                default -> {
                    System.err.println("usage: TransferBench [--pairs N] [--rounds N]"
                            + " [--size-mib M] [--suites tcp,mptcp]"
                            + " [--cases transferTo,sendfile,mapped,transferFrom] [--smoke]");
                    System.exit(2);
                }
            }
        }
        if (!List.of("tcp", "mptcp").containsAll(suites)
                || !List.of("transferTo", "sendfile", "mapped", "transferFrom")
                        .containsAll(cases)) {
            System.err.println("unknown suite or case in " + suites + " " + cases);
            System.exit(2);
        }
        if (smoke) {
            pairs = 1;
            rounds = 1;
            sizeMib = 8;
        }
        Path dir = Files.createTempDirectory(Path.of("/tmp"), "mptcp-nio-transfer");
        Path file = dir.resolve("source.bin");
        Path out = dir.resolve("received.bin");
        int exit = 0;
        try {
            makeFile(file, sizeMib << 20);
            TransferBench b = new TransferBench(pairs, rounds, smoke, file, out);
            System.out.printf(Locale.ROOT, "mptcp-nio file-transfer benchmark%s: %d MiB file, %d"
                    + " measured round(s) after 1 warm-up round per run, %d pair(s) per case,"
                    + " order alternating%n", smoke ? " (SMOKE: checks bytes only)" : "",
                    sizeMib, rounds, pairs);
            System.out.printf("java %s (%s), %s %s, %d CPUs%n%n",
                    System.getProperty("java.version"), System.getProperty("java.home"),
                    System.getProperty("os.name"), System.getProperty("os.version"),
                    Runtime.getRuntime().availableProcessors());
            for (String suite : suites) {
                BenchDriver.Runner base = suite.equals("tcp") ? BenchDriver.Runner.JDK
                        : BenchDriver.Runner.JDK_MPTCPIZE;
                BenchDriver.Runner ours = suite.equals("tcp") ? BenchDriver.Runner.OURS_OFF
                        : BenchDriver.Runner.OURS;
                for (String bench : cases) {
                    b.compare(suite, bench, base, ours);
                }
            }
            b.printSummary();
        } catch (RunFailed e) {
            System.out.println("\nFAILED: " + e.getMessage());
            exit = 1;
        } finally {
            Files.deleteIfExists(file);
            Files.deleteIfExists(out);
            Files.deleteIfExists(dir);
        }
        System.exit(exit);
    }

    /** Random bytes (a random 1 MiB block, each copy shifted), then read once into the cache. */
    private static void makeFile(Path file, long size) throws IOException {
        byte[] block = new byte[1 << 20];
        new Random(1).nextBytes(block);
        try (FileChannel fc = FileChannel.open(file, StandardOpenOption.CREATE_NEW,
                StandardOpenOption.WRITE)) {
            ByteBuffer b = ByteBuffer.allocateDirect(block.length);
            for (long pos = 0, i = 0; pos < size; pos += block.length, i++) {
                b.clear();
                b.put(block, (int) (i % 4096), block.length - (int) (i % 4096));
                b.put(block, 0, (int) (i % 4096));
                b.flip().limit((int) Math.min(block.length, size - pos));
                while (b.hasRemaining()) {
                    fc.write(b);
                }
            }
        }
        try (FileChannel fc = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer b = ByteBuffer.allocateDirect(1 << 20);
            while (fc.read(b.clear()) > 0) {
                // page the file in
            }
        }
    }

    private void compare(String suite, String bench, BenchDriver.Runner base,
            BenchDriver.Runner ours) throws Exception {
        // The JDK side of "sendfile" and "mapped" is its transferTo: sendfile(2) for its channel.
        String baseMethod = bench.equals("transferFrom") ? bench : "transferTo";
        System.out.printf("[%s] %s: %s (%s) vs %s (%s), MiB/s, higher is better%n", suite, bench,
                ours.label, bench, base.label, baseMethod);
        List<Double> ratios = new ArrayList<>();
        List<String> figures = new ArrayList<>();
        for (int i = 1; i <= pairs; i++) {
            boolean baseFirst = i % 2 == 1;
            double first = baseFirst ? run(base, baseMethod) : run(ours, bench);
            double second = baseFirst ? run(ours, bench) : run(base, baseMethod);
            double b = baseFirst ? first : second;
            double o = baseFirst ? second : first;
            ratios.add(o / b);
            figures.add(String.format(Locale.ROOT, "%.0f/%.0f", o, b));
            System.out.printf(Locale.ROOT, "  pair %d: %.1f / %.1f = %.3f%n", i, o, b, o / b);
        }
        List<Double> sorted = ratios.stream().sorted().toList();
        int n = sorted.size();
        double median = n % 2 == 1 ? sorted.get(n / 2)
                : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
        System.out.printf(Locale.ROOT, "  ratio %s/%s: median %.3f (min %.3f, max %.3f)%n%n",
                ours.label, base.label, median, sorted.get(0), sorted.get(n - 1));
        summaries.add(new Summary(suite, bench, median, sorted.get(0), sorted.get(n - 1),
                String.join(" ", figures)));
    }

    private double run(BenchDriver.Runner runner, String method) throws Exception {
        if (!runner.prefix.isEmpty() && !new java.io.File(runner.prefix.get(0)).canExecute()) {
            throw new RunFailed(runner.prefix.get(0) + " is missing: apt-get install mptcpize");
        }
        List<String> jvmArgs = new ArrayList<>(HEAP);
        jvmArgs.addAll(runner.props);
        List<String> args = new ArrayList<>(List.of("--method", method, "--file",
                file.toString(), "--out", out.toString(), "--rounds", Integer.toString(rounds),
                "--expect", runner.expect));
        if (smoke) {
            args.add("--verify");
        }
        Duration limit = Duration.ofMinutes(10);
        try (ChildJvm child = ChildJvm.start(runner.prefix, jvmArgs,
                TransferBenchMain.class.getName(), args.toArray(String[]::new))) {
            String line;
            try {
                line = child.awaitLine(l -> l.startsWith("RESULT "), limit, "RESULT");
                if (child.awaitExit(limit) != 0) {
                    throw new AssertionError("exit code not 0\n" + child.describe());
                }
            } catch (AssertionError e) {
                throw new RunFailed(runner.label + " " + method + ": " + e.getMessage());
            }
            Map<String, String> fields = new HashMap<>();
            for (String kv : line.substring("RESULT ".length()).split(" ")) {
                String[] p = kv.split("=", 2);
                fields.put(p[0], p[1]);
            }
            return Double.parseDouble(fields.get("mibps"));
        }
    }

    private void printSummary() {
        System.out.println("| suite | case | ratio ours/JDK median | min | max | MiB/s ours/JDK per pair |");
        System.out.println("|---|---|---:|---:|---:|---|");
        for (Summary s : summaries) {
            System.out.printf(Locale.ROOT, "| %s | %s | %.3f | %.3f | %.3f | %s |%n", s.suite,
                    s.bench, s.median, s.min, s.max, s.figures);
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
