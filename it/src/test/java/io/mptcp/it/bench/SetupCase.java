package io.mptcp.it.bench;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.Arrays;
import java.util.Locale;

/**
 * Connection setup rate: on one thread, a blocking connect to a loopback listener, the accept,
 * and both closes, over and over. Reports connections per second and the p50/p99 time of one
 * cycle. The client closes first, so TIME_WAIT stays on its side, where Linux reuses it on
 * loopback ({@code net.ipv4.tcp_tw_reuse=2}, the default).
 */
final class SetupCase {
    private final long warmNs;
    private final long runNs;
    private final String expect;

    SetupCase(long warmNs, long runNs, String expect) {
        this.warmNs = warmNs;
        this.runNs = runNs;
        this.expect = expect;
    }

    String run() throws Exception {
        try (ServerSocketChannel listener = ServerSocketChannel.open()) {
            listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 128);
            SocketAddress address = listener.getLocalAddress();
            try (SocketChannel first = SocketChannel.open(address);
                 SocketChannel accepted = listener.accept()) {
                BenchMain.checkTransport(first, expect);
            }
            long[] samples = new long[1 << 16];
            int n = 0;
            long start = System.nanoTime();
            long measureFrom = start + warmNs;
            long end = measureFrom + runNs;
            for (long t0; (t0 = System.nanoTime()) < end; ) {
                SocketChannel client = SocketChannel.open(address);
                SocketChannel accepted = listener.accept();
                client.close();
                accepted.close();
                if (t0 >= measureFrom) {
                    if (n == samples.length) {
                        samples = Arrays.copyOf(samples, n * 2);
                    }
                    samples[n++] = System.nanoTime() - t0;
                }
            }
            if (n == 0) {
                throw new IllegalStateException("no connection was measured");
            }
            double seconds = runNs / 1e9;
            Arrays.sort(samples, 0, n);
            return String.format(Locale.ROOT, "connections=%d per_second=%.0f p50_us=%.1f"
                    + " p99_us=%.1f", n, n / seconds, samples[BenchMain.percentile(n, 0.50)] / 1e3,
                    samples[BenchMain.percentile(n, 0.99)] / 1e3);
        }
    }
}
