package io.mptcp.it.bench;

import io.mptcp.it.bench.jmh.AllocationBenchmark;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;

/**
 * The allocation case of the benchmark: {@link AllocationBenchmark} under JMH with the gc
 * profiler, bytes allocated per write + read ({@code gc.alloc.rate.norm}) for the JDK and for
 * our provider on TCP and MPTCP, heap and direct buffers. Targets: zero with direct buffers, no
 * more than the JDK with heap buffers.
 */
final class AllocationReport {
    // JMH's own measurement leaves a few bytes per operation at most; below this it is zero.
    private static final double ZERO = 0.5;

    private AllocationReport() {
    }

    static List<BenchDriver.Summary> run(boolean smoke) throws RunnerException {
        System.out.println("[alloc] bytes allocated per 64-byte write + read, JMH gc profiler"
                + (smoke ? " (SMOKE: one short iteration)" : ""));
        ChainedOptionsBuilder options = new OptionsBuilder()
                .include(AllocationBenchmark.class.getName())
                .addProfiler(GCProfiler.class)
                .shouldFailOnError(true)
                .verbosity(VerboseMode.SILENT);
        if (smoke) {
            // JMH refuses to start while another JMH run holds /tmp/jmh.lock (a benchmark on
            // the same machine); a smoke run measures nothing, so it need not wait or fail.
            System.setProperty("jmh.ignoreLock", "true");
            options.warmupIterations(1).warmupTime(TimeValue.milliseconds(200))
                    .measurementIterations(1).measurementTime(TimeValue.milliseconds(200));
        }
        Collection<RunResult> results = new Runner(options.build()).run();
        Map<String, Double> bytesPerOp = new HashMap<>();
        for (RunResult r : results) {
            String provider = r.getParams().getParam("provider");
            String buffer = r.getParams().getParam("buffer");
            Result<?> alloc = r.getSecondaryResults().get("gc.alloc.rate.norm");
            if (alloc == null) {
                throw new IllegalStateException("JMH reported no gc.alloc.rate.norm for "
                        + provider + "/" + buffer);
            }
            bytesPerOp.put(provider + "/" + buffer, alloc.getScore());
            System.out.printf(Locale.ROOT, "  %-8s %-6s %8.2f B/op  (%.0f ns/op)%n", provider,
                    buffer, alloc.getScore(), r.getPrimaryResult().getScore());
        }
        List<BenchDriver.Summary> rows = new ArrayList<>();
        for (String ours : List.of("ours-off", "ours")) {
            String suite = ours.equals("ours") ? "mptcp" : "tcp";
            double direct = bytesPerOp.get(ours + "/direct");
            double heap = bytesPerOp.get(ours + "/heap");
            double jdkHeap = bytesPerOp.get("jdk/heap");
            String v = smoke ? "n/a (smoke)" : null;
            rows.add(new BenchDriver.Summary(suite, "alloc", "B/op direct " + ours, direct,
                    direct, direct, "0", v != null ? v : direct < ZERO ? "met" : "MISSED"));
            rows.add(new BenchDriver.Summary(suite, "alloc", "B/op heap " + ours + " (jdk "
                    + String.format(Locale.ROOT, "%.1f", jdkHeap) + ")", heap, heap, heap,
                    "<= jdk", v != null ? v : heap <= jdkHeap + ZERO ? "met" : "MISSED"));
        }
        System.out.println();
        return rows;
    }
}
