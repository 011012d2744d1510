package io.mptcp.it.bench;

import io.mptcp.it.support.Prerequisites;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * A server's selector loop over many idle connections with a few active: {@code connections}
 * accepted channels registered for OP_READ with one selector; each round, a client process
 * ({@link SelectorLoadClient}) sends 64 bytes on {@code active} distinct random connections, and
 * the loop selects and reads until it has all of them. Reports per round the server thread's
 * CPU time (the cost of select over a large interest set, of the selected-key set and of the
 * reads: what the provider under test spends) and the wall time (which includes the client).
 *
 * <p>The clients live in another JVM because both ends of 10,000 connections are more
 * descriptors than a default hard limit allows one process (20,000 here).
 */
final class SelectorLoopCase {
    private static final int MESSAGE = 64;

    private final int connections;
    private final int active;
    private final long warmNs;
    private final long runNs;
    private final boolean verify;
    private final String expect;

    SelectorLoopCase(int connections, int active, long warmNs, long runNs, boolean verify,
            String expect) {
        this.connections = connections;
        this.active = active;
        this.warmNs = warmNs;
        this.runNs = runNs;
        this.verify = verify;
        this.expect = expect;
    }

    String run() throws Exception {
        List<SocketChannel> accepted = new ArrayList<>();
        try (ServerSocketChannel listener = ServerSocketChannel.open();
             Selector selector = Selector.open()) {
            listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1024);
            InetSocketAddress address = (InetSocketAddress) listener.getLocalAddress();
            Process client = startClient(address);
            try {
                long setupStart = System.nanoTime();
                ByteBuffer index = ByteBuffer.allocate(4);
                for (int i = 0; i < connections; i++) {
                    SocketChannel ch = listener.accept();
                    accepted.add(ch);
                    index.clear();
                    while (index.hasRemaining() && ch.read(index) >= 0) {
                        // The client's index of this connection, sent first.
                    }
                    ch.configureBlocking(false);
                    ch.register(selector, SelectionKey.OP_READ, index.getInt(0));
                }
                double setupSeconds = (System.nanoTime() - setupStart) / 1e9;
                BufferedReader out = new BufferedReader(new InputStreamReader(
                        client.getInputStream(), StandardCharsets.US_ASCII));
                String line = out.readLine();
                if (!"CONNECTED".equals(line)) {
                    throw new IOException("load client: " + line);
                }
                BenchMain.checkTransport(accepted.get(0), expect);
                return measure(selector, new PrintStream(client.getOutputStream(), true,
                        StandardCharsets.US_ASCII), setupSeconds);
            } finally {
                client.getOutputStream().close();
                client.destroy();
                client.waitFor();
            }
        } finally {
            for (SocketChannel c : accepted) {
                c.close();
            }
        }
    }

    /** The load client: the JDK's provider, under mptcpize for MPTCP, whoever the server is. */
    private Process startClient(InetSocketAddress address) throws IOException {
        List<String> cmd = new ArrayList<>();
        if (expect.equals("mptcp")) {
            cmd.addAll(List.of(Prerequisites.MPTCPIZE, "run"));
        }
        cmd.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xms256m", "-Xmx256m", "-cp", System.getProperty("java.class.path"),
                SelectorLoadClient.class.getName(), address.getAddress().getHostAddress(),
                Integer.toString(address.getPort()), Integer.toString(connections),
                Integer.toString(active)));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT);
        // mptcpize's LD_PRELOAD, if this JVM runs under it, is replaced or removed explicitly.
        pb.environment().remove("LD_PRELOAD");
        return pb.start();
    }

    private String measure(Selector selector, PrintStream client, double setupSeconds)
            throws IOException {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        ByteBuffer in = ByteBuffer.allocateDirect(MESSAGE);
        long[] wall = new long[1 << 14];
        long[] cpu = new long[1 << 14];
        int n = 0;
        long start = System.nanoTime();
        long measureFrom = start + warmNs;
        long end = measureFrom + runNs;
        long round = 0;
        for (long t0; (t0 = System.nanoTime()) < end; round++) {
            client.println(round);
            long cpu0 = threads.getCurrentThreadCpuTime();
            int received = 0;
            while (received < active * MESSAGE) {
                selector.select();
                for (SelectionKey key : selector.selectedKeys()) {
                    SocketChannel ch = (SocketChannel) key.channel();
                    for (int r; (r = ch.read(in)) > 0; ) {
                        received += r;
                        if (!in.hasRemaining()) {
                            check(in, round, (Integer) key.attachment());
                            in.clear();
                        }
                    }
                }
                selector.selectedKeys().clear();
            }
            long cpu1 = threads.getCurrentThreadCpuTime();
            if (t0 >= measureFrom) {
                if (n == wall.length) {
                    wall = Arrays.copyOf(wall, n * 2);
                    cpu = Arrays.copyOf(cpu, n * 2);
                }
                wall[n] = System.nanoTime() - t0;
                cpu[n++] = cpu1 - cpu0;
            }
        }
        if (n == 0) {
            throw new IllegalStateException("no round was measured");
        }
        Arrays.sort(wall, 0, n);
        double cpuMean = Arrays.stream(cpu, 0, n).average().orElseThrow();
        return String.format(Locale.ROOT, "connections=%d active=%d rounds=%d"
                + " round_cpu_us=%.2f round_mean_us=%.2f round_p50_us=%.2f round_p99_us=%.2f"
                + " setup_seconds=%.2f verified=%s", connections, active, n, cpuMean / 1e3,
                Arrays.stream(wall, 0, n).average().orElseThrow() / 1e3,
                wall[BenchMain.percentile(n, 0.50)] / 1e3,
                wall[BenchMain.percentile(n, 0.99)] / 1e3, setupSeconds, verify);
    }

    private void check(ByteBuffer message, long round, int client) throws IOException {
        if (verify && (message.getLong(0) != round || message.getInt(8) != client)) {
            throw new IOException("round " + round + ": connection " + client + " read round "
                    + message.getLong(0) + " of client " + message.getInt(8));
        }
    }
}
