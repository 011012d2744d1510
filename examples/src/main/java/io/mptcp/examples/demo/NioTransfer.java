package io.mptcp.examples.demo;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The demo's transfer: an ordinary NIO server and client that use nothing but
 * {@code java.nio}. Under {@code -Djava.nio.channels.spi.SelectorProvider=io.mptcp.nio.MptcpSelectorProvider}
 * their connection is Multipath TCP, and with {@code -Dio.mptcp.nio.pathProfile=NAME} the
 * client's connection runs that path profile; the program itself knows neither.
 *
 * <pre>
 * NioTransfer server PORT DIRECTION SECONDS
 * NioTransfer client HOST PORT LOCAL DIRECTION SECONDS
 *   DIRECTION up (client to server), down (server to client) or both
 *   SECONDS   how long each sending end sends
 * </pre>
 *
 * Each sending end sends pseudo-random bytes for SECONDS, then shuts its output down; each end
 * reads to the end of the stream. One line per fact, for the demo to parse:
 * {@code listening PORT}, {@code connected LOCAL -> REMOTE},
 * {@code sent N bytes sha256 HEX}, {@code received N bytes sha256 HEX longest-gap-ms G
 * gap-end-epoch-ms T} (the longest time between two reads that returned data),
 * {@code stall G ms ended-epoch-ms T} for each such wait of 100 ms or more, {@code done}.
 * A failure prints {@code failed: ...} and exits with status 1.
 */
public final class NioTransfer {
    private static final int CHUNK = 64 * 1024;
    // A wait between two reads this long is reported as it ends: at 50 Mbit/s a 64 KiB read
    // comes every 10 ms, so this is a stall, not the rhythm of the link.
    private static final long STALL_NANOS = 100_000_000L;

    private NioTransfer() {
    }

    /**
     * Runs the server or the client.
     *
     * @param args see the class description
     */
    public static void main(String[] args) throws Exception {
        try {
            if (args.length == 4 && args[0].equals("server")) {
                server(Integer.parseInt(args[1]), Direction.parse(args[2]),
                        Integer.parseInt(args[3]));
            } else if (args.length == 6 && args[0].equals("client")) {
                client(new InetSocketAddress(args[1], Integer.parseInt(args[2])), args[3],
                        Direction.parse(args[4]), Integer.parseInt(args[5]));
            } else {
                System.out.println("usage: NioTransfer server PORT DIRECTION SECONDS"
                        + " | NioTransfer client HOST PORT LOCAL DIRECTION SECONDS");
                System.exit(2);
            }
        } catch (IOException | RuntimeException e) {
            System.out.println("failed: " + e);
            System.out.flush();
            System.exit(1);
        }
        System.out.println("done");
        System.out.flush();
        System.exit(0);
    }

    private static void server(int port, Direction direction, int seconds) throws Exception {
        try (ServerSocketChannel listener = ServerSocketChannel.open()) {
            // The wildcard address: joins sent to the server's other link address find it.
            listener.bind(new InetSocketAddress(port));
            say("listening " + ((InetSocketAddress) listener.getLocalAddress()).getPort());
            try (SocketChannel ch = listener.accept()) {
                say("connected " + ch.getLocalAddress() + " -> " + ch.getRemoteAddress());
                exchange(ch, direction.serverSends(), direction.clientSends(), seconds);
            }
        }
    }

    private static void client(InetSocketAddress server, String local, Direction direction,
            int seconds) throws Exception {
        try (SocketChannel ch = SocketChannel.open()) {
            // Bound to the link-1 address: the connection starts on link 1, the "active" one.
            ch.bind(new InetSocketAddress(local, 0));
            ch.connect(server);
            say("connected " + ch.getLocalAddress() + " -> " + ch.getRemoteAddress());
            exchange(ch, direction.clientSends(), direction.serverSends(), seconds);
        }
    }

    /** Sends (on another thread) for {@code seconds} if asked, and reads to the end. */
    private static void exchange(SocketChannel ch, boolean send, boolean receive, int seconds)
            throws Exception {
        AtomicReference<Exception> sendFailure = new AtomicReference<>();
        Thread sender = new Thread(() -> {
            try {
                if (send) {
                    send(ch, seconds);
                    ch.shutdownOutput();
                }
            } catch (Exception e) {
                sendFailure.set(e);
            }
        }, "sender");
        sender.start();
        receive(ch, receive);
        sender.join();
        if (!send) {
            // Only now: a half-closed MPTCP connection is no longer ESTABLISHED, and Linux
            // then refuses new subflows (ENOTCONN), so an early FIN would stop any handover.
            ch.shutdownOutput();
        }
        if (sendFailure.get() != null) {
            throw sendFailure.get();
        }
    }

    private static void send(SocketChannel ch, int seconds) throws IOException {
        MessageDigest sha = sha256();
        SplittableRandom random = new SplittableRandom(seconds);
        byte[] chunk = new byte[CHUNK];
        ByteBuffer buf = ByteBuffer.wrap(chunk);
        long sent = 0;
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        while (System.nanoTime() < end) {
            for (int i = 0; i < chunk.length; i += 8) {
                long r = random.nextLong();
                for (int j = 0; j < 8; j++) {
                    chunk[i + j] = (byte) (r >>> (8 * j));
                }
            }
            sha.update(chunk);
            buf.clear();
            while (buf.hasRemaining()) {
                ch.write(buf);
            }
            sent += chunk.length;
        }
        say("sent " + sent + " bytes sha256 " + HexFormat.of().formatHex(sha.digest()));
    }

    private static void receive(SocketChannel ch, boolean report) throws IOException {
        MessageDigest sha = sha256();
        ByteBuffer buf = ByteBuffer.allocate(CHUNK);
        long received = 0;
        long last = 0;
        long longestGap = 0;
        long gapEnd = 0;
        int n;
        while ((n = ch.read(buf.clear())) >= 0) {
            long now = System.nanoTime();
            if (n == 0) {
                continue;
            }
            if (received > 0 && now - last >= STALL_NANOS) {
                say("stall " + (now - last) / 1_000_000 + " ms ended-epoch-ms "
                        + System.currentTimeMillis());
            }
            if (received > 0 && now - last > longestGap) {
                longestGap = now - last;
                gapEnd = System.currentTimeMillis();
            }
            last = now;
            received += n;
            sha.update(buf.array(), 0, n);
        }
        if (report) {
            say(String.format(Locale.ROOT, "received %d bytes sha256 %s longest-gap-ms %d"
                            + " gap-end-epoch-ms %d", received,
                    HexFormat.of().formatHex(sha.digest()), longestGap / 1_000_000, gapEnd));
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    private static void say(String line) {
        synchronized (System.out) {
            System.out.println(line);
            System.out.flush();
        }
    }
}
