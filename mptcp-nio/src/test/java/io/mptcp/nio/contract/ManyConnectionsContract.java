package io.mptcp.nio.contract;

import static io.mptcp.nio.contract.ContractSupport.PROMPTLY;
import static io.mptcp.nio.contract.ContractSupport.echoStep;
import static io.mptcp.nio.contract.ContractSupport.randomBytes;
import static java.nio.channels.SelectionKey.OP_ACCEPT;
import static java.nio.channels.SelectionKey.OP_CONNECT;
import static java.nio.channels.SelectionKey.OP_READ;
import static java.nio.channels.SelectionKey.OP_WRITE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import io.mptcp.nio.contract.ContractSupport.Task;

/**
 * Case 5: hundreds of connections at once, all served by one selector thread that echoes, and
 * all driven by one client selector; every echo is compared byte for byte.
 */
abstract class ManyConnectionsContract extends ChannelContract {

    private static final int CONNECTIONS = 500;

    /** A single-threaded echo server over one selector, as Netty and Kafka run them. */
    private final class EchoServer {
        final Selector selector = openSelector();
        final ServerSocketChannel listener = listen(ContractSupport.LOOPBACK_V4, 1024);
        final AtomicInteger accepted = new AtomicInteger();
        final AtomicInteger acceptedNonBlocking = new AtomicInteger();
        final AtomicInteger closedByPeer = new AtomicInteger();
        volatile boolean stop;

        EchoServer() throws IOException {
            listener.configureBlocking(false);
            listener.register(selector, OP_ACCEPT);
        }

        Void run() throws IOException {
            while (!stop) {
                selector.select();
                Iterator<SelectionKey> keys = selector.selectedKeys().iterator();
                while (keys.hasNext()) {
                    SelectionKey key = keys.next();
                    keys.remove();
                    if (key.isAcceptable()) {
                        acceptAll();
                    } else if (!echoStep(key, (ByteBuffer) key.attachment())) {
                        key.channel().close();
                        closedByPeer.incrementAndGet();
                    }
                }
            }
            return null;
        }

        private void acceptAll() throws IOException {
            SocketChannel ch;
            while ((ch = listener.accept()) != null) {
                track(ch);
                accepted.incrementAndGet();
                if (!ch.isBlocking()) {
                    acceptedNonBlocking.incrementAndGet();
                }
                ch.configureBlocking(false);
                ch.register(selector, OP_READ, ByteBuffer.allocate(4096));
            }
        }
    }

    /** One client connection's message and progress. */
    private static final class Client {
        final byte[] message;
        final ByteBuffer out;
        final ByteBuffer in;

        Client(int id) {
            message = randomBytes(1000 + id, 100 + id * 37 % 6000);
            out = ByteBuffer.wrap(message);
            in = ByteBuffer.allocate(message.length);
        }
    }

    @Test
    void fiveHundredConcurrentConnectionsThroughOneSelector() throws Exception {
        EchoServer server = new EchoServer();
        Task<Void> serverLoop = start("echo-server", server::run);

        Selector selector = openSelector();
        List<SocketChannel> clients = new ArrayList<>();
        for (int i = 0; i < CONNECTIONS; i++) {
            SocketChannel ch = openSocketChannel();
            ch.configureBlocking(false);
            if (ch.connect(server.listener.getLocalAddress())) {
                ch.register(selector, OP_READ | OP_WRITE, new Client(i));
            } else {
                ch.register(selector, OP_CONNECT, new Client(i));
            }
            clients.add(ch);
        }

        int verified = 0;
        long deadline = System.nanoTime() + 4 * PROMPTLY.toNanos();
        while (verified < CONNECTIONS) {
            int done = verified;
            assertTrue(System.nanoTime() < deadline, () -> done + " of " + CONNECTIONS
                    + " echoes verified; server accepted " + server.accepted);
            selector.select(1000);
            Iterator<SelectionKey> keys = selector.selectedKeys().iterator();
            while (keys.hasNext()) {
                SelectionKey key = keys.next();
                keys.remove();
                if (clientStep(key)) {
                    verified++;
                }
            }
        }

        assertEquals(CONNECTIONS, server.accepted.get());
        assertEquals(0, server.acceptedNonBlocking.get(), "accepted channels start blocking");
        for (SocketChannel ch : clients) {
            ch.close();
        }
        long closeDeadline = System.nanoTime() + PROMPTLY.toNanos();
        while (server.closedByPeer.get() < CONNECTIONS && System.nanoTime() < closeDeadline) {
            Thread.sleep(10);
        }
        assertEquals(CONNECTIONS, server.closedByPeer.get(), "the server saw every EOF");
        server.stop = true;
        server.selector.wakeup();
        serverLoop.get(PROMPTLY);
        server.selector.selectNow();
        assertEquals(1, server.selector.keys().size(), "only the listener's key is left");
    }

    /** Advances one client; true when its echo has just been verified. */
    private static boolean clientStep(SelectionKey key) throws IOException {
        SocketChannel ch = (SocketChannel) key.channel();
        Client client = (Client) key.attachment();
        if (key.isConnectable()) {
            assertTrue(ch.finishConnect());
            key.interestOps(OP_READ | OP_WRITE);
            return false;
        }
        if (key.isWritable()) {
            ch.write(client.out);
            if (!client.out.hasRemaining()) {
                key.interestOps(OP_READ);
            }
        }
        if (key.isReadable()) {
            assertTrue(ch.read(client.in) >= 0, "the server closed a connection early");
            if (!client.in.hasRemaining()) {
                assertArrayEquals(client.message, client.in.array(), "echo of " + ch);
                key.interestOps(0);
                return true;
            }
        }
        return false;
    }
}
