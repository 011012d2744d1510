package io.mptcp.it.bench;

import io.mptcp.it.support.Bulk;
import io.mptcp.it.support.ProfiledConnection;
import io.mptcp.it.support.TwoPathTestBed;
import io.mptcp.it.support.TwoPathTestBed.PathManager;
import io.mptcp.nio.MptcpSelectorProvider;
import io.mptcp.nio.MptcpSocketOptions;
import io.mptcp.nio.Subflow;
import io.mptcp.nio.pm.PathProfile;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * What the path profiles' JFR events cost: the CPU time per MiB of a HANDOVER connection's
 * bulk transfer on the two-path test bed (no rate limit, both ends in one child JVM, both
 * directions at once), in child JVMs of three kinds, their order rotating from run to run:
 * <ul>
 *   <li>{@code off}: this build, no recording;
 *   <li>{@code recording}: this build under {@code -XX:StartFlightRecording} (the default
 *       settings, which enable the {@code io.mptcp} events and their 1 s statistics);
 *   <li>{@code baseline}: a build given with {@code --jfr-baseline JAR} (a mptcp-nio jar from
 *       before the events), no recording; left out without it.
 * </ul>
 * The figure is the process's CPU time ({@code OperatingSystemMXBean.getProcessCpuTime}: user
 * and system, every thread) from the first write to the last byte received, per MiB moved.
 * Ratios are taken within a run and their median reported: the machine's load moves whole runs.
 */
public final class JfrCostBench {
    static final long MIB_PER_DIRECTION = 2048;

    private JfrCostBench() {
    }

