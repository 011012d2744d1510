package io.mptcp.nio.contract;

import static io.mptcp.nio.contract.ContractSupport.PROMPTLY;
import static io.mptcp.nio.contract.ContractSupport.awaitReady;
import static io.mptcp.nio.contract.ContractSupport.echoStep;
import static io.mptcp.nio.contract.ContractSupport.loopback;
import static io.mptcp.nio.contract.ContractSupport.port;
import static io.mptcp.nio.contract.ContractSupport.randomBytes;
import static io.mptcp.nio.contract.ContractSupport.readFully;
import static io.mptcp.nio.contract.ContractSupport.writeFully;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ProtocolFamily;
import java.net.SocketException;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.AlreadyConnectedException;
import java.nio.channels.ConnectionPendingException;
import java.nio.channels.NoConnectionPendingException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.Iterator;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import io.mptcp.nio.contract.ContractSupport.Task;

/** Case 1: connect, accept and echo, blocking and through a selector, over IPv4 and IPv6. */
abstract class ConnectContract extends ChannelContract {

    @ParameterizedTest(name = "[{index}] {0}")
    @ValueSource(strings = {"127.0.0.1", "::1"})
    void blockingConnectAcceptEcho(String host) throws Exception {
        InetAddress address = loopback(host);
        ServerSocketChannel server = listen(address);
        InetSocketAddress serverAddress = (InetSocketAddress) server.getLocalAddress();
        assertEquals(address, serverAddress.getAddress(), "server bound to the loopback");
        assertTrue(serverAddress.getPort() > 0, "ephemeral port assigned");

        SocketChannel client = openSocketChannel();
        assertTrue(client.isBlocking(), "new channels are blocking");
        assertFalse(client.isConnected());
        assertFalse(client.isConnectionPending());
        assertNull(client.getRemoteAddress(), "no remote address before connect");
        assertNull(client.getLocalAddress(), "no local address before connect");

        assertTrue(client.connect(serverAddress), "blocking connect completes");
        assertTrue(client.isConnected());
        assertFalse(client.isConnectionPending());
        assertTrue(client.finishConnect(), "finishConnect on a connected channel is true");

        SocketChannel accepted = track(server.accept());
        assertNotNull(accepted, "blocking accept returns the connection");
        assertTrue(accepted.isBlocking(), "an accepted channel starts in blocking mode");
        assertTrue(accepted.isConnected());
        assertEquals(provider(), accepted.provider());

        InetSocketAddress clientLocal = (InetSocketAddress) client.getLocalAddress();
        assertEquals(address, clientLocal.getAddress(), "client bound to the loopback");
        assertTrue(clientLocal.getPort() > 0);
        assertEquals(serverAddress, client.getRemoteAddress());
        assertEquals(clientLocal, accepted.getRemoteAddress());
        assertEquals(serverAddress, accepted.getLocalAddress());

        byte[] message = randomBytes(1, 100_000);
        Task<Void> echo = start("echo", () -> {
            writeFully(accepted, readFully(accepted, message.length));
            return null;
        });
        writeFully(client, message);
        assertArrayEquals(message, readFully(client, message.length), "echoed bytes");
        echo.get(PROMPTLY);
    }

