package io.mptcp.examples;

import io.mptcp.nio.MptcpSocketChannel;
import io.mptcp.nio.MptcpSocketOptions;
import io.mptcp.nio.Subflow;
import io.mptcp.nio.pm.SubflowClose;
import io.mptcp.nio.pm.SubflowRequest;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Moves a running transfer from one path to the other and back with subflow control: the
 * connection starts on link 1; then a subflow is opened on link 2 and the link-1 subflow made a
 * backup, so the data moves to link 2; then link 1 is made regular again and the link-2 subflow
 * closed, so the data moves back. After each step it prints the subflow table with the bytes
 * each subflow sent during the step.
 *
 * <pre>
 * PathSteering HOST:PORT LOCAL1 LOCAL2 [REMOTE2 [SECONDS]]
 *     connect from LOCAL1 to HOST:PORT, open the second subflow from LOCAL2 to REMOTE2:PORT
 *     (default HOST), each step lasting SECONDS (default 2)
 * PathSteering --sink PORT
 *     the other end: read each connection to its end and print its length and SHA-256
 * </pre>
 *
 * <p>The client needs mptcp-nio as the provider
 * ({@code -Djava.nio.channels.spi.SelectorProvider=io.mptcp.nio.MptcpSelectorProvider}; under
 * another one it says so and exits with status 2), a network namespace whose path manager is
 * {@code userspace} when the program starts ({@code sysctl net.mptcp.path_manager=userspace}),
 * and {@code CAP_NET_ADMIN} there. The README's "Subflow control" section has the details;
 * "Examples" shows a run on the two-path test bed.
 */
public final class PathSteering {
    private static final int CHUNK = 64 * 1024;
    // Lets what was queued on the old path before a step drain before the step's bytes count.
    private static final Duration SETTLE = Duration.ofMillis(500);
    private static final Duration OPEN_TIMEOUT = Duration.ofSeconds(20);

