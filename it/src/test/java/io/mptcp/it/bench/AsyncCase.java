package io.mptcp.it.bench;

import io.mptcp.it.support.KernelView;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousServerSocketChannel;
import java.nio.channels.AsynchronousSocketChannel;
import java.nio.channels.CompletionHandler;
import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The NIO.2 cases: {@code async-bulk}, a client writing 64 KiB direct buffers through
 * {@code write(...).get()} to a receiver whose reads complete in a handler that starts the
 * next read (MiB/s counted by the receiver; stalls, writes blocked over 50 ms, and MiB/s with
 * the stalled time taken out, as in {@link BulkCase}); {@code async-rtt}, a client sending 64 bytes and
 * waiting for the echo ({@code Future}s), the server echoing with completion handlers. All in
 * the default group of the JVM's {@code AsynchronousChannelProvider}.
 */
final class AsyncCase {
    private static final int BULK_SIZE = 64 * 1024;
    private static final long STEP_SECONDS = 60;
    // A write blocked this long is a stall, as in BulkCase.
    private static final long STALL_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

    private final long warmNs;
    private final long runNs;
    private final String expect;

    AsyncCase(long warmNs, long runNs, String expect) {
        this.warmNs = warmNs;
        this.runNs = runNs;
        this.expect = expect;
    }

    String bulk() throws Exception {
        try (AsynchronousServerSocketChannel server = listen();
             AsynchronousSocketChannel client = AsynchronousSocketChannel.open()) {
            var accept = server.accept();
            client.connect(server.getLocalAddress()).get(STEP_SECONDS, TimeUnit.SECONDS);
            try (AsynchronousSocketChannel receiver = accept.get(STEP_SECONDS,
                    TimeUnit.SECONDS)) {
                checkTransport(client);
                AtomicLong received = new AtomicLong();
                ByteBuffer in = ByteBuffer.allocateDirect(BULK_SIZE);
                receiver.read(in, null, new CompletionHandler<Integer, Object>() {
                    @Override
                    public void completed(Integer n, Object att) {
                        if (n < 0) {
                            return;
                        }
                        received.addAndGet(n);
                        in.clear();
                        receiver.read(in, null, this);
                    }

                    @Override
                    public void failed(Throwable exc, Object att) {
                    }
                });
                ByteBuffer out = ByteBuffer.allocateDirect(BULK_SIZE);
                long start = System.nanoTime();
                long measureFrom = start + warmNs;
                long end = measureFrom + runNs;
                long fromBytes = -1;
                long fromTime = 0;
                int stalls = 0;
                long stalledNanos = 0;
                long last = start;
                long now;
                while ((now = System.nanoTime()) < end) {
                    if (fromBytes < 0 && now >= measureFrom) {
                        fromBytes = received.get();
                        fromTime = now;
                    }
                    if (fromBytes >= 0 && now - last > STALL_NANOS) {
                        stalls++;
                        stalledNanos += now - Math.max(last, fromTime);
                    }
                    last = now;
                    out.clear();
                    while (out.hasRemaining()) {
                        client.write(out).get(STEP_SECONDS, TimeUnit.SECONDS);
                    }
                }
                long bytes = received.get() - fromBytes;
                double secs = (System.nanoTime() - fromTime) / 1e9;
                return String.format(Locale.ROOT, "mibps=%.1f unstalled_mibps=%.1f stalls=%d"
                        + " bytes=%d", bytes / secs / (1 << 20),
                        bytes / (secs - stalledNanos / 1e9) / (1 << 20), stalls, bytes);
            }
        }
    }

    String rtt() throws Exception {
        try (AsynchronousServerSocketChannel server = listen();
             AsynchronousSocketChannel c = AsynchronousSocketChannel.open()) {
            server.accept(null, new CompletionHandler<AsynchronousSocketChannel, Object>() {
                @Override
                public void completed(AsynchronousSocketChannel ch, Object att) {
                    try {
                        ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
                    } catch (IOException e) {
                        throw new IllegalStateException(e);
                    }
                    echo(ch, ByteBuffer.allocateDirect(BenchMain.RTT_SIZE));
                }

                @Override
                public void failed(Throwable exc, Object att) {
                }
            });
            c.connect(server.getLocalAddress()).get(STEP_SECONDS, TimeUnit.SECONDS);
            c.setOption(StandardSocketOptions.TCP_NODELAY, true);
            ByteBuffer req = ByteBuffer.allocate(BenchMain.RTT_SIZE);
            ByteBuffer resp = ByteBuffer.allocate(BenchMain.RTT_SIZE);
            new SplittableRandom(11).nextBytes(req.array());
            roundTrip(c, req, resp, -1);
            checkTransport(c);
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
                    mean / 1e3, samples[BenchMain.percentile(n, 0.50)] / 1e3,
                    samples[BenchMain.percentile(n, 0.99)] / 1e3);
        }
    }

    // Reads a whole request, writes it back, and again, all in handlers.
    private static void echo(AsynchronousSocketChannel ch, ByteBuffer buf) {
        ch.read(buf, null, new CompletionHandler<Integer, Object>() {
            @Override
            public void completed(Integer n, Object att) {
                if (n < 0) {
                    return;
                }
                if (buf.hasRemaining()) {
                    ch.read(buf, null, this);
                    return;
                }
                buf.flip();
                ch.write(buf, null, new CompletionHandler<Integer, Object>() {
                    @Override
                    public void completed(Integer w, Object a) {
                        if (buf.hasRemaining()) {
                            ch.write(buf, null, this);
                        } else {
                            buf.clear();
                            echo(ch, buf);
                        }
                    }

                    @Override
                    public void failed(Throwable exc, Object a) {
                    }
                });
            }

            @Override
            public void failed(Throwable exc, Object att) {
            }
        });
    }

    private static void roundTrip(AsynchronousSocketChannel c, ByteBuffer req, ByteBuffer resp,
            long seq) throws Exception {
        req.clear();
        req.putLong(0, seq);
        while (req.hasRemaining()) {
            c.write(req).get(STEP_SECONDS, TimeUnit.SECONDS);
        }
        resp.clear();
        while (resp.hasRemaining()) {
            if (c.read(resp).get(STEP_SECONDS, TimeUnit.SECONDS) < 0) {
                throw new IOException("echo server closed the connection");
            }
        }
        if (!Arrays.equals(req.array(), resp.array())) {
            throw new IOException("reply " + seq + " differs from the request");
        }
    }

    private static AsynchronousServerSocketChannel listen() throws IOException {
        return AsynchronousServerSocketChannel.open()
                .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    }

    private void checkTransport(AsynchronousSocketChannel c) throws IOException {
        int local = ((InetSocketAddress) c.getLocalAddress()).getPort();
        int remote = ((InetSocketAddress) c.getRemoteAddress()).getPort();
        KernelView view = KernelView.of(local, remote);
        boolean ok = "mptcp".equals(expect) ? view.isMptcp() : view.isPlainTcp();
        if (!ok) {
            throw new IOException("expected " + expect + " but the kernel shows\n" + view);
        }
    }
}
