package io.mptcp.it.inherited;

import io.mptcp.nio.MptcpSocketOptions;

import java.io.IOException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channel;
import java.nio.channels.DatagramChannel;
import java.nio.channels.NetworkChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.spi.SelectorProvider;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A service started as inetd or systemd start one: it takes {@code System.inheritedChannel()}
 * and serves one exchange over it, with nothing but {@code java.nio} (the MPTCP option is read
 * only where the channel lists it).
 *
 * <p>Prints, in order: {@code PROVIDER <class>}; {@code CHANNEL <class> same=<bool>} (the
 * second call returns the same channel) or {@code CHANNEL null}; for a listener
 * {@code LISTENING <local> mptcp=<MPTCP_ENABLED or n/a>} and, once a client connects,
 * {@code ACCEPTED <class> local=… remote=… mptcp=…}; for a connection
 * {@code CONNECTED local=… remote=… mptcp=…}; for a datagram socket
 * {@code BOUND <local> connected=<bool>}, and it answers one {@code PING} datagram with
 * {@code PONG}. Then, on the connection: reads {@code PING},
 * answers {@code PONG}, reads {@code BYE}, and closes the inherited channel. Closing it puts
 * {@code /dev/null} on descriptors 0 to 2, so what follows goes to the report file (argument 1):
 * where each descriptor then points, and {@code DONE}.
 */
public final class InheritedChannelMain {
    private InheritedChannelMain() {
    }

    public static void main(String[] args) throws Exception {
        Path report = Path.of(args[0]);
        System.out.println("PROVIDER " + SelectorProvider.provider().getClass().getName());
        Channel ch = System.inheritedChannel();
        if (ch == null) {
            System.out.println("CHANNEL null same=" + (System.inheritedChannel() == null));
            Files.writeString(report, afterClose());
            return;
        }
        System.out.println("CHANNEL " + ch.getClass().getName() + " same="
                + (ch == System.inheritedChannel()) + " blocking="
                + ((java.nio.channels.SelectableChannel) ch).isBlocking());
        if (ch instanceof ServerSocketChannel server) {
            System.out.println("LISTENING " + server.getLocalAddress() + " mptcp="
                    + mptcpEnabled(server));
            try (SocketChannel accepted = server.accept()) {
                System.out.println("ACCEPTED " + accepted.getClass().getName() + " "
                        + describe(accepted));
                exchange(accepted);
            }
        } else if (ch instanceof SocketChannel connection) {
            System.out.println("CONNECTED " + describe(connection));
            exchange(connection);
        } else if (ch instanceof DatagramChannel datagrams) {
            System.out.println("BOUND " + datagrams.getLocalAddress() + " connected="
                    + datagrams.isConnected());
            answerOnePing(datagrams);
        } else {
            System.out.println("UNEXPECTED " + ch);
        }
        System.out.println("CLOSING");
        ch.close();
        System.out.println("AFTER-CLOSE: this line must go to /dev/null");
        Files.writeString(report, afterClose());
    }

    private static String describe(SocketChannel ch) throws IOException {
        return "local=" + ch.getLocalAddress() + " remote=" + ch.getRemoteAddress() + " mptcp="
                + mptcpEnabled(ch);
    }

    private static String mptcpEnabled(NetworkChannel ch) throws IOException {
        return ch.supportedOptions().contains(MptcpSocketOptions.MPTCP_ENABLED)
                ? ch.getOption(MptcpSocketOptions.MPTCP_ENABLED).toString() : "n/a";
    }

    /** Reads PING, answers PONG (printing what it did), then waits for BYE. */
    private static void exchange(SocketChannel ch) throws IOException {
        expect(ch, "PING\n");
        ch.write(ByteBuffer.wrap("PONG\n".getBytes(StandardCharsets.US_ASCII)));
        System.out.println("EXCHANGED PING PONG");
        expect(ch, "BYE\n");
    }

    private static void expect(SocketChannel ch, String text) throws IOException {
        ByteBuffer got = ByteBuffer.allocate(text.length());
        while (got.hasRemaining()) {
            if (ch.read(got) < 0) {
                throw new IOException("end of stream before " + text.strip());
            }
        }
        String line = new String(got.array(), StandardCharsets.US_ASCII);
        if (!line.equals(text)) {
            throw new IOException("expected " + text.strip() + ", got " + line.strip());
        }
    }

    /** Receives PING from some client and answers PONG to its address. */
    private static void answerOnePing(DatagramChannel ch) throws IOException {
        ByteBuffer got = ByteBuffer.allocate(64);
        SocketAddress client = ch.receive(got);
        String text = new String(got.array(), 0, got.position(), StandardCharsets.US_ASCII);
        if (!text.equals("PING\n")) {
            throw new IOException("expected PING, got " + text.strip());
        }
        ch.send(ByteBuffer.wrap("PONG\n".getBytes(StandardCharsets.US_ASCII)), client);
        System.out.println("EXCHANGED PING PONG");
    }

    /** Where descriptors 0, 1 and 2 point now. */
    private static String afterClose() throws IOException {
        StringBuilder b = new StringBuilder();
        for (int fd = 0; fd <= 2; fd++) {
            b.append("fd").append(fd).append(' ')
                    .append(Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd))).append('\n');
        }
        return b.append("DONE\n").toString();
    }
}
