package io.mptcp.it.multipath;

import io.mptcp.it.support.Bulk;
import io.mptcp.it.support.NetNamespace;
import io.mptcp.it.support.Subflows;
import io.mptcp.it.support.TwoPathTestBed;
import io.mptcp.it.support.TwoPathTestBed.Link;
import io.mptcp.nio.MptcpSelectorProvider;
import io.mptcp.nio.MptcpSocketOptions;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The multipath part of the benchmark, on the two-path test bed (root only), mptcp-nio on both
 * ends. Not a comparison with the JDK (the JDK cannot choose subflows): MPTCP against one link.
 *
 * <ul>
 *   <li><b>aggregate</b>: both links limited with tbf to the same rate; a transfer over one
 *       link with {@code MPTCP_ENABLED} set to false (plain TCP, link 1), then an MPTCP
 *       transfer of twice the bytes over both. Reports the ratio MPTCP/one link, from the
 *       sender's first write to the receiver's last byte (slow start and the join of the
 *       second subflow included), and in steady state (the first quarter of the bytes left
 *       out).</li>
 *   <li><b>handover</b>: an MPTCP transfer in both directions over both links; when a quarter
 *       has arrived, one link goes down (links 1 and 2 alternate between runs). Reports the
 *       longest time without a byte arriving after the failure (either direction) and the
 *       bytes lost (SHA-256 of what was sent against what arrived).</li>
 * </ul>
 */
public final class MultipathBench {
    private static final int RATE_MBIT = 50;
    private static final Duration DEADLINE = Duration.ofSeconds(60);

    private final MptcpSelectorProvider provider = new MptcpSelectorProvider();
    private final ExecutorService pool = Executors.newCachedThreadPool();
    private final double seconds;

    /** A measured figure: one value per run. */
    public record Figure(String name, List<Double> values) {
    }

    private MultipathBench(double seconds) {
        this.seconds = seconds;
    }

    /**
     * Runs {@code runs} aggregate and {@code runs} handover measurements, printing each.
     *
     * @param seconds how long the single-link transfer lasts (the others are sized from it)
     */
    public static List<Figure> run(int runs, double seconds) throws Exception {
        MultipathBench bench = new MultipathBench(seconds);
        try {
            return bench.runAll(runs);
        } finally {
            bench.pool.shutdownNow();
        }
    }

    private List<Figure> runAll(int runs) throws Exception {
        List<Double> raw = new ArrayList<>();
        List<Double> steady = new ArrayList<>();
        List<Double> stall = new ArrayList<>();
        List<Double> lost = new ArrayList<>();
        System.out.printf(Locale.ROOT, "[multipath] aggregate: tbf %d Mbit/s on each link, one"
                + " link (TCP) against both (MPTCP)%n", RATE_MBIT);
        for (int i = 1; i <= runs; i++) {
            double[] r = aggregate();
            raw.add(r[1] / r[0]);
            steady.add(r[3] / r[2]);
            System.out.printf(Locale.ROOT, "  run %d: one link %.1f Mbit/s, both %.1f Mbit/s,"
                    + " ratio %.3f; steady %.1f / %.1f Mbit/s = %.3f%n", i, r[0] / 1e6,
                    r[1] / 1e6, r[1] / r[0], r[3] / 1e6, r[2] / 1e6, r[3] / r[2]);
        }
        System.out.println("[multipath] handover: one link down mid-transfer (both directions)");
        for (int i = 1; i <= runs; i++) {
            int failing = i % 2 == 1 ? 1 : 2;
            double[] h = handover(failing);
            stall.add(h[0]);
            lost.add(h[1]);
            System.out.printf(Locale.ROOT, "  run %d: link %d down, longest stall %.0f ms,"
                    + " bytes lost %.0f%n", i, failing, h[0], h[1]);
        }
        System.out.println();
        return List.of(new Figure("aggregate", raw), new Figure("aggregate-steady", steady),
                new Figure("stall-ms", stall), new Figure("bytes-lost", lost));
    }

