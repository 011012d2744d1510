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
import java.util.concurrent.TimeUnit;

/**
 * One benchmark case in this JVM, over loopback, with nothing but the plain NIO API, so that it
 * measures whichever {@code SelectorProvider} the JVM was started with. Run by
 * {@link BenchDriver}; prints {@code PROVIDER <class>} and one {@code RESULT key=value…} line.
 *
 * <ul>
 *   <li>{@code bulk-heap}, {@code bulk-direct} (one connection), {@code bulk8-heap},
 *       {@code bulk8-direct} (eight at once): {@link BulkCase}.</li>
 *   <li>{@code selector}: {@link SelectorLoopCase}, 10,000 connections (or
 *       {@code --connections}), 1 % active per round.</li>
 *   <li>{@code setup}: {@link SetupCase}, connect + accept + close.</li>
 *   <li>{@code rtt}: a blocking client sends 64 bytes and waits for them to come back from a
 *       non-blocking, selector-driven echo server (heap buffers, TCP_NODELAY both ends); one
 *       request in flight. Reports mean, p50 and p99 round-trip time and checks each reply.</li>
 *   <li>{@code async-bulk}, {@code async-rtt}: {@link AsyncCase}.</li>
 *   <li>{@code socket-bulk}, {@code socket-rtt}: {@link SocketCase}; these also print
 *       {@code SOCKET_IMPL jdk|mptcp-nio}, which {@code SocketImpl} a new {@code Socket} got.</li>
 * </ul>
 *
 * <p>Before measuring it asks the kernel whether the connection is what the run claims
 * ({@code --expect mptcp|tcp}), so that MPTCP is never compared with TCP by mistake.
 * {@code --verify} adds checks that cost time (a CRC32C over the bulk stream, the sender of
 * each selector-loop message): smoke runs only.
 */
public final class BenchMain {

    static final int RTT_SIZE = 64;
    /** The selector case's default: 10,000 registered connections, 1 % active per round. */
    static final int SELECTOR_CONNECTIONS = 10_000;
    private static final long STEP_SECONDS = 60;

    private BenchMain() {
    }

    public static void main(String[] args) throws Exception {
        String bench = null;
        double seconds = 5;
        double warmup = 2;
        boolean verify = false;
        String expect = null;
        int connections = SELECTOR_CONNECTIONS;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--connections" -> connections = Integer.parseInt(args[++i]);
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
                    "usage: --case bulk-heap|bulk-direct|bulk8-heap|bulk8-direct|rtt|selector|setup"
                            + "|async-bulk|async-rtt|socket-bulk|socket-rtt"
                            + " --expect mptcp|tcp [--seconds S] [--warmup S] [--verify]"
                            + " [--connections N (selector)]");
        }
        System.out.println("PROVIDER " + SelectorProvider.provider().getClass().getName());
        if (bench.startsWith("socket-")) {
            System.out.println("SOCKET_IMPL " + SocketCase.socketImpl());
        }
        long warmNs = (long) (warmup * 1e9);
        long runNs = (long) (seconds * 1e9);
        String result = switch (bench) {
            case "bulk-heap" -> new BulkCase(false, 1, warmNs, runNs, verify, expect).run();
            case "bulk-direct" -> new BulkCase(true, 1, warmNs, runNs, verify, expect).run();
            case "bulk8-heap" -> new BulkCase(false, 8, warmNs, runNs, verify, expect).run();
            case "bulk8-direct" -> new BulkCase(true, 8, warmNs, runNs, verify, expect).run();
            case "rtt" -> rtt(warmNs, runNs, expect);
            case "selector" -> new SelectorLoopCase(connections, Math.max(1, connections / 100),
                    warmNs, runNs, verify, expect).run();
            case "setup" -> new SetupCase(warmNs, runNs, expect).run();
            case "async-bulk" -> new AsyncCase(warmNs, runNs, expect).bulk();
            case "async-rtt" -> new AsyncCase(warmNs, runNs, expect).rtt();
            case "socket-bulk" -> new SocketCase(warmNs, runNs, verify, expect).bulk();
            case "socket-rtt" -> new SocketCase(warmNs, runNs, verify, expect).rtt();
            default -> throw new IllegalArgumentException("unknown case " + bench);
        };
        System.out.println("RESULT case=" + bench + " " + result);
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

    /** The index of the {@code p} quantile in {@code n} sorted samples (nearest rank). */
    static int percentile(int n, double p) {
        if (n == 0) {
            throw new IllegalStateException("no sample was measured");
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

    /** Fails unless the kernel shows {@code c}'s connection as {@code expect} (mptcp or tcp). */
    static void checkTransport(SocketChannel c, String expect) throws IOException {
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
