package io.mptcp.it.mixed;

import io.mptcp.nio.MptcpSocketOptions;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.Pipe;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.channels.spi.SelectorProvider;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One selector holding a TCP connection, a UDP socket, a pipe and a UNIX-domain connection at
 * once, all opened through the plain {@code java.nio} factories (so through whichever provider
 * the JVM has), as an event loop with a DNS resolver, a wakeup pipe and a local admin socket
 * holds them. Each round sends one message on each kind and selects until all four arrived,
 * checking each.
 *
 * <p>Prints {@code PROVIDER <class>}, {@code CHANNEL <kind> <class>} per registered channel,
 * {@code TCP MPTCP_ENABLED=<value or n/a>}, then {@code MIXED OK rounds=<n>}.
 */
public final class MixedSelectorMain {
    private static final int ROUNDS = 200;

    private MixedSelectorMain() {
    }

    /** One kind: where the test writes, and what the selector reads. */
    private record Kind(String name, WritableByteChannel sink, ReadableByteChannel source) {
    }

    public static void main(String[] args) throws Exception {
        System.out.println("PROVIDER " + SelectorProvider.provider().getClass().getName());
        Path dir = Files.createTempDirectory("mixed-selector");
        Path unixPath = dir.resolve("admin.sock");
        InetAddress loopback = InetAddress.getLoopbackAddress();
        List<AutoCloseable> open = new ArrayList<>();
        try (Selector selector = Selector.open()) {
            ServerSocketChannel tcpListener = track(open, ServerSocketChannel.open()
                    .bind(new InetSocketAddress(loopback, 0)));
            SocketChannel tcpClient = track(open,
                    SocketChannel.open(tcpListener.getLocalAddress()));
            SocketChannel tcpServer = track(open, tcpListener.accept());

            DatagramChannel udpServer = track(open, DatagramChannel.open()
                    .bind(new InetSocketAddress(loopback, 0)));
            DatagramChannel udpClient = track(open, DatagramChannel.open()
                    .connect(udpServer.getLocalAddress()));

            Pipe pipe = Pipe.open();
            track(open, pipe.source());
            track(open, pipe.sink());

            ServerSocketChannel unixListener = track(open,
                    ServerSocketChannel.open(StandardProtocolFamily.UNIX)
                            .bind(UnixDomainSocketAddress.of(unixPath)));
            SocketChannel unixClient = track(open, SocketChannel.open(StandardProtocolFamily.UNIX));
            unixClient.connect(UnixDomainSocketAddress.of(unixPath));
            SocketChannel unixServer = track(open, unixListener.accept());

            List<Kind> kinds = List.of(new Kind("tcp", tcpClient, tcpServer),
                    new Kind("udp", udpClient, udpServer),
                    new Kind("pipe", pipe.sink(), pipe.source()),
                    new Kind("unix", unixClient, unixServer));
            for (Kind k : kinds) {
                SelectableChannel ch = (SelectableChannel) k.source;
                ch.configureBlocking(false);
                ch.register(selector, SelectionKey.OP_READ, k.name);
                System.out.println("CHANNEL " + k.name + " " + ch.getClass().getName());
            }
            System.out.println("TCP MPTCP_ENABLED=" + (tcpServer.supportedOptions()
                    .contains(MptcpSocketOptions.MPTCP_ENABLED)
                    ? tcpServer.getOption(MptcpSocketOptions.MPTCP_ENABLED) : "n/a"));

            for (int round = 0; round < ROUNDS; round++) {
                for (Kind k : kinds) {
                    write(k.sink, k.name + " " + round + "\n");
                }
                awaitAll(selector, kinds.size(), round);
            }
            System.out.println("MIXED OK rounds=" + ROUNDS);
        } finally {
            for (int i = open.size() - 1; i >= 0; i--) {
                open.get(i).close();
            }
            Files.deleteIfExists(unixPath);
            Files.deleteIfExists(dir);
        }
    }

    private static <T extends AutoCloseable> T track(List<AutoCloseable> open, T c) {
        open.add(c);
        return c;
    }

    private static void write(WritableByteChannel ch, String text) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(text.getBytes(StandardCharsets.US_ASCII));
        while (b.hasRemaining()) {
            ch.write(b);
        }
    }

    /** Selects until each of the {@code count} kinds delivered its message of this round. */
    private static void awaitAll(Selector selector, int count, int round) throws IOException {
        Map<String, String> got = new TreeMap<>();
        ByteBuffer buf = ByteBuffer.allocate(256);
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (got.size() < count) {
            if (System.nanoTime() > deadline) {
                throw new IOException("round " + round + ": only " + got.keySet() + " arrived");
            }
            selector.select(1000);
            for (SelectionKey key : selector.selectedKeys()) {
                String kind = (String) key.attachment();
                buf.clear();
                // The UDP socket is unconnected, as a server's is: receive, not read.
                boolean arrived = key.channel() instanceof DatagramChannel udp
                        ? udp.receive(buf) != null
                        : ((ReadableByteChannel) key.channel()).read(buf) > 0;
                if (!arrived) {
                    continue;
                }
                String text = new String(buf.array(), 0, buf.position(), StandardCharsets.US_ASCII);
                String expected = kind + " " + round + "\n";
                if (!text.equals(expected)) {
                    throw new IOException("round " + round + ": " + kind + " read '" + text.strip()
                            + "', expected '" + expected.strip() + "'");
                }
                got.put(kind, text);
            }
            selector.selectedKeys().clear();
        }
    }
}
