package io.mptcp.it.bench;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32C;

/**
 * Bulk throughput over {@code connections} loopback connections at once: per connection a
 * blocking sender thread writes 64 KiB buffers (heap or direct) as fast as it can, and a
 * blocking receiver thread reads them into a buffer of the same kind. Reports the sum of the
 * connections' MiB/s over the measured window; stalls (writes blocked over 50 ms: a kernel
 * retransmission timer on loopback) and MiB/s with the stalled time taken out; and checks that
 * every byte arrived (with {@code verify}, their CRC32C too).
 */
final class BulkCase {
    static final int CHUNK = 64 * 1024;
    private static final double MIB = 1024 * 1024;
    private static final long STALL_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

    private final boolean direct;
    private final int connections;
    private final long warmNs;
    private final long runNs;
    private final boolean verify;
    private final String expect;

    BulkCase(boolean direct, int connections, long warmNs, long runNs, boolean verify,
            String expect) {
        this.direct = direct;
        this.connections = connections;
        this.warmNs = warmNs;
        this.runNs = runNs;
        this.verify = verify;
        this.expect = expect;
    }

    /** What one sender measured. */
    private record Sent(long total, long windowBytes, long windowNanos, int stalls,
            long stalledNanos, long crc) {
    }

    String run() throws Exception {
        try (ServerSocketChannel listener = ServerSocketChannel.open()) {
            listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                    connections);
            List<SocketChannel> clients = new ArrayList<>();
            List<CompletableFuture<long[]>> sinks = new ArrayList<>();
            try {
                for (int i = 0; i < connections; i++) {
                    SocketChannel c = SocketChannel.open(listener.getLocalAddress());
                    clients.add(c);
                    SocketChannel accepted = listener.accept();
                    CompletableFuture<long[]> sink = new CompletableFuture<>();
                    sinks.add(sink);
                    start("bulk-sink-" + i, () -> drain(accepted, sink));
                    BenchMain.checkTransport(c, expect);
                }
                long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(50);
                List<CompletableFuture<Sent>> senders = new ArrayList<>();
                for (int i = 0; i < connections; i++) {
                    SocketChannel c = clients.get(i);
                    CompletableFuture<Sent> sent = new CompletableFuture<>();
                    senders.add(sent);
                    start("bulk-source-" + i, () -> {
                        try {
                            sent.complete(send(c, start));
                        } catch (IOException | RuntimeException e) {
                            sent.completeExceptionally(e);
                        }
                    });
                }
                return summarise(senders, sinks);
            } finally {
                for (SocketChannel c : clients) {
                    c.close();
                }
            }
        }
    }

    private String summarise(List<CompletableFuture<Sent>> senders,
            List<CompletableFuture<long[]>> sinks) throws Exception {
        long timeout = TimeUnit.NANOSECONDS.toSeconds(warmNs + runNs) + 60;
        double mibps = 0;
        double unstalledMibps = 0;
        int stalls = 0;
        long bytes = 0;
        double stalledSeconds = 0;
        for (int i = 0; i < connections; i++) {
            Sent s = senders.get(i).get(timeout, TimeUnit.SECONDS);
            long[] got = sinks.get(i).get(timeout, TimeUnit.SECONDS);
            if (got[0] != s.total || verify && got[1] != s.crc) {
                throw new IOException("connection " + i + ": receiver got " + got[0]
                        + " bytes (crc " + got[1] + "), sender wrote " + s.total + " (crc "
                        + s.crc + ")");
            }
            double secs = s.windowNanos / 1e9;
            mibps += s.windowBytes / MIB / secs;
            unstalledMibps += s.windowBytes / MIB / (secs - s.stalledNanos / 1e9);
            stalls += s.stalls;
            bytes += s.total;
            stalledSeconds += s.stalledNanos / 1e9;
        }
        return String.format(Locale.ROOT, "connections=%d mibps=%.1f unstalled_mibps=%.1f"
                + " stalls=%d bytes=%d stalled_seconds=%.3f verified=%s", connections, mibps,
                unstalledMibps, stalls, bytes, stalledSeconds, verify);
    }

    private Sent send(SocketChannel c, long start) throws IOException {
        ByteBuffer buf = direct ? ByteBuffer.allocateDirect(CHUNK) : ByteBuffer.allocate(CHUNK);
        byte[] noise = new byte[CHUNK];
        new SplittableRandom(7).nextBytes(noise);
        buf.put(noise);
        CRC32C crc = new CRC32C();
        long total = 0;
        long measuredFrom = -1;
        long measuredBytes0 = 0;
        int stalls = 0;
        long stalledNanos = 0;
        long end = start + warmNs + runNs;
        while (System.nanoTime() < start) {
            Thread.onSpinWait();
        }
        long last = System.nanoTime();
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
            // A sequence number per chunk: a lost, repeated or reordered chunk changes the CRC
            // even though the rest of every chunk is the same.
            buf.putLong(0, total);
            if (verify) {
                crc.update(buf.duplicate());
            }
            while (buf.hasRemaining()) {
                c.write(buf);
            }
            total += CHUNK;
        }
        c.shutdownOutput();
        return new Sent(total, total - measuredBytes0, now - measuredFrom, stalls, stalledNanos,
                crc.getValue());
    }

    private void drain(SocketChannel s, CompletableFuture<long[]> result) {
        try (s) {
            ByteBuffer buf = direct ? ByteBuffer.allocateDirect(CHUNK) : ByteBuffer.allocate(CHUNK);
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
            result.completeExceptionally(e);
        }
    }

    private static void start(String name, Runnable body) {
        Thread t = new Thread(body, name);
        t.setDaemon(true);
        t.start();
    }
}
