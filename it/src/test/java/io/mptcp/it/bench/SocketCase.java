package io.mptcp.it.bench;

import io.mptcp.it.support.KernelView;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketOption;
import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32C;

/**
 * The classic socket API cases, {@code java.net.Socket} and {@code ServerSocket} with their
 * streams and nothing else, so that they measure whichever {@code SocketImpl} the JVM has (the
 * JDK's, or mptcp-nio's once {@code MptcpSockets.install()} ran, as the agent does):
 * {@code socket-bulk}, a client writing 64 KiB {@code byte[]} chunks to
 * {@code getOutputStream()} and a receiver thread reading them from an accepted socket's
 * {@code getInputStream()} (MiB/s, stalls and MiB/s without the stalled time, as in
 * {@link BulkCase}); {@code socket-rtt}, a client sending 64 bytes and reading the echo of a
 * server thread on the accepted socket, {@code TCP_NODELAY} both ends.
 */
final class SocketCase {
    private static final int CHUNK = BulkCase.CHUNK;
    private static final double MIB = 1024 * 1024;
    private static final long STALL_NANOS = TimeUnit.MILLISECONDS.toNanos(50);
    private static final int STEP_MILLIS = 60_000;

    private final long warmNs;
    private final long runNs;
    private final boolean verify;
    private final String expect;

    SocketCase(long warmNs, long runNs, boolean verify, String expect) {
        this.warmNs = warmNs;
        this.runNs = runNs;
        this.verify = verify;
        this.expect = expect;
    }

    /**
     * Which {@code SocketImpl} a new {@code Socket} gets, told by the plain API: mptcp-nio's
     * supports an option named {@code MPTCP_ENABLED}, the JDK's does not.
     */
    static String socketImpl() throws IOException {
        try (Socket s = new Socket()) {
            return s.supportedOptions().stream().map(SocketOption::name)
                    .anyMatch("MPTCP_ENABLED"::equals) ? "mptcp-nio" : "jdk";
        }
    }

