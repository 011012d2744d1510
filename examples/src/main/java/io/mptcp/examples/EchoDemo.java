package io.mptcp.examples;

import io.mptcp.nio.MptcpSocketOptions;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.NetworkChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.spi.SelectorProvider;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Iterator;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * An ordinary NIO echo server and client in one JVM on loopback, written against the plain
 * {@code java.nio} API only. Run it with
 * {@code -Djava.nio.channels.spi.SelectorProvider=io.mptcp.nio.MptcpSelectorProvider} and its
 * connection becomes Multipath TCP; it prints, for each end, whether it is.
 *
 * <p>Exit code 0 when every message came back intact, 1 when the echo failed, 2 on timeout.
 */
public final class EchoDemo {

    private static final int MESSAGES = 5;
    private static final long TIMEOUT_SECONDS = 30;

    private EchoDemo() {
    }

    public static void main(String[] args) throws Exception {
        System.out.println("provider: " + SelectorProvider.provider().getClass().getName());
        startWatchdog();
        try (ServerSocketChannel listener = ServerSocketChannel.open()) {
            listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            CompletableFuture<SocketChannel> accepted = new CompletableFuture<>();
            Thread server = new Thread(() -> serve(listener, accepted), "echo-server");
            server.setDaemon(true);
            server.start();
            boolean ok = runClient((InetSocketAddress) listener.getLocalAddress(), accepted);
            System.exit(ok ? 0 : 1);
        } catch (IOException | RuntimeException e) {
            System.out.println("echo FAILED: " + e);
            e.printStackTrace(System.out);
            System.exit(1);
        }
    }

    private static boolean runClient(InetSocketAddress server,
            CompletableFuture<SocketChannel> accepted) throws Exception {
        try (SocketChannel client = SocketChannel.open(server)) {
            System.out.println("connected: " + client.getLocalAddress() + " -> " + server);
            int bytes = 0;
            for (int i = 1; i <= MESSAGES; i++) {
                byte[] sent = ("message " + i + " of " + MESSAGES + " from "
                        + client.getLocalAddress()).getBytes(StandardCharsets.UTF_8);
                client.write(ByteBuffer.wrap(sent));
                byte[] echoed = readFully(client, sent.length);
                if (!Arrays.equals(sent, echoed)) {
                    System.out.println("echo FAILED: sent '" + text(sent) + "', got back '"
                            + text(echoed) + "'");
                    return false;
                }
                bytes += sent.length;
            }
            System.out.println("echo OK: " + MESSAGES + " messages, " + bytes
                    + " bytes, each came back intact");
            // Both ends are asked while the connection is still open: the option tells what
            // the connection uses now, and a fallback to TCP can happen after the handshake.
            System.out.println("client end: " + mptcpStatus(client));
            System.out.println("server end: "
                    + mptcpStatus(accepted.get(TIMEOUT_SECONDS, TimeUnit.SECONDS)));
            return true;
        }
    }

    private static byte[] readFully(SocketChannel ch, int length) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(length);
        while (buf.hasRemaining()) {
            if (ch.read(buf) < 0) {
                throw new IOException("server closed the connection after "
                        + buf.position() + " of " + length + " bytes");
            }
        }
        return buf.array();
    }

    /** A non-blocking selector loop that writes back whatever it reads. */
    private static void serve(ServerSocketChannel listener,
            CompletableFuture<SocketChannel> accepted) {
        try (Selector selector = Selector.open()) {
            listener.configureBlocking(false);
            listener.register(selector, SelectionKey.OP_ACCEPT);
            ByteBuffer buf = ByteBuffer.allocate(4096);
            while (selector.isOpen()) {
                selector.select();
                Iterator<SelectionKey> it = selector.selectedKeys().iterator();
                while (it.hasNext()) {
                    SelectionKey key = it.next();
                    it.remove();
                    if (key.isAcceptable()) {
                        SocketChannel ch = listener.accept();
                        if (ch != null) {
                            ch.configureBlocking(false);
                            ch.register(selector, SelectionKey.OP_READ);
                            accepted.complete(ch);
                        }
                    } else if (key.isReadable()) {
                        echo((SocketChannel) key.channel(), buf, key);
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            accepted.completeExceptionally(e);
            System.out.println("server FAILED: " + e);
        }
    }

    private static void echo(SocketChannel ch, ByteBuffer buf, SelectionKey key)
            throws IOException {
        buf.clear();
        if (ch.read(buf) < 0) {
            key.cancel();
            ch.close();
            return;
        }
        buf.flip();
        // The messages are far smaller than the socket send buffer, so this loop ends at once;
        // a server for bulk data would wait for OP_WRITE instead.
        while (buf.hasRemaining()) {
            ch.write(buf);
        }
    }

    /** What the connection uses, as far as this channel can tell. */
    private static String mptcpStatus(NetworkChannel ch) throws IOException {
        if (ch.supportedOptions().contains(MptcpSocketOptions.MPTCP_ENABLED)) {
            return ch.getOption(MptcpSocketOptions.MPTCP_ENABLED)
                    ? "MPTCP in use (MPTCP_ENABLED=true)"
                    : "plain TCP (MPTCP_ENABLED=false: MPTCP off, refused or fallen back)";
        }
        return "JDK provider (" + SelectorProvider.provider().getClass().getName()
                + "): its channels cannot report MPTCP; run with"
                + " -Djava.nio.channels.spi.SelectorProvider=io.mptcp.nio.MptcpSelectorProvider";
    }

    private static String text(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    private static void startWatchdog() {
        Thread t = new Thread(() -> {
            try {
                Thread.sleep(TimeUnit.SECONDS.toMillis(TIMEOUT_SECONDS));
                System.out.println("echo FAILED: no result within " + TIMEOUT_SECONDS + " s");
                System.exit(2);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "echo-watchdog");
        t.setDaemon(true);
        t.start();
    }
}
