package io.mptcp.examples;

import io.mptcp.nio.MptcpSocketOptions;
import io.mptcp.nio.Subflow;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Prints the live subflow table of a bulk transfer: every second, each subflow's addresses,
 * round-trip time, congestion window and throughput.
 *
 * <pre>
 * SubflowMonitor [seconds]                    send to a sink of its own on loopback
 * SubflowMonitor HOST:PORT [seconds]          send to a server there (for example a discard
 *                                             server reached over two paths)
 * SubflowMonitor --sink PORT                  be that server: read and discard
 * </pre>
 *
 * Run it with {@code -Djava.nio.channels.spi.SelectorProvider=io.mptcp.nio.MptcpSelectorProvider};
 * under another provider it says so and exits with status 2.
 */
public final class SubflowMonitor {
    private static final int CHUNK = 64 * 1024;

    private SubflowMonitor() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 2 && args[0].equals("--sink")) {
            try (ServerSocketChannel server = ServerSocketChannel.open()) {
                server.bind(new InetSocketAddress(Integer.parseInt(args[1])));
                System.out.println("sink listening on " + server.getLocalAddress());
                while (true) {
                    SocketChannel ch = server.accept();
                    new Thread(() -> discard(ch), "sink").start();
                }
            }
        }
        boolean remote = args.length > 0 && args[0].contains(":");
        int seconds = Integer.parseInt(args.length > (remote ? 1 : 0) ? args[remote ? 1 : 0] : "5");
        if (remote) {
            int colon = args[0].lastIndexOf(':');
            send(new InetSocketAddress(args[0].substring(0, colon),
                    Integer.parseInt(args[0].substring(colon + 1))), seconds);
            return;
        }
        try (ServerSocketChannel sink = ServerSocketChannel.open()) {
            sink.bind(new InetSocketAddress("127.0.0.1", 0));
            Thread reader = new Thread(() -> {
                try {
                    discard(sink.accept());
                } catch (IOException e) {
                    e.printStackTrace();
                }
            }, "sink");
            reader.start();
            send((InetSocketAddress) sink.getLocalAddress(), seconds);
            reader.join();
        }
    }

    private static void send(InetSocketAddress to, int seconds) throws Exception {
        try (SocketChannel ch = SocketChannel.open(to)) {
            if (!ch.supportedOptions().contains(MptcpSocketOptions.MPTCP_SUBFLOWS)) {
                System.err.println("SubflowMonitor needs mptcp-nio: run with"
                        + " -Djava.nio.channels.spi.SelectorProvider="
                        + "io.mptcp.nio.MptcpSelectorProvider");
                System.exit(2);
            }
            System.out.println("connected " + ch.getLocalAddress() + " -> " + to + ", MPTCP "
                    + ch.getOption(MptcpSocketOptions.MPTCP_ENABLED) + ", token "
                    + ch.getOption(MptcpSocketOptions.MPTCP_TOKEN).map(Object::toString)
                            .orElse("none"));
            ByteBuffer data = ByteBuffer.allocateDirect(CHUNK);
            Map<String, Long> sentBefore = new HashMap<>();
            for (Subflow s : ch.getOption(MptcpSocketOptions.MPTCP_SUBFLOWS)) {
                sentBefore.put(key(s), s.tcp().bytesSent());
            }
            long start = System.nanoTime();
            long nextReport = start + 1_000_000_000L;
            long end = start + seconds * 1_000_000_000L;
            long lastReport = start;
            while (System.nanoTime() < end) {
                ch.write(data.clear());
                long now = System.nanoTime();
                if (now >= nextReport) {
                    report(ch.getOption(MptcpSocketOptions.MPTCP_SUBFLOWS), sentBefore,
                            (now - start) / 1e9, (now - lastReport) / 1e9);
                    lastReport = now;
                    nextReport += 1_000_000_000L;
                }
            }
        }
    }

    private static void report(List<Subflow> subflows, Map<String, Long> sentBefore,
            double at, double interval) {
        System.out.printf("t=%.1fs  %d subflow(s)%n", at, subflows.size());
        System.out.printf("  %3s  %-40s  %-40s  %8s  %6s  %10s%n",
                "id", "local", "remote", "rtt(us)", "cwnd", "MiB/s");
        for (Subflow s : subflows) {
            long sent = s.tcp().bytesSent();
            Long before = sentBefore.put(key(s), sent);
            double rate = before == null ? Double.NaN
                    : (sent - before) / interval / (1 << 20);
            String id = s.id().isPresent() ? Integer.toString(s.id().getAsInt()) : "-";
            System.out.printf("  %3s  %-40s  %-40s  %8d  %6d  %10.1f%n", id, s.local(),
                    s.remote(), s.tcp().rttMicros(), s.tcp().sndCwnd(), rate);
        }
    }

    /** No ids before Linux 6.5: the address pair names a subflow across samples. */
    private static String key(Subflow s) {
        return s.local() + ">" + s.remote();
    }

    private static void discard(SocketChannel ch) {
        ByteBuffer buf = ByteBuffer.allocateDirect(CHUNK);
        try (ch) {
            while (ch.read(buf.clear()) >= 0) {
                // discard
            }
        } catch (IOException e) {
            System.err.println("sink: " + e);
        }
    }
}