    String bulk() throws Exception {
        try (ServerSocket listener = listen();
             Socket client = new Socket(listener.getInetAddress(), listener.getLocalPort());
             Socket accepted = listener.accept()) {
            accepted.setSoTimeout(STEP_MILLIS);
            checkTransport(client);
            CompletableFuture<long[]> sink = new CompletableFuture<>();
            Thread drain = new Thread(() -> drain(accepted, sink), "socket-bulk-sink");
            drain.setDaemon(true);
            drain.start();
            byte[] buf = new byte[CHUNK];
            new SplittableRandom(7).nextBytes(buf);
            CRC32C crc = new CRC32C();
            OutputStream out = client.getOutputStream();
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
                    // Only the part inside the measured window.
                    stalledNanos += now - Math.max(last, measuredFrom);
                }
                last = now;
                // A sequence number per chunk, as in BulkCase: a lost, repeated or reordered
                // chunk changes the CRC.
                putLong(buf, total);
                if (verify) {
                    crc.update(buf, 0, CHUNK);
                }
                out.write(buf, 0, CHUNK);
                total += CHUNK;
            }
            client.shutdownOutput();
            long[] got = sink.get(TimeUnit.NANOSECONDS.toSeconds(warmNs + runNs) + 60,
                    TimeUnit.SECONDS);
            if (got[0] != total || verify && got[1] != crc.getValue()) {
                throw new IOException("receiver got " + got[0] + " bytes (crc " + got[1]
                        + "), sender wrote " + total + " (crc " + crc.getValue() + ")");
            }
            long window = total - measuredBytes0;
            double secs = (now - measuredFrom) / 1e9;
            return String.format(Locale.ROOT, "mibps=%.1f unstalled_mibps=%.1f stalls=%d"
                    + " bytes=%d stalled_seconds=%.3f verified=%s", window / MIB / secs,
                    window / MIB / (secs - stalledNanos / 1e9), stalls, total,
                    stalledNanos / 1e9, verify);
        }
    }

    private void drain(Socket s, CompletableFuture<long[]> result) {
        try {
            InputStream in = s.getInputStream();
            byte[] buf = new byte[CHUNK];
            CRC32C crc = new CRC32C();
            long n = 0;
            for (int r; (r = in.read(buf)) >= 0; ) {
                if (verify) {
                    crc.update(buf, 0, r);
                }
                n += r;
            }
            result.complete(new long[] {n, crc.getValue()});
        } catch (IOException | RuntimeException e) {
            result.completeExceptionally(e);
        }
    }

    String rtt() throws Exception {
        try (ServerSocket listener = listen();
             Socket c = new Socket(listener.getInetAddress(), listener.getLocalPort());
             Socket accepted = listener.accept()) {
            c.setTcpNoDelay(true);
            c.setSoTimeout(STEP_MILLIS);
            accepted.setTcpNoDelay(true);
            Thread echo = new Thread(() -> echo(accepted), "socket-rtt-server");
            echo.setDaemon(true);
            echo.start();
            InputStream in = c.getInputStream();
            OutputStream out = c.getOutputStream();
            byte[] req = new byte[BenchMain.RTT_SIZE];
            byte[] resp = new byte[BenchMain.RTT_SIZE];
            new SplittableRandom(11).nextBytes(req);
            roundTrip(in, out, req, resp, -1);
            checkTransport(c);
            long[] samples = new long[1 << 16];
            int n = 0;
            long start = System.nanoTime();
            long measureFrom = start + warmNs;
            long end = measureFrom + runNs;
            for (long seq = 0, t0; (t0 = System.nanoTime()) < end; seq++) {
                roundTrip(in, out, req, resp, seq);
                if (t0 >= measureFrom) {
                    if (n == samples.length) {
                        samples = Arrays.copyOf(samples, n * 2);
                    }
                    samples[n++] = System.nanoTime() - t0;
                }
            }
            Arrays.sort(samples, 0, n);
            double mean = Arrays.stream(samples, 0, n).average().orElse(Double.NaN);
            return String.format(Locale.ROOT, "count=%d mean_us=%.2f p50_us=%.2f p99_us=%.2f",
                    n, mean / 1e3, samples[BenchMain.percentile(n, 0.50)] / 1e3,
                    samples[BenchMain.percentile(n, 0.99)] / 1e3);
        }
    }

    // Reads whole requests and writes each back until the client closes.
    private static void echo(Socket s) {
        try {
            InputStream in = s.getInputStream();
            OutputStream out = s.getOutputStream();
            byte[] buf = new byte[BenchMain.RTT_SIZE];
            while (readFully(in, buf)) {
                out.write(buf);
            }
        } catch (IOException e) {
            // The client closed first: the run is over (a wrong echo fails the client).
        }
    }

    private static void roundTrip(InputStream in, OutputStream out, byte[] req, byte[] resp,
            long seq) throws IOException {
        putLong(req, seq);
        out.write(req);
        if (!readFully(in, resp)) {
            throw new IOException("echo server closed the connection");
        }
        if (!Arrays.equals(req, resp)) {
            throw new IOException("reply " + seq + " differs from the request");
        }
    }

    private static boolean readFully(InputStream in, byte[] buf) throws IOException {
        for (int off = 0, r; off < buf.length; off += r) {
            r = in.read(buf, off, buf.length - off);
            if (r < 0) {
                return false;
            }
        }
        return true;
    }

    private static void putLong(byte[] b, long v) {
        for (int i = 0; i < Long.BYTES; i++) {
            b[i] = (byte) (v >>> (56 - 8 * i));
        }
    }

    private static ServerSocket listen() throws IOException {
        ServerSocket s = new ServerSocket();
        s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        return s;
    }

    private void checkTransport(Socket c) throws IOException {
        KernelView view = KernelView.of(c.getLocalPort(), c.getPort());
        boolean ok = "mptcp".equals(expect) ? view.isMptcp() : view.isPlainTcp();
        if (!ok) {
            throw new IOException("expected " + expect + " but the kernel shows\n" + view);
        }
    }
}
