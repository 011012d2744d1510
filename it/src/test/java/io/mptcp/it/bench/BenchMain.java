package io.mptcp.it.bench;

import io.mptcp.it.support.KernelView;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.spi.SelectorProvider;
import java.util.Arrays;
import java.util.Iterator;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32C;

/**
 * One benchmark case in this JVM, over loopback, with nothing but the plain NIO API, so that it
 * measures whichever {@code SelectorProvider} the JVM was started with. Run by
 * {@link BenchDriver}; prints {@code PROVIDER <class>} and one {@code RESULT key=value…} line.
 *
 * <ul>
 *   <li>{@code bulk-heap}, {@code bulk-direct}: a blocking client writes 64 KiB buffers (heap
 *       or direct) as fast as it can; a blocking receiver reads them into a buffer of the same
 *       kind. Reports MiB/s over the measured window; stalls (writes blocked over 50 ms, a
 *       kernel retransmission timer on loopback) and MiB/s with the stalled time taken out;
 *       and checks that every byte arrived.</li>
 *   <li>{@code rtt}: a blocking client sends 64 bytes and waits for them to come back from a
 *       non-blocking, selector-driven echo server (heap buffers, TCP_NODELAY both ends); one
 *       request in flight. Reports mean, p50 and p99 round-trip time and checks each reply.</li>
 * </ul>
 *
 * <p>Before measuring it asks the kernel whether the connection is what the run claims
 * ({@code --expect mptcp|tcp}), so that MPTCP is never compared with TCP by mistake.
 * {@code --verify} adds a CRC32C over the bulk stream (costs throughput: smoke runs only).
 */
public final class BenchMain {

    static final int BULK_CHUNK = 64 * 1024;
    static final int RTT_SIZE = 64;
    private static final long MIB = 1024 * 1024;
    private static final long STEP_SECONDS = 60;
    // A write that blocks this long is a stall, not back-pressure: on loopback it means a
    // retransmission timer fired (minimum RTO 200 ms).
    private static final long STALL_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

    private BenchMain() {
    }

    public static void main(String[] args) throws Exception {
        String bench = null;
        double seconds = 5;
        double warmup = 2;
        boolean verify = false;
        String expect = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--case" -> bench = args[++i];
                case "--seconds" -> seconds = Double.parseDouble(args[++i]);
                case "--warmup" -> warmup = Double.parseDouble(args[++i]);
                case "--verify" -> verify = true;
                case "--expect" -> expect = args[++i];
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        if (bench == null || !("mptcp".equals(expect) || "tcp".equals(expect))) {
            throw new IllegalArgumentException(
                    "usage: --case bulk-heap|bulk-direct|rtt --expect mptcp|tcp"
                            + " [--seconds S] [--warmup S] [--verify]");
        }
        System.out.println("PROVIDER " + SelectorProvider.provider().getClass().getName());
        long warmNs = (long) (warmup * 1e9);
        long runNs = (long) (seconds * 1e9);
        String result = switch (bench) {
            case "bulk-heap" -> bulk(false, warmNs, runNs, verify, expect);
            case "bulk-direct" -> bulk(true, warmNs, runNs, verify, expect);
            case "rtt" -> rtt(warmNs, runNs, expect);
            default -> throw new IllegalArgumentException("unknown case " + bench);
        };
        System.out.println("RESULT case=" + bench + " " + result);
    }