    /** {one link bit/s, both links bit/s, one link steady, both steady}. */
    private double[] aggregate() throws Exception {
        long single = (long) (RATE_MBIT * 1e6 / 8 * seconds);
        try (TwoPathTestBed bed = TwoPathTestBed.start()) {
            bed.links().forEach(l -> bed.limitRate(l, RATE_MBIT));
            Bulk.Received[] one = new Bulk.Received[1];
            double oneRate = transfer(bed, false, single, one);
            Bulk.Received[] both = new Bulk.Received[1];
            double bothRate = transfer(bed, true, 2 * single, both);
            return new double[] {oneRate, bothRate, one[0].steadyBitsPerSecond(0.25),
                    both[0].steadyBitsPerSecond(0.25)};
        }
    }

    /** A client-to-server transfer; returns bit/s and leaves what arrived in {@code got[0]}. */
    private double transfer(TwoPathTestBed bed, boolean mptcp, long bytes, Bulk.Received[] got)
            throws Exception {
        try (Connected p = Connected.open(bed, provider, mptcp)) {
            if (p.client.getOption(MptcpSocketOptions.MPTCP_ENABLED) != mptcp) {
                throw new IOException("MPTCP_ENABLED is not " + mptcp + " on the client");
            }
            Future<Bulk.Sent> sent = pool.submit(() -> Bulk.send(p.client, bytes, 5));
            Bulk.Received r = Bulk.receive(p.server, bytes);
            Bulk.Sent s = sent.get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
            if (!s.sha256().equals(r.sha256())) {
                throw new IOException("the bytes that arrived differ from those sent");
            }
            got[0] = r;
            return r.bitsPerSecondSince(s.startNanos());
        }
    }

    /** {longest stall in ms after the failure, bytes lost}. */
    private double[] handover(int failing) throws Exception {
        long bytes = (long) (2 * RATE_MBIT * 1e6 / 8 * seconds * 0.6);
        try (TwoPathTestBed bed = TwoPathTestBed.start()) {
            bed.links().forEach(l -> bed.limitRate(l, RATE_MBIT));
            for (NetNamespace ns : List.of(bed.client(), bed.server())) {
                // As LinkFailureIT explains: the dead subflow is aborted after 3 s, not 15 min.
                ns.setSysctl("net.ipv4.tcp_retries2=3");
            }
            Link dead = bed.link(failing);
            try (Connected p = Connected.open(bed, provider)) {
                Subflows.await(p.client, l -> l.size() == 2, DEADLINE, "two subflows",
                        bed::describeMptcp);
                AtomicLong serverGot = new AtomicLong();
                Future<Bulk.Sent> up = pool.submit(() -> Bulk.send(p.client, bytes, 11));
                Future<Bulk.Sent> down = pool.submit(() -> Bulk.send(p.server, bytes, 12));
                Future<Bulk.Received> atServer =
                        pool.submit(() -> Bulk.receive(p.server, bytes, serverGot));
                Future<Bulk.Received> atClient = pool.submit(() -> Bulk.receive(p.client, bytes));
                long deadline = System.nanoTime() + DEADLINE.toNanos();
                while (serverGot.get() < bytes / 4 && System.nanoTime() < deadline) {
                    Thread.sleep(2);
                }
                long failedAt = System.nanoTime();
                bed.setLinkUp(dead, false);
                Bulk.Received s = atServer.get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
                Bulk.Received c = atClient.get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
                long lost = (bytes - s.bytes()) + (bytes - c.bytes());
                if (lost == 0 && (!up.get().sha256().equals(s.sha256())
                        || !down.get().sha256().equals(c.sha256()))) {
                    throw new IOException("every byte arrived but some differ from those sent");
                }
                double stallMs = Math.max(s.longestGapAfterNanos(failedAt),
                        c.longestGapAfterNanos(failedAt)) / 1e6;
                return new double[] {stallMs, lost};
            }
        }
    }
}