    /** The child: one transfer, one line {@code JFRCOST cpuNsPerMiB=… seconds=… subflows=…}. */
    public static void main(String[] args) throws Exception {
        long bytes = Long.parseLong(args[0]) << 20;
        MptcpSelectorProvider provider = new MptcpSelectorProvider();
        ExecutorService pool = Executors.newCachedThreadPool();
        try (TwoPathTestBed bed = TwoPathTestBed.start(PathManager.CLIENT_USERSPACE)) {
            ProfiledConnection connection =
                    ProfiledConnection.open(bed, provider, PathProfile.HANDOVER);
            ServerSocketChannel listener = connection.listener();
            SocketChannel client = connection.client();
            try (listener; client; SocketChannel server = listener.accept()) {
                // The backup subflow first: the profile's whole work is part of what is timed.
                // MPTCP is fully established, and the backup opened, after the first data.
                ByteBuffer one = ByteBuffer.allocate(1);
                client.write(one.clear());
                server.read(one.clear());
                server.write(one.flip());
                client.read(one.clear());
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                List<Subflow> subflows = client.getOption(MptcpSocketOptions.MPTCP_SUBFLOWS);
                while (subflows.size() < 2 && System.nanoTime() < deadline) {
                    Thread.sleep(10);
                    subflows = client.getOption(MptcpSocketOptions.MPTCP_SUBFLOWS);
                }
                com.sun.management.OperatingSystemMXBean os =
                        (com.sun.management.OperatingSystemMXBean)
                                ManagementFactory.getOperatingSystemMXBean();
                long cpu0 = os.getProcessCpuTime();
                long t0 = System.nanoTime();
                Future<Bulk.Sent> up = pool.submit(() -> Bulk.send(client, bytes, 1));
                Future<Bulk.Sent> down = pool.submit(() -> Bulk.send(server, bytes, 2));
                Future<Bulk.Received> atServer = pool.submit(() -> Bulk.receive(server, bytes));
                Future<Bulk.Received> atClient = pool.submit(() -> Bulk.receive(client, bytes));
                Bulk.Received s = atServer.get(120, TimeUnit.SECONDS);
                Bulk.Received c = atClient.get(120, TimeUnit.SECONDS);
                long cpu = os.getProcessCpuTime() - cpu0;
                long wall = System.nanoTime() - t0;
                if (!s.sha256().equals(up.get().sha256())
                        || !c.sha256().equals(down.get().sha256())) {
                    throw new IllegalStateException("bytes differ: SHA-256 mismatch");
                }
                System.out.printf(Locale.ROOT, "JFRCOST cpuNsPerMiB=%d seconds=%.3f subflows=%d%n",
                        cpu / ((2 * bytes) >> 20), wall / 1e9, subflows.size());
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * Runs the comparison; prints a line per child and the medians and ratios.
     *
     * @param runs runs of each kind
     * @param baselineJar a mptcp-nio jar to measure as {@code baseline}, or null
     * @param mib MiB per direction
     * @return failures (empty when every child succeeded)
     */
    static List<String> run(int runs, String baselineJar, long mib) throws Exception {
        Map<String, List<Double>> cpu = new LinkedHashMap<>();
        List<String> kinds = new ArrayList<>(List.of("off", "recording"));
        if (baselineJar != null) {
            if (!new File(baselineJar).isFile()) {
                return List.of("--jfr-baseline " + baselineJar + " is not a file; give the path"
                        + " of a mptcp-nio jar built from the commit to compare with");
            }
            kinds.add("baseline");
        }
        kinds.forEach(k -> cpu.put(k, new ArrayList<>()));
        List<String> failures = new ArrayList<>();
        System.out.printf("[jfr] CPU per MiB of a HANDOVER transfer (%d MiB each way, two-path"
                + " test bed, no rate limit): %s, %d runs, order rotating%n", mib, kinds, runs);
        for (int run = 0; run < runs; run++) {
            for (int i = 0; i < kinds.size(); i++) {
                String kind = kinds.get((run + i) % kinds.size());
                try {
                    double v = child(kind, baselineJar, mib);
                    cpu.get(kind).add(v);
                    System.out.printf(Locale.ROOT, "JFR-RUN run=%d kind=%s cpuNsPerMiB=%.0f%n",
                            run + 1, kind, v);
                } catch (IOException | RuntimeException e) {
                    failures.add(kind + " run " + (run + 1) + ": " + e.getMessage());
                }
            }
        }
        if (!failures.isEmpty()) {
            return failures;
        }
        for (String k : kinds) {
            List<Double> v = cpu.get(k);
            System.out.printf(Locale.ROOT, "JFR kind=%s cpuNsPerMiB median=%.0f min=%.0f max=%.0f"
                    + " values=%s%n", k, median(v), v.stream().mapToDouble(d -> d).min()
                    .orElse(0), v.stream().mapToDouble(d -> d).max().orElse(0), v);
        }
        ratio(cpu, "recording", "off");
        if (baselineJar != null) {
            ratio(cpu, "off", "baseline");
        }
        return failures;
    }

    private static void ratio(Map<String, List<Double>> cpu, String a, String b) {
        List<Double> r = new ArrayList<>();
        for (int i = 0; i < cpu.get(a).size(); i++) {
            r.add(cpu.get(a).get(i) / cpu.get(b).get(i));
        }
        System.out.printf(Locale.ROOT, "JFR ratio=%s/%s median=%.3f min=%.3f max=%.3f%n", a, b,
                median(r), r.stream().mapToDouble(d -> d).min().orElse(0),
                r.stream().mapToDouble(d -> d).max().orElse(0));
    }

    private static double median(List<Double> values) {
        List<Double> s = values.stream().sorted().toList();
        int n = s.size();
        return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
    }

    private static double child(String kind, String baselineJar, long mib) throws Exception {
        String cp = System.getProperty("java.class.path");
        if (kind.equals("baseline")) {
            List<String> parts = new ArrayList<>();
            for (String p : cp.split(File.pathSeparator)) {
                parts.add(p.matches(".*/mptcp-nio(-0[^/]*)?\\.jar") && !p.endsWith("-tests.jar")
                        || p.endsWith("mptcp-nio/target/classes") ? baselineJar : p);
            }
            cp = String.join(File.pathSeparator, parts);
        }
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        Path jfr = null;
        if (kind.equals("recording")) {
            jfr = Files.createTempFile("jfr-cost", ".jfr");
            cmd.add("-XX:StartFlightRecording:settings=default,filename=" + jfr);
        }
        cmd.addAll(List.of("-cp", cp, JfrCostBench.class.getName(), Long.toString(mib)));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String result = null;
        StringBuilder output = new StringBuilder();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(),
                StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                output.append(line).append('\n');
                if (line.startsWith("JFRCOST ")) {
                    result = line;
                }
            }
        } finally {
            if (!p.waitFor(180, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
            if (jfr != null) {
                Files.deleteIfExists(jfr);
            }
        }
        if (p.exitValue() != 0 || result == null) {
            throw new IOException("child " + kind + " exited " + p.exitValue() + ":\n" + output);
        }
        if (!result.contains("subflows=2")) {
            throw new IOException("child " + kind + ": HANDOVER opened no backup: " + result);
        }
        return Double.parseDouble(result.replaceAll(".*cpuNsPerMiB=(\\d+).*", "$1"));
    }
}
