package io.mptcp.nio.contract;

import static io.mptcp.nio.contract.ContractSupport.PROMPTLY;
import static io.mptcp.nio.contract.ContractSupport.loopback;
import static io.mptcp.nio.contract.ContractSupport.millisOf;
import static io.mptcp.nio.contract.ContractSupport.port;
import static io.mptcp.nio.contract.ContractSupport.randomBytes;
import static io.mptcp.nio.contract.ContractSupport.readFully;
import static io.mptcp.nio.contract.ContractSupport.writeFully;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.IllegalBlockingModeException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.mptcp.nio.contract.ContractSupport.Task;

/**
 * Case 9: the {@code socket()} adaptors, every method the target servers call
 * (jdk-nio-contract.md §1.5). Where an adaptor setter is checked, the value is also read
 * through the channel, so that an adaptor backed by some other socket cannot pass.
 */
abstract class SocketAdaptorContract extends ChannelContract {

    @Test
    void unconnectedSocketAdaptor() throws Exception {
        SocketChannel ch = openSocketChannel();
        Socket socket = ch.socket();
        assertSame(socket, ch.socket(), "one adaptor per channel");
        assertSame(ch, socket.getChannel());
        assertFalse(socket.isConnected());
        assertFalse(socket.isBound());
        assertFalse(socket.isClosed());
        assertFalse(socket.isInputShutdown());
        assertFalse(socket.isOutputShutdown());
        assertNull(socket.getInetAddress());
        assertEquals(0, socket.getPort(), "0 when unconnected");
        assertEquals(-1, socket.getLocalPort(), "-1 when unbound");
        assertTrue(socket.getLocalAddress().isAnyLocalAddress(), "wildcard when unbound");
        assertNull(socket.getLocalSocketAddress());
        assertNull(socket.getRemoteSocketAddress());
        assertThrows(SocketException.class, socket::getInputStream);
        assertThrows(SocketException.class, socket::getOutputStream);
        assertThrows(SocketException.class, socket::shutdownInput);
        assertThrows(SocketException.class, socket::shutdownOutput);

        socket.bind(new InetSocketAddress(ContractSupport.LOOPBACK_V4, 0));
        assertTrue(socket.isBound());
        assertFalse(socket.isConnected());
        assertTrue(socket.getLocalPort() > 0);
        assertEquals(ContractSupport.LOOPBACK_V4, socket.getLocalAddress());
        assertEquals(ch.getLocalAddress(), socket.getLocalSocketAddress());
        assertThrows(SocketException.class, () -> socket.bind(null), "already bound");
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @ValueSource(strings = {"127.0.0.1", "::1"})
    void connectedSocketAdaptorAddresses(String host) throws Exception {
        InetAddress address = loopback(host);
        Pair pair = connectedPair(address);
        InetSocketAddress server = (InetSocketAddress) pair.server().getLocalAddress();
        InetSocketAddress client = (InetSocketAddress) pair.client().getLocalAddress();

        Socket socket = pair.client().socket();
        assertTrue(socket.isConnected());
        assertTrue(socket.isBound());
        assertEquals(address, socket.getInetAddress());
        assertEquals(server.getPort(), socket.getPort());
        assertEquals(client.getPort(), socket.getLocalPort());
        assertEquals(address, socket.getLocalAddress());
        assertEquals(server, socket.getRemoteSocketAddress());
        assertEquals(client, socket.getLocalSocketAddress());

        Socket accepted = pair.accepted().socket();
        assertEquals(address, accepted.getInetAddress());
        assertEquals(client.getPort(), accepted.getPort());
        assertEquals(server.getPort(), accepted.getLocalPort());
        assertEquals(client, accepted.getRemoteSocketAddress());
        assertEquals(server, accepted.getLocalSocketAddress());
    }

    @Test
    void socketAdaptorOptionsReachTheChannelsSocket() throws Exception {
        SocketChannel ch = connectedPair().client();
        Socket socket = ch.socket();

        socket.setTcpNoDelay(true);
        assertTrue(socket.getTcpNoDelay());
        assertEquals(true, ch.getOption(StandardSocketOptions.TCP_NODELAY));
        socket.setTcpNoDelay(false);
        assertFalse(socket.getTcpNoDelay());
        assertEquals(false, ch.getOption(StandardSocketOptions.TCP_NODELAY));

        socket.setSoLinger(true, 5);
        assertEquals(5, socket.getSoLinger());
        assertEquals(5, ch.getOption(StandardSocketOptions.SO_LINGER));
        socket.setSoLinger(false, -1);
        assertEquals(-1, socket.getSoLinger(), "ZooKeeper's setSoLinger(false, -1) disables");
        assertEquals(-1, ch.getOption(StandardSocketOptions.SO_LINGER));
        socket.setSoLinger(true, 0);
        assertEquals(0, socket.getSoLinger(), "ZooKeeper's setSoLinger(true, 0): reset on close");
        socket.setSoLinger(true, 70_000);
        assertEquals(65_535, socket.getSoLinger(), "clamped like the JDK");

        socket.setKeepAlive(true);
        assertTrue(socket.getKeepAlive());
        assertEquals(true, ch.getOption(StandardSocketOptions.SO_KEEPALIVE));
        socket.setKeepAlive(false);
        assertFalse(socket.getKeepAlive());

        socket.setReceiveBufferSize(16_384);
        assertEquals(16_384, socket.getReceiveBufferSize());
        assertEquals(16_384, ch.getOption(StandardSocketOptions.SO_RCVBUF));
        socket.setSendBufferSize(32_768);
        assertEquals(32_768, socket.getSendBufferSize());
        assertEquals(32_768, ch.getOption(StandardSocketOptions.SO_SNDBUF));

        socket.setTrafficClass(0x10);
        assertEquals(0x10, socket.getTrafficClass());
        assertEquals(0x10, ch.getOption(StandardSocketOptions.IP_TOS));

        socket.setReuseAddress(true);
        assertTrue(socket.getReuseAddress());
        assertEquals(true, ch.getOption(StandardSocketOptions.SO_REUSEADDR));
        socket.setReuseAddress(false);
        assertFalse(socket.getReuseAddress());

        socket.setOOBInline(true);
        assertTrue(socket.getOOBInline());
        socket.setOOBInline(false);
        assertFalse(socket.getOOBInline());

        assertDoesNotThrow(() -> socket.setPerformancePreferences(0, 1, 2));

        assertThrows(IllegalArgumentException.class, () -> socket.setSendBufferSize(0));
        assertThrows(IllegalArgumentException.class, () -> socket.setReceiveBufferSize(0));
        assertThrows(IllegalArgumentException.class, () -> socket.setReceiveBufferSize(-1));
        assertThrows(IllegalArgumentException.class, () -> socket.setTrafficClass(256));
        assertThrows(IllegalArgumentException.class, () -> socket.setSoTimeout(-1));
        assertTrue(ch.isOpen());
    }

    @Test
    void soTimeoutMakesAdaptorReadsTimeOut() throws Exception {
        Pair pair = connectedPair();
        Socket socket = pair.client().socket();
        assertEquals(0, socket.getSoTimeout(), "no timeout by default");
        socket.setSoTimeout(200);
        assertEquals(200, socket.getSoTimeout());
        InputStream in = socket.getInputStream();

        long elapsed = millisOf(() -> assertThrows(SocketTimeoutException.class, in::read));
        assertTrue(elapsed >= 100, "timed out after only " + elapsed + " ms");
        assertTrue(pair.client().isOpen(), "a read timeout does not close the socket");
        assertThrows(SocketTimeoutException.class, () -> in.read(new byte[10], 0, 10));

        pair.accepted().write(ByteBuffer.wrap(new byte[] {42}));
        assertEquals(42, in.read(), "the stream still works after a timeout");
        pair.accepted().shutdownOutput();
        assertEquals(-1, in.read());
    }

    @Test
    void streamsRoundTripInBlockingMode() throws Exception {
        Pair pair = connectedPair();
        Socket client = pair.client().socket();
        Socket accepted = pair.accepted().socket();
        byte[] request = randomBytes(90, 200_000);
        byte[] response = randomBytes(91, 300_000);

        Task<byte[]> server = start("server", () -> {
            byte[] got = accepted.getInputStream().readNBytes(request.length);
            OutputStream out = accepted.getOutputStream();
            out.write(response);
            out.flush();
            accepted.shutdownOutput();
            return got;
        });
        OutputStream out = client.getOutputStream();
        out.write(request, 0, 100);
        out.write(request, 100, request.length - 100);
        out.flush();
        InputStream in = client.getInputStream();
        assertArrayEquals(response, in.readNBytes(response.length));
        assertEquals(-1, in.read(), "end of stream after the peer's shutdownOutput");
        assertArrayEquals(request, server.get(PROMPTLY));
        assertTrue(accepted.isOutputShutdown());
        assertFalse(accepted.isInputShutdown());
    }

    /**
     * {@code available()} counts the bytes a read can take now: after the peer's FIN, the
     * queued bytes and not the end of the stream (an MPTCP socket's {@code FIONREAD} counts
     * the end as a byte, even after a fallback to TCP).
     */
    @Test
    void availableAfterThePeersFinCountsOnlyTheQueuedBytes() throws Exception {
        Pair empty = connectedPair();
        empty.accepted().close();
        Pair queued = connectedPair();
        writeFully(queued.accepted(), new byte[10]);
        queued.accepted().close();
        // Let the FINs arrive (loopback: at once, but asynchronously).
        Thread.sleep(200);

        InputStream none = empty.client().socket().getInputStream();
        assertEquals(0, none.available(), "FIN, nothing queued");
        assertEquals(-1, none.read());
        assertEquals(0, none.available(), "after end of stream");

        InputStream ten = queued.client().socket().getInputStream();
        assertEquals(10, ten.available(), "FIN after 10 bytes");
        assertEquals(10, ten.read(new byte[20]));
        assertEquals(0, ten.available());
    }

    /** The same on a connection to a TCP listener (an MPTCP client falls back to TCP). */
    @Test
    void availableAfterThePeersFinOnAConnectionToATcpListener() throws Exception {
        ServerSocketChannel tcp = track(Providers.jdk().openServerSocketChannel());
        tcp.bind(new InetSocketAddress(ContractSupport.LOOPBACK_V4, 0));
        SocketChannel client = openSocketChannel();
        client.connect(tcp.getLocalAddress());
        SocketChannel accepted = track(tcp.accept());
        writeFully(accepted, new byte[3]);
        accepted.close();
        Thread.sleep(200);

        InputStream in = client.socket().getInputStream();
        assertEquals(3, in.available(), "FIN after 3 bytes");
        assertEquals(3, in.read(new byte[20]));
        assertEquals(0, in.available(), "FIN, nothing queued");
    }

    /** After a reset, {@code available()} is 0 and the next read still reports the reset. */
    @Test
    void availableAfterThePeersResetIsZeroAndTheReadReportsTheReset() throws Exception {
        Pair pair = connectedPair();
        pair.accepted().setOption(StandardSocketOptions.SO_LINGER, 0);
        pair.accepted().close();
        Thread.sleep(200);

        InputStream in = pair.client().socket().getInputStream();
        assertEquals(0, in.available());
        SocketException reset = assertThrows(SocketException.class, in::read);
        assertEquals("Connection reset", reset.getMessage());
    }

    @Test
    void closingAStreamClosesTheSocket() throws Exception {
        Pair pair = connectedPair();
        pair.client().socket().getInputStream().close();
        assertFalse(pair.client().isOpen());
        assertTrue(pair.client().socket().isClosed());

        Pair other = connectedPair();
        other.client().socket().getOutputStream().close();
        assertFalse(other.client().isOpen());
    }

    @Test
    void streamsRefuseNonBlockingMode() throws Exception {
        Pair pair = connectedPair();
        pair.client().configureBlocking(false);
        Socket socket = pair.client().socket();
        assertThrows(IllegalBlockingModeException.class, () -> socket.getInputStream().read());
        assertThrows(IllegalBlockingModeException.class,
                () -> socket.getOutputStream().write(1));
        assertThrows(IllegalBlockingModeException.class,
                () -> openNonBlocking().socket().connect(pair.server().getLocalAddress(), 1000));
        assertTrue(pair.client().isOpen());
    }

    private SocketChannel openNonBlocking() throws IOException {
        SocketChannel ch = openSocketChannel();
        ch.configureBlocking(false);
        return ch;
    }

    @Test
    void adaptorShutdownAndClose() throws Exception {
        Pair pair = connectedPair();
        Socket socket = pair.client().socket();
        socket.shutdownOutput();
        assertTrue(socket.isOutputShutdown());
        assertThrows(SocketException.class, socket::getOutputStream);
        assertEquals(-1, pair.accepted().read(ByteBuffer.allocate(1)), "the peer sees EOF");
        socket.shutdownInput();
        assertTrue(socket.isInputShutdown());
        assertThrows(SocketException.class, socket::getInputStream);
        assertEquals(-1, pair.client().read(ByteBuffer.allocate(1)));

        socket.close();
        assertTrue(socket.isClosed());
        assertFalse(pair.client().isOpen());
        assertFalse(socket.isConnected(), "the JDK adaptor reports its channel's state");
        assertTrue(socket.isBound());
        assertThrows(SocketException.class, socket::getInputStream);
        assertThrows(SocketException.class, socket::getTcpNoDelay);
        assertThrows(SocketException.class, () -> socket.setTcpNoDelay(true));
        socket.close();
    }

    @Test
    void adaptorConnectWithATimeout() throws Exception {
        ServerSocketChannel server = listen(ContractSupport.LOOPBACK_V4);
        SocketChannel ch = openSocketChannel();
        Socket socket = ch.socket();
        assertThrows(IllegalArgumentException.class,
                () -> socket.connect(server.getLocalAddress(), -1));
        assertThrows(IllegalArgumentException.class, () -> socket.connect(null, 1000));
        socket.connect(server.getLocalAddress(), 5000);
        assertTrue(socket.isConnected());
        assertTrue(ch.isConnected());
        assertTrue(ch.isBlocking());
        assertEquals(server.getLocalAddress(), socket.getRemoteSocketAddress());
        SocketChannel accepted = track(server.accept());
        byte[] ping = randomBytes(92, 10);
        writeFully(ch, ping);
        assertArrayEquals(ping, readFully(accepted, ping.length));
    }

    @Test
    void serverSocketAdaptorBindAndOptions() throws Exception {
        ServerSocketChannel ch = openServerSocketChannel();
        ServerSocket server = ch.socket();
        assertSame(server, ch.socket());
        assertSame(ch, server.getChannel());
        assertFalse(server.isBound());
        assertFalse(server.isClosed());
        assertEquals(-1, server.getLocalPort());
        assertNull(server.getInetAddress());
        assertNull(server.getLocalSocketAddress());

        server.setReuseAddress(true);
        assertTrue(server.getReuseAddress());
        assertEquals(true, ch.getOption(StandardSocketOptions.SO_REUSEADDR));
        server.setReuseAddress(false);
        assertFalse(server.getReuseAddress());
        server.setReceiveBufferSize(16_384);
        assertEquals(16_384, server.getReceiveBufferSize());
        assertEquals(16_384, ch.getOption(StandardSocketOptions.SO_RCVBUF));
        assertThrows(IllegalArgumentException.class, () -> server.setReceiveBufferSize(0));
        assertDoesNotThrow(() -> server.setPerformancePreferences(0, 1, 2));

        server.bind(new InetSocketAddress(ContractSupport.LOOPBACK_V4, 0), 5);
        assertTrue(server.isBound());
        assertTrue(server.getLocalPort() > 0);
        assertEquals(port(ch.getLocalAddress()), server.getLocalPort());
        assertEquals(ContractSupport.LOOPBACK_V4, server.getInetAddress());
        assertEquals(ch.getLocalAddress(), server.getLocalSocketAddress());
        assertThrows(SocketException.class,
                () -> server.bind(new InetSocketAddress(ContractSupport.LOOPBACK_V4, 0)),
                "already bound");

        SocketChannel client = openSocketChannel();
        client.connect(server.getLocalSocketAddress());
        track(ch.accept());

        server.close();
        assertTrue(server.isClosed());
        assertFalse(ch.isOpen());
        // JDK 17 throws AsynchronousCloseException here, JDK 25 ClosedChannelException.
        assertThrows(IOException.class, server::accept);
    }

    @Test
    void serverSocketAdaptorAcceptTimesOutThenAccepts() throws Exception {
        ServerSocketChannel ch = listen(ContractSupport.LOOPBACK_V4);
        ServerSocket server = ch.socket();
        assertEquals(0, server.getSoTimeout());
        server.setSoTimeout(200);
        assertEquals(200, server.getSoTimeout());

        long elapsed = millisOf(() -> assertThrows(SocketTimeoutException.class, server::accept));
        assertTrue(elapsed >= 100, "timed out after only " + elapsed + " ms");
        assertTrue(ch.isOpen(), "an accept timeout does not close the listener");

        SocketChannel client = openSocketChannel();
        client.connect(ch.getLocalAddress());
        Socket accepted = track(server.accept());
        SocketChannel acceptedChannel = accepted.getChannel();
        assertNotNull(acceptedChannel, "accept() returns the accepted channel's adaptor");
        track(acceptedChannel);
        assertSame(provider(), acceptedChannel.provider());
        assertSame(accepted, acceptedChannel.socket());
        assertTrue(acceptedChannel.isBlocking());
        assertTrue(accepted.isConnected());
        assertEquals(client.getLocalAddress(), accepted.getRemoteSocketAddress());
        byte[] ping = randomBytes(93, 10);
        writeFully(client, ping);
        assertArrayEquals(ping, readFully(acceptedChannel, ping.length));
    }

    @Test
    void serverSocketAdaptorAcceptRefusesNonBlockingMode() throws Exception {
        ServerSocketChannel ch = listen(ContractSupport.LOOPBACK_V4);
        ch.configureBlocking(false);
        assertThrows(IllegalBlockingModeException.class, () -> ch.socket().accept());
        ch.socket().setSoTimeout(100);
        assertThrows(IllegalBlockingModeException.class, () -> ch.socket().accept());
        assertTrue(ch.isOpen());
    }
}