    private static String bulk(boolean direct, long warmNs, long runNs, boolean verify,
            String expect) throws Exception {
        try (ServerSocketChannel listener = ServerSocketChannel.open()) {
            listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            CompletableFuture<Void> accepted = new CompletableFuture<>();
            CompletableFuture<long[]> sink = new CompletableFuture<>();
            Thread t = new Thread(() -> drain(listener, direct, verify, accepted, sink),
                    "bulk-sink");
            t.setDaemon(true);
            t.start();
            try (SocketChannel c = SocketChannel.open(listener.getLocalAddress())) {
                accepted.get(STEP_SECONDS, TimeUnit.SECONDS);
                checkTransport(c, expect);
                ByteBuffer buf = direct ? ByteBuffer.allocateDirect(BULK_CHUNK)
                        : ByteBuffer.allocate(BULK_CHUNK);
                byte[] noise = new byte[BULK_CHUNK];
                new SplittableRandom(7).nextBytes(noise);
                buf.put(noise);
                CRC32C crc = new CRC32C();
                long total = 0;
                long measuredFrom = -1;
                long measuredBytes0 = 0;
                int stalls = 0;
                long stalledNanos = 0;
                long start = System.nanoTime();
                long end = start + warmNs + runNs;
                long last = start;
                long now;
                while ((now = System.nanoTime()) < end) {
                    if (measuredFrom < 0 && now >= start + warmNs) {
                        measuredFrom = now;
                        measuredBytes0 = total;
                    }
                    if (measuredFrom >= 0 && now - last > STALL_NANOS) {
                        stalls++;
                        stalledNanos += now - last;
                    }
                    last = now;
                    buf.clear();
                    // A sequence number per chunk: a lost, repeated or reordered chunk changes
                    // the CRC even though the rest of every chunk is the same.
                    buf.putLong(0, total);
                    if (verify) {
                        crc.update(buf.duplicate());
                    }
                    while (buf.hasRemaining()) {
                        c.write(buf);
                    }
                    total += BULK_CHUNK;
                }
                double secs = (now - measuredFrom) / 1e9;
                double unstalledSecs = secs - stalledNanos / 1e9;
                c.shutdownOutput();
                long[] got = sink.get(STEP_SECONDS, TimeUnit.SECONDS);
                if (got[0] != total || verify && got[1] != crc.getValue()) {
                    throw new IOException("receiver got " + got[0] + " bytes (crc " + got[1]
                            + "), sender wrote " + total + " (crc " + crc.getValue() + ")");
                }
                double mib = (total - measuredBytes0) / (double) MIB;
                return String.format("mibps=%.1f unstalled_mibps=%.1f stalls=%d bytes=%d"
                        + " seconds=%.3f stalled_seconds=%.3f verified=%s", mib / secs,
                        mib / unstalledSecs, stalls, total, secs, stalledNanos / 1e9, verify);
            }
        }
    }

    private static void drain(ServerSocketChannel listener, boolean direct, boolean verify,
            CompletableFuture<Void> accepted, CompletableFuture<long[]> result) {
        try (SocketChannel s = listener.accept()) {
            accepted.complete(null);
            ByteBuffer buf = direct ? ByteBuffer.allocateDirect(BULK_CHUNK)
                    : ByteBuffer.allocate(BULK_CHUNK);
            CRC32C crc = new CRC32C();
            long n = 0;
            for (int r; (r = s.read(buf)) >= 0; ) {
                if (verify) {
                    buf.flip();
                    crc.update(buf);
                }
                n += r;
                buf.clear();
            }
            result.complete(new long[] {n, crc.getValue()});
        } catch (IOException | RuntimeException e) {
            accepted.completeExceptionally(e);
            result.completeExceptionally(e);
        }
    }

    private static String rtt(long warmNs, long runNs, String expect) throws Exception {
        try (RttServer server = new RttServer();
             SocketChannel c = SocketChannel.open(server.address())) {
            c.setOption(StandardSocketOptions.TCP_NODELAY, true);
            ByteBuffer req = ByteBuffer.allocate(RTT_SIZE);
            ByteBuffer resp = ByteBuffer.allocate(RTT_SIZE);
            new SplittableRandom(11).nextBytes(req.array());
            roundTrip(c, req, resp, -1);
            checkTransport(c, expect);
            long[] samples = new long[1 << 16];
            int n = 0;
            long start = System.nanoTime();
            long measureFrom = start + warmNs;
            long end = measureFrom + runNs;
            for (long seq = 0, t0; (t0 = System.nanoTime()) < end; seq++) {
                roundTrip(c, req, resp, seq);
                if (t0 >= measureFrom) {
                    if (n == samples.length) {
                        samples = Arrays.copyOf(samples, n * 2);
                    }
                    samples[n++] = System.nanoTime() - t0;
                }
            }
            Arrays.sort(samples, 0, n);
            double mean = Arrays.stream(samples, 0, n).average().orElse(Double.NaN);
            return String.format("count=%d mean_us=%.2f p50_us=%.2f p99_us=%.2f", n,
                    mean / 1e3, samples[percentile(n, 0.50)] / 1e3,
                    samples[percentile(n, 0.99)] / 1e3);
        }
    }

