package io.mptcp.it.bench;

import io.mptcp.it.support.ChildProcess;
import io.mptcp.it.support.TwoPathTestBed;
import io.mptcp.nio.MptcpSelectorProvider;
import io.mptcp.nio.pm.EventSource;
import io.mptcp.nio.pm.MptcpEvent;
import io.mptcp.nio.pm.MptcpEventChannel;

import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The event channel under load (root only; in the two-path test bed's client namespace, so
 * that no other program's events count). The events are listener events: opening and closing
 * an MPTCP listener makes the kernel send {@code LISTENER_CREATED} and {@code LISTENER_CLOSED},
 * two events for four cheap syscalls, more than connections could make on this machine.
 * <ul>
 *   <li><b>rate</b>: a generator opens and closes listeners at a paced rate, doubled from
 *       2,500 events/s step by step until a step overruns ({@code EventsLost}) or the
 *       generator cannot keep up, while a selector loop receives, with the default receive
 *       buffer; the figure is the rate of the last step without overrun.</li>
 *   <li><b>delay</b>: one listener every 5 ms; for each, the time from the return of the
 *       {@code listen} call that made the kernel send {@code LISTENER_CREATED} to the event in
 *       the Java selector loop, and to the line {@code ip mptcp monitor} prints for it in the
 *       same run (read by a thread of this JVM from its pipe: the same kind of callback).</li>
 * </ul>
 */
public final class EventsBench {

    /** A measured figure: one value per run. */
    public record Figure(String name, List<Double> values) {
    }

    // SO_RCVBUFFORCE: root may go beyond net.core.rmem_max
    private static final int BIG_BUFFER = 8 << 20;

    private final MptcpSelectorProvider provider = new MptcpSelectorProvider();

    private EventsBench() {
    }

    /** {@code runs} rate and delay measurements of {@code seconds} each, printed as they go. */
    public static List<Figure> run(int runs, double seconds) throws Exception {
        EventsBench b = new EventsBench();
        List<Double> rate = new ArrayList<>();
        List<Double> lost = new ArrayList<>();
        List<Double> bigRate = new ArrayList<>();
        List<Double> javaP50 = new ArrayList<>();
        List<Double> javaP99 = new ArrayList<>();
        List<Double> ipP50 = new ArrayList<>();
        List<Double> ipP99 = new ArrayList<>();
        try (TwoPathTestBed bed = TwoPathTestBed.start()) {
            for (int i = 1; i <= runs; i++) {
                // Paced steps, doubling, until one overruns: the last clean step's rate is
                // the rate sustained without overrun.
                double[] standard = b.sustained(bed, seconds, i, 0);
                rate.add(standard[0]);
                lost.add(standard[1]);
                bigRate.add(b.sustained(bed, seconds, i, BIG_BUFFER)[0]);
                double[] d = b.delay(bed, seconds);
                javaP50.add(d[0]);
                javaP99.add(d[1]);
                ipP50.add(d[2]);
                ipP99.add(d[3]);
                System.out.printf(Locale.ROOT, "  run %d: kernel -> callback, us: Java p50 %.0f"
                        + " p99 %.0f; ip mptcp monitor p50 %.0f p99 %.0f (%d events)%n", i,
                        d[0], d[1], d[2], d[3], (long) d[4]);
            }
        }
        return List.of(new Figure("events-per-s", rate), new Figure("events-lost", lost),
                new Figure("events-per-s-8mib", bigRate),
                new Figure("java-p50-us", javaP50), new Figure("java-p99-us", javaP99),
                new Figure("ip-p50-us", ipP50), new Figure("ip-p99-us", ipP99));
    }

    /**
     * Paced steps, doubling, until one overruns or the generator cannot keep up: {the last
     * clean step's delivered rate, the overruns of the step that failed}.
     */
    private double[] sustained(TwoPathTestBed bed, double seconds, int run, int buffer)
            throws Exception {
        double clean = 0;
        for (double target = 2_500; target <= 1_000_000; target *= 2) {
            double[] r = rate(bed, seconds, target, buffer);
            System.out.printf(Locale.ROOT, "  run %d, buffer %s, paced at %.0f events/s: %.0f"
                    + " delivered (%.0f generated), EventsLost %d%n", run,
                    buffer == 0 ? "default" : buffer / 1024 + " KiB", target, r[0], r[2],
                    (long) r[1]);
            if (r[1] > 0) {
                return new double[] {clean, r[1]};
            }
            clean = r[0];
            if (r[2] < 0.9 * target) {
                // The generator cannot go faster on this machine.
                break;
            }
        }
        return new double[] {clean, 0};
    }

    /** {events/s delivered, events lost, events/s generated}, paced at {@code target}. */
    private double[] rate(TwoPathTestBed bed, double seconds, double target, int buffer)
            throws Exception {
        try (MptcpEventChannel ch = bed.client().call(() -> MptcpEventChannel.open(provider,
                MptcpEventChannel.Options.DEFAULT.localEvents(false)
                        .receiveBufferBytes(buffer)));
                Selector selector = provider.openSelector()) {
            if (ch.source() != EventSource.NETLINK) {
                throw new IllegalStateException("the bench needs the netlink source");
            }
            ch.configureBlocking(false);
            ch.register(selector, SelectionKey.OP_READ);
            AtomicBoolean stop = new AtomicBoolean();
            AtomicLong listeners = new AtomicLong();
            long end = System.nanoTime() + (long) (seconds * 1e9);
            long perListener = (long) (2e9 / target);
            Future<Void> generator = bed.client().submit(() -> {
                long next = System.nanoTime();
                while (!stop.get()) {
                    provider.openServerSocketChannel(StandardProtocolFamily.INET)
                            .bind(new InetSocketAddress(0)).close();
                    listeners.incrementAndGet();
                    next += perListener;
                    long ahead = next - System.nanoTime();
                    if (ahead > 0) {
                        java.util.concurrent.locks.LockSupport.parkNanos(ahead);
                    }
                }
                return null;
            });
            long received = 0;
            long lost = 0;
            long start = System.nanoTime();
            while (System.nanoTime() < end) {
                selector.select(100);
                selector.selectedKeys().clear();
                for (MptcpEvent e = ch.receive(); e != null; e = ch.receive()) {
                    if (e instanceof MptcpEvent.EventsLost) {
                        lost++;
                    } else {
                        received++;
                    }
                }
            }
            stop.set(true);
            generator.get();
            // What the kernel queued before the stop is part of the run.
            Thread.sleep(50);
            for (MptcpEvent e = ch.receive(); e != null; e = ch.receive()) {
                if (e instanceof MptcpEvent.EventsLost) {
                    lost++;
                } else {
                    received++;
                }
            }
            double elapsed = (System.nanoTime() - start) / 1e9;
            return new double[] {received / elapsed, lost, 2 * listeners.get() / elapsed};
        }
    }

    /** {Java p50, p99, ip p50, p99 (microseconds), events}. */
    private double[] delay(TwoPathTestBed bed, double seconds) throws Exception {
        int count = Math.max(20, (int) (seconds * 200));
        long[] made = new long[count];
        long[] java = new long[count];
        long[] ip = new long[count];
        ChildProcess monitor = bed.client().start("ip", "mptcp", "monitor");
        try {
            awaitMonitor(bed, monitor);
            return delay(bed, monitor, count, made, java, ip);
        } finally {
            monitor.close();
        }
    }

    private double[] delay(TwoPathTestBed bed, ChildProcess monitor, int count, long[] made,
            long[] java, long[] ip) throws Exception {
        // Opened after the monitor's probes, so that both see the same listeners.
        try (MptcpEventChannel ch = bed.client().call(() -> MptcpEventChannel.open(
                        provider, MptcpEventChannel.Options.DEFAULT.localEvents(false)));
                Selector selector = provider.openSelector()) {
            ch.configureBlocking(false);
            ch.register(selector, SelectionKey.OP_READ);
            Thread ipReader = new Thread(() -> {
                try {
                    for (int i = 0; i < count; i++) {
                        monitor.awaitLine(l -> l.contains("UNKNOWN 15"), Duration.ofSeconds(30),
                                "listener " + i);
                        ip[i] = System.nanoTime();
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "ip-monitor-reader");
            ipReader.start();
            Future<Void> generator = bed.client().submit(() -> {
                for (int i = 0; i < count; i++) {
                    ServerSocketChannel l = provider.openServerSocketChannel(
                            StandardProtocolFamily.INET);
                    l.bind(new InetSocketAddress(0));
                    made[i] = System.nanoTime();
                    Thread.sleep(5);
                    l.close();
                }
                return null;
            });
            int seen = 0;
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (seen < count && System.nanoTime() < deadline) {
                selector.select(100);
                selector.selectedKeys().clear();
                for (MptcpEvent e = ch.receive(); e != null; e = ch.receive()) {
                    if (e instanceof MptcpEvent.ListenerCreated) {
                        java[seen++] = System.nanoTime();
                    }
                }
            }
            generator.get();
            ipReader.join(30_000);
            double[] j = new double[count];
            double[] m = new double[count];
            for (int i = 0; i < count; i++) {
                j[i] = (java[i] - made[i]) / 1e3;
                m[i] = (ip[i] - made[i]) / 1e3;
            }
            return new double[] {percentile(j, 50), percentile(j, 99), percentile(m, 50),
                    percentile(m, 99), count};
        }
    }

    /** Probes until {@code ip mptcp monitor} prints, then swallows the probes' lines. */
    private void awaitMonitor(TwoPathTestBed bed, ChildProcess monitor) throws Exception {
        for (int attempt = 0; attempt < 50; attempt++) {
            bed.client().call(() -> {
                provider.openServerSocketChannel(StandardProtocolFamily.INET)
                        .bind(new InetSocketAddress(0)).close();
                return null;
            });
            try {
                monitor.awaitLine(l -> l.contains("UNKNOWN 15"), Duration.ofMillis(300),
                        "probe");
                monitor.awaitLine(l -> l.contains("UNKNOWN 16"), Duration.ofSeconds(5),
                        "probe");
                return;
            } catch (AssertionError notYet) {
                // not subscribed yet
            }
        }
        throw new IllegalStateException("ip mptcp monitor printed nothing\n"
                + monitor.describe());
    }

    private static double percentile(double[] values, int p) {
        double[] sorted = values.clone();
        java.util.Arrays.sort(sorted);
        int at = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, at))];
    }
}