    /**
     * One selector drives both ends: OP_ACCEPT on the listener, OP_CONNECT then
     * OP_READ|OP_WRITE on the client, OP_READ/OP_WRITE on the accepted side, which echoes. The
     * message is larger than the socket buffers, so partial writes and OP_WRITE interest
     * switches happen on both sides.
     */
    @ParameterizedTest(name = "[{index}] {0}")
    @ValueSource(strings = {"127.0.0.1", "::1"})
    void nonBlockingConnectAcceptEchoThroughOneSelector(String host) throws Exception {
        InetAddress address = loopback(host);
        Selector selector = openSelector();
        ServerSocketChannel server = listen(address);
        server.configureBlocking(false);
        SelectionKey acceptKey = server.register(selector, SelectionKey.OP_ACCEPT);

        SocketChannel client = openSocketChannel();
        client.configureBlocking(false);
        assertFalse(client.connect(server.getLocalAddress()),
                "a non-blocking connect on Linux returns before the handshake (EINPROGRESS)");
        assertTrue(client.isConnectionPending());
        assertFalse(client.isConnected());
        assertThrows(ConnectionPendingException.class,
                () -> client.connect(server.getLocalAddress()));
        SelectionKey clientKey = client.register(selector, SelectionKey.OP_CONNECT);

        byte[] message = randomBytes(2, 4 << 20);
        ByteBuffer toSend = ByteBuffer.wrap(message);
        ByteBuffer echoed = ByteBuffer.allocate(message.length);
        ByteBuffer pending = ByteBuffer.allocate(65_536);
        SocketChannel accepted = null;
        SelectionKey acceptedKey = null;
        int connectEvents = 0;

        long deadline = System.nanoTime() + 4 * PROMPTLY.toNanos();
        while (echoed.hasRemaining()) {
            assertTrue(System.nanoTime() < deadline, () -> "echo stalled at " + echoed.position()
                    + " of " + message.length + " bytes");
            selector.select(1000);
            Iterator<SelectionKey> keys = selector.selectedKeys().iterator();
            while (keys.hasNext()) {
                SelectionKey key = keys.next();
                keys.remove();
                if (key == acceptKey) {
                    assertTrue(key.isAcceptable());
                    assertNull(accepted, "one connection only");
                    accepted = track(server.accept());
                    assertNotNull(accepted, "OP_ACCEPT ready means accept() returns a channel");
                    assertTrue(accepted.isBlocking(),
                            "an accepted channel starts in blocking mode, even from a"
                                    + " non-blocking listener");
                    accepted.configureBlocking(false);
                    acceptedKey = accepted.register(selector, SelectionKey.OP_READ);
                } else if (key == clientKey && key.isConnectable()) {
                    connectEvents++;
                    assertTrue(client.finishConnect(), "finishConnect after OP_CONNECT");
                    assertTrue(client.isConnected());
                    assertFalse(client.isConnectionPending());
                    key.interestOps(SelectionKey.OP_READ | SelectionKey.OP_WRITE);
                } else if (key == clientKey) {
                    if (key.isWritable() && toSend.hasRemaining()) {
                        client.write(toSend);
                        if (!toSend.hasRemaining()) {
                            key.interestOps(SelectionKey.OP_READ);
                        }
                    }
                    if (key.isReadable()) {
                        assertTrue(client.read(echoed) >= 0, "server never closes");
                    }
                } else if (key == acceptedKey) {
                    assertTrue(echoStep(key, pending), "client never closes");
                } else {
                    fail("unexpected selected key " + key);
                }
            }
        }
        assertEquals(1, connectEvents, "OP_CONNECT reported until finishConnect");
        assertArrayEquals(message, echoed.array(), "echoed bytes");
        assertEquals(server.getLocalAddress(), client.getRemoteAddress());
        assertEquals(client.getLocalAddress(), accepted.getRemoteAddress());
    }

    /**
     * A client that connects and resets the connection (SO_LINGER 0) before the server
     * accepts it: accept still returns that connection, with the client's address, and its
     * first read reports the reset. (Tomcat wakes its acceptor so on shutdown; skipping the
     * connection would leave a blocking accept waiting for another.)
     */
    @ParameterizedTest(name = "[{index}] blocking={0}")
    @ValueSource(booleans = {true, false})
    void aConnectionResetBeforeAcceptIsStillAccepted(boolean blocking) throws Exception {
        ServerSocketChannel server = listen(ContractSupport.LOOPBACK_V4);
        SocketChannel client = openSocketChannel();
        client.connect(server.getLocalAddress());
        InetSocketAddress clientAddress = (InetSocketAddress) client.getLocalAddress();
        client.setOption(StandardSocketOptions.SO_LINGER, 0);
        client.close();
        // Let the RST arrive (loopback: at once, but asynchronously).
        Thread.sleep(200);

        server.configureBlocking(blocking);
        SocketChannel accepted = track(start("acceptor", server::accept).get(PROMPTLY));
        assertNotNull(accepted, "the reset connection is accepted");
        assertEquals(clientAddress, accepted.getRemoteAddress());
        accepted.configureBlocking(true);
        SocketException reset = assertThrows(SocketException.class,
                () -> accepted.read(ByteBuffer.allocate(1)));
        assertEquals("Connection reset", reset.getMessage());
    }