    private static int percentile(int n, double p) {
        if (n == 0) {
            throw new IllegalStateException("no round trip was measured");
        }
        return (int) Math.ceil(p * n) - 1;
    }

    /** Sends {@code req} with {@code seq} in front, reads the reply and checks it. */
    private static void roundTrip(SocketChannel c, ByteBuffer req, ByteBuffer resp, long seq)
            throws IOException {
        req.clear();
        req.putLong(0, seq);
        while (req.hasRemaining()) {
            c.write(req);
        }
        resp.clear();
        while (resp.hasRemaining()) {
            if (c.read(resp) < 0) {
                throw new IOException("echo server closed the connection");
            }
        }
        if (!Arrays.equals(req.array(), resp.array())) {
            throw new IOException("reply " + seq + " differs from the request");
        }
    }

    private static void checkTransport(SocketChannel c, String expect) throws IOException {
        int local = ((InetSocketAddress) c.getLocalAddress()).getPort();
        int remote = ((InetSocketAddress) c.getRemoteAddress()).getPort();
        KernelView view = KernelView.of(local, remote);
        boolean ok = "mptcp".equals(expect) ? view.isMptcp() : view.isPlainTcp();
        if (!ok) {
            throw new IOException("expected " + expect + " but the kernel shows\n" + view);
        }
    }

    /** A single-threaded selector loop that echoes each 64-byte request. */
    private static final class RttServer implements AutoCloseable {
        private final ServerSocketChannel listener = ServerSocketChannel.open();
        private final Selector selector = Selector.open();
        private final Thread thread = new Thread(this::loop, "rtt-server");
        private volatile boolean stop;

        RttServer() throws IOException {
            listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            listener.configureBlocking(false);
            listener.register(selector, SelectionKey.OP_ACCEPT);
            thread.setDaemon(true);
            thread.start();
        }

        InetSocketAddress address() throws IOException {
            return (InetSocketAddress) listener.getLocalAddress();
        }

        private void loop() {
            try {
                while (!stop) {
                    selector.select();
                    Iterator<SelectionKey> it = selector.selectedKeys().iterator();
                    while (it.hasNext()) {
                        SelectionKey key = it.next();
                        it.remove();
                        if (key.isAcceptable()) {
                            accept();
                        } else if (key.isValid()) {
                            serve(key);
                        }
                    }
                }
            } catch (IOException | RuntimeException e) {
                if (!stop) {
                    System.out.println("rtt server failed: " + e);
                }
            }
        }

        private void accept() throws IOException {
            SocketChannel ch = listener.accept();
            if (ch != null) {
                ch.configureBlocking(false);
                ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
                ch.register(selector, SelectionKey.OP_READ, ByteBuffer.allocate(RTT_SIZE));
            }
        }

        private static void serve(SelectionKey key) throws IOException {
            SocketChannel ch = (SocketChannel) key.channel();
            ByteBuffer buf = (ByteBuffer) key.attachment();
            if (key.isReadable()) {
                if (ch.read(buf) < 0) {
                    ch.close();
                    return;
                }
                if (buf.hasRemaining()) {
                    return;
                }
                buf.flip();
            }
            ch.write(buf);
            if (buf.hasRemaining()) {
                key.interestOps(SelectionKey.OP_WRITE);
            } else {
                buf.clear();
                key.interestOps(SelectionKey.OP_READ);
            }
        }

        @Override
        public void close() throws IOException, InterruptedException {
            stop = true;
            selector.wakeup();
            thread.join(TimeUnit.SECONDS.toMillis(STEP_SECONDS));
            selector.close();
            listener.close();
        }
    }
}