    private PathSteering() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 2 && args[0].equals("--sink")) {
            sink(Integer.parseInt(args[1]));
            return;
        }
        if (args.length < 3 || !args[0].contains(":")) {
            System.err.println("usage: PathSteering HOST:PORT LOCAL1 LOCAL2 [REMOTE2 [SECONDS]]"
                    + " | PathSteering --sink PORT");
            System.exit(1);
        }
        int colon = args[0].lastIndexOf(':');
        InetAddress host = InetAddress.getByName(args[0].substring(0, colon));
        int port = Integer.parseInt(args[0].substring(colon + 1));
        InetAddress local1 = InetAddress.getByName(args[1]);
        InetAddress local2 = InetAddress.getByName(args[2]);
        InetAddress remote2 = args.length > 3 ? InetAddress.getByName(args[3]) : host;
        long stepMillis = 1000L * (args.length > 4 ? Integer.parseInt(args[4]) : 2);
        steer(new InetSocketAddress(host, port), local1, local2,
                new InetSocketAddress(remote2, port), stepMillis);
    }

    private static void steer(InetSocketAddress server, InetAddress local1, InetAddress local2,
            InetSocketAddress remote2, long stepMillis) throws Exception {
        try (SocketChannel plain = SocketChannel.open()) {
            if (!(plain instanceof MptcpSocketChannel ch)) {
                System.err.println("PathSteering needs mptcp-nio: run with"
                        + " -Djava.nio.channels.spi.SelectorProvider="
                        + "io.mptcp.nio.MptcpSelectorProvider");
                System.exit(2);
                return;
            }
            ch.bind(new InetSocketAddress(local1, 0));
            ch.connect(server);
            System.out.println("connected " + ch.getLocalAddress() + " -> " + server
                    + ", MPTCP " + ch.getOption(MptcpSocketOptions.MPTCP_ENABLED));
            Sender sender = new Sender(ch);
            Thread sending = new Thread(sender, "sender");
            sending.start();

            System.out.println("step 1: link 1 only");
            table(1, ch, stepMillis);

            Subflow initial = ch.getOption(MptcpSocketOptions.MPTCP_SUBFLOWS).get(0);
            Subflow second = ch.openSubflow(SubflowRequest.builder().local(local2)
                    .remote(remote2).build(), OPEN_TIMEOUT);
            ch.setSubflowBackup(initial, true);
            System.out.println("step 2: opened " + second.local() + " -> " + second.remote()
                    + "; " + initial.local() + " -> " + initial.remote() + " is backup now");
            table(2, ch, stepMillis);

            ch.setSubflowBackup(initial, false);
            ch.closeSubflow(second, SubflowClose.GRACEFUL);
            System.out.println("step 3: " + initial.local() + " -> " + initial.remote()
                    + " is regular again; " + second.local() + " -> " + second.remote()
                    + " closed (FIN)");
            table(3, ch, stepMillis);

            sender.stop();
            sending.join();
            ch.shutdownOutput();
            if (sender.failure.get() != null) {
                throw sender.failure.get();
            }
            System.out.println("sent " + sender.sent + " bytes sha256 " + sender.digest());
            // Waits for the sink to close: every byte has then been read.
            ch.read(ByteBuffer.allocate(1));
        }
    }

    /**
     * Waits for the step to settle, then prints each subflow's bytes sent during the rest of
     * the step, from its TCP counters ({@code tcpi_bytes_sent}, retransmissions included).
     */
    private static void table(int step, MptcpSocketChannel ch, long stepMillis)
            throws IOException, InterruptedException {
        Thread.sleep(SETTLE.toMillis());
        Map<String, Long> before = new HashMap<>();
        for (Subflow s : ch.getOption(MptcpSocketOptions.MPTCP_SUBFLOWS)) {
            before.put(key(s), s.tcp().bytesSent());
        }
        Thread.sleep(Math.max(0, stepMillis - SETTLE.toMillis()));
        List<Subflow> now = ch.getOption(MptcpSocketOptions.MPTCP_SUBFLOWS);
        long total = 0;
        long[] sent = new long[now.size()];
        for (int i = 0; i < sent.length; i++) {
            Subflow s = now.get(i);
            sent[i] = s.tcp().bytesSent() - before.getOrDefault(key(s), 0L);
            total += sent[i];
        }
        System.out.printf("step %d table: %d subflow(s)%n", step, now.size());
        System.out.printf("  %3s  %-28s  %-28s  %12s  %6s%n", "id", "local", "remote",
                "sent(B)", "share");
        for (int i = 0; i < sent.length; i++) {
            Subflow s = now.get(i);
            String id = s.id().isPresent() ? Integer.toString(s.id().getAsInt()) : "-";
            System.out.printf("  %3s  %-28s  %-28s  %12d  %5.1f%%%n", id, s.local(), s.remote(),
                    sent[i], total == 0 ? 0.0 : 100.0 * sent[i] / total);
        }
    }

    /** No ids before Linux 6.5: the address pair names a subflow across samples. */
    private static String key(Subflow s) {
        return s.local() + ">" + s.remote();
    }

    /** Writes pseudo-random bytes until stopped, hashing them. */
    private static final class Sender implements Runnable {
        private final SocketChannel ch;
        private final MessageDigest sha = sha256();
        private final AtomicReference<IOException> failure = new AtomicReference<>();
        // Written by the sending thread, read by main after join().
        private long sent;
        private volatile boolean stopped;

        Sender(SocketChannel ch) {
            this.ch = ch;
        }

        void stop() {
            stopped = true;
        }

        String digest() {
            return HexFormat.of().formatHex(sha.digest());
        }

        @Override
        public void run() {
            SplittableRandom random = new SplittableRandom(1);
            ByteBuffer buf = ByteBuffer.allocateDirect(CHUNK);
            try {
                while (!stopped) {
                    buf.clear();
                    while (buf.hasRemaining()) {
                        buf.putLong(random.nextLong());
                    }
                    buf.flip();
                    sha.update(buf.duplicate());
                    while (buf.hasRemaining()) {
                        sent += ch.write(buf);
                    }
                }
            } catch (IOException e) {
                failure.set(e);
            }
        }
    }

    private static void sink(int port) throws IOException {
        try (ServerSocketChannel server = ServerSocketChannel.open()) {
            // The wildcard address: the second subflow's join may come to another address.
            server.bind(new InetSocketAddress(port));
            System.out.println("sink listening on " + server.getLocalAddress());
            while (true) {
                SocketChannel ch = server.accept();
                new Thread(() -> drain(ch), "sink").start();
            }
        }
    }

    private static void drain(SocketChannel ch) {
        MessageDigest sha = sha256();
        ByteBuffer buf = ByteBuffer.allocateDirect(CHUNK);
        long total = 0;
        try (ch) {
            for (int n; (n = ch.read(buf.clear())) >= 0; ) {
                total += n;
                sha.update(buf.flip());
            }
            System.out.println("received " + total + " bytes sha256 "
                    + HexFormat.of().formatHex(sha.digest()) + " from "
                    + ch.getRemoteAddress());
        } catch (IOException e) {
            System.err.println("sink: " + e);
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