    @Test
    void nonBlockingAcceptReturnsNullWhenNothingIsPending() throws Exception {
        ServerSocketChannel server = listen(ContractSupport.LOOPBACK_V4);
        server.configureBlocking(false);
        assertNull(server.accept(), "nothing pending");
        assertNull(server.accept(), "still nothing pending");

        SocketChannel client = openSocketChannel();
        client.connect(server.getLocalAddress());
        Selector selector = openSelector();
        SelectionKey key = server.register(selector, SelectionKey.OP_ACCEPT);
        awaitReady(selector, key, SelectionKey.OP_ACCEPT);
        SocketChannel accepted = track(server.accept());
        assertNotNull(accepted, "the pending connection");
        assertEquals(client.getLocalAddress(), accepted.getRemoteAddress());
        assertNull(server.accept(), "the queue is empty again");
    }

    /** Like the JDK, connecting to the wildcard address connects to the loopback address. */
    @ParameterizedTest(name = "[{index}] {1} -> {0}")
    @CsvSource({"127.0.0.1, 0.0.0.0", "::1, ::"})
    void connectToWildcardAddressReachesLoopback(String host, String wildcard) throws Exception {
        InetAddress address = loopback(host);
        ServerSocketChannel server = listen(address);
        SocketChannel client = openSocketChannel();
        InetAddress any = InetAddress.getByName(wildcard);
        InetSocketAddress target = new InetSocketAddress(any, port(server.getLocalAddress()));
        assertTrue(target.getAddress().isAnyLocalAddress());

        assertTrue(client.connect(target));
        assertEquals(server.getLocalAddress(), client.getRemoteAddress(),
                "the remote address is the loopback address that was really connected");
        SocketChannel accepted = track(server.accept());
        assertEquals(client.getLocalAddress(), accepted.getRemoteAddress());
        byte[] ping = randomBytes(3, 1000);
        writeFully(client, ping);
        assertArrayEquals(ping, readFully(accepted, ping.length));
    }

    /** Netty opens channels with an explicit family when its bootstrap names one. */
    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource({"INET, 127.0.0.1", "INET6, ::1"})
    void channelsOpenedForAProtocolFamily(StandardProtocolFamily family, String host)
            throws Exception {
        InetAddress address = loopback(host);
        Class<? extends InetAddress> type =
                family == StandardProtocolFamily.INET ? Inet4Address.class : Inet6Address.class;
        ServerSocketChannel server =
                track(provider().openServerSocketChannel((ProtocolFamily) family));
        server.bind(new InetSocketAddress(address, 0));
        SocketChannel client = track(provider().openSocketChannel(family));
        assertTrue(client.connect(server.getLocalAddress()));
        SocketChannel accepted = track(server.accept());
        assertInstanceOf(type, ((InetSocketAddress) client.getLocalAddress()).getAddress());
        assertInstanceOf(type, ((InetSocketAddress) accepted.getRemoteAddress()).getAddress());
        byte[] ping = randomBytes(4, 1000);
        writeFully(accepted, ping);
        assertArrayEquals(ping, readFully(client, ping.length));
    }

    @Test
    void connectStateErrors() throws Exception {
        SocketChannel fresh = openSocketChannel();
        assertThrows(NoConnectionPendingException.class, fresh::finishConnect,
                "finishConnect without connect");

        Pair pair = connectedPair();
        assertThrows(AlreadyConnectedException.class,
                () -> pair.client().connect(pair.server().getLocalAddress()));
        assertTrue(pair.client().isOpen(), "a refused second connect leaves the channel open");
        assertTrue(pair.client().isConnected());
    }
}
