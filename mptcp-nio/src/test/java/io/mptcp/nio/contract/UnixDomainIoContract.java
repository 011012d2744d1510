package io.mptcp.nio.contract;

import static io.mptcp.nio.contract.ContractSupport.PROMPTLY;
import static io.mptcp.nio.contract.ContractSupport.awaitReady;
import static io.mptcp.nio.contract.ContractSupport.readFully;
import static io.mptcp.nio.contract.ContractSupport.writeFully;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.SocketException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.spi.SelectorProvider;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.mptcp.nio.contract.ContractSupport.BufferKind;
import io.mptcp.nio.contract.ContractSupport.Summary;
import io.mptcp.nio.contract.ContractSupport.Task;

/**
 * UNIX-domain channels moving data: blocking and non-blocking transfer with every buffer kind,
 * half close, a selector holding UNIX and INET channels at once, close and interrupt of blocked
 * calls, a connect to a listener whose backlog is full, and interop with the other provider.
 */
abstract class UnixDomainIoContract extends UnixDomainChannelContract {

    private static final long MIB = 1 << 20;

    @Test
    void blockingTransferBothWaysWithEveryBufferKindIsIntact() throws Exception {
        Pair pair = unixPair();
        for (BufferKind kind : BufferKind.values()) {
            long seed = kind.ordinal();
            Task<Summary> receiver = start("receive-" + kind, () -> {
                SocketChannel in = pair.accepted();
                ByteBuffer length = ByteBuffer.allocate(8);
                while (length.hasRemaining()) {
                    in.read(length);
                }
                long total = length.flip().getLong();
                ContractSupport.StreamDigest digest = new ContractSupport.StreamDigest();
                ByteBuffer buffer = ByteBuffer.allocateDirect(8192);
                long got = 0;
                while (got < total) {
                    buffer.clear().limit((int) Math.min(8192, total - got));
                    int n = in.read(buffer);
                    assertTrue(n > 0, "no end of stream before all bytes");
                    digest.update(buffer, 0, n);
                    got += n;
                }
                return digest.summary();
            });
            writeFully(pair.client(), ByteBuffer.allocate(8).putLong(2 * MIB).array());
            Summary sent = ContractSupport.send(pair.client(), 2 * MIB, 65536, kind, seed);
            assertEquals(sent, receiver.get(PROMPTLY), kind.name());
        }
    }

    @Test
    void scatterGatherAndHalfClose() throws Exception {
        Pair pair = unixPair();
        ByteBuffer[] out = {ByteBuffer.wrap(new byte[] {1, 2, 3}),
                ByteBuffer.allocateDirect(2).put((byte) 4).put((byte) 5).flip()};
        assertEquals(5, pair.client().write(out));
        pair.client().shutdownOutput();
        ByteBuffer[] in = {ByteBuffer.allocate(2), ByteBuffer.allocateDirect(3)};
        long n = 0;
        while (n < 5) {
            n += pair.accepted().read(in);
        }
        assertArrayEquals(new byte[] {1, 2}, in[0].array());
        assertEquals(3, in[1].flip().remaining());
        assertEquals(-1, pair.accepted().read(ByteBuffer.allocate(1)), "end of stream");
        assertThrows(ClosedChannelException.class,
                () -> pair.client().write(ByteBuffer.allocate(1)), "output is shut down");

        writeFully(pair.accepted(), new byte[] {9});
        assertArrayEquals(new byte[] {9}, readFully(pair.client(), 1), "the other way works");
        pair.client().shutdownInput();
        assertEquals(-1, pair.client().read(ByteBuffer.allocate(1)));
    }

    @Test
    void writingToAClosedPeerFails() throws Exception {
        Pair pair = unixPair();
        pair.accepted().close();
        ByteBuffer chunk = ByteBuffer.allocate(65536);
        assertThrows(IOException.class, () -> {
            for (int i = 0; i < 64; i++) {
                chunk.clear();
                pair.client().write(chunk);
            }
        });
        assertEquals(-1, pair.client().read(ByteBuffer.allocate(1)));
    }

    @Test
    void aSelectorServesUnixAndInetChannelsTogether() throws Exception {
        Selector selector = openSelector();
        ServerSocketChannel unixServer = listenUnix("server");
        unixServer.configureBlocking(false);
        ServerSocketChannel inetServer = listen(ContractSupport.LOOPBACK_V4);
        inetServer.configureBlocking(false);
        SelectionKey unixAccept = unixServer.register(selector, SelectionKey.OP_ACCEPT);
        SelectionKey inetAccept = inetServer.register(selector, SelectionKey.OP_ACCEPT);

        SocketChannel unixClient = openUnixSocketChannel();
        unixClient.configureBlocking(false);
        SelectionKey connectKey = unixClient.register(selector, SelectionKey.OP_CONNECT);
        if (!unixClient.connect(unixServer.getLocalAddress())) {
            awaitReady(selector, connectKey, SelectionKey.OP_CONNECT);
            assertTrue(unixClient.finishConnect());
        }
        assertTrue(unixClient.isConnected());
        SocketChannel inetClient = openSocketChannel();
        inetClient.connect(inetServer.getLocalAddress());

        awaitReady(selector, unixAccept, SelectionKey.OP_ACCEPT);
        SocketChannel unixAccepted = track(unixServer.accept());
        awaitReady(selector, inetAccept, SelectionKey.OP_ACCEPT);
        SocketChannel inetAccepted = track(inetServer.accept());
        unixAccepted.configureBlocking(false);
        inetAccepted.configureBlocking(false);
        SelectionKey unixRead = unixAccepted.register(selector, SelectionKey.OP_READ);
        SelectionKey inetRead = inetAccepted.register(selector, SelectionKey.OP_READ);

        connectKey.interestOps(SelectionKey.OP_WRITE);
        awaitReady(selector, connectKey, SelectionKey.OP_WRITE);
        assertEquals(3, unixClient.write(ByteBuffer.wrap(new byte[] {1, 2, 3})));
        writeFully(inetClient, new byte[] {4});
        awaitReady(selector, unixRead, SelectionKey.OP_READ);
        awaitReady(selector, inetRead, SelectionKey.OP_READ);
        ByteBuffer got = ByteBuffer.allocate(8);
        assertEquals(3, unixAccepted.read(got));
        assertEquals(1, inetAccepted.read(ByteBuffer.allocate(8)));
        assertEquals(0, unixAccepted.read(got), "non-blocking read with nothing there");

        unixClient.close();
        awaitReady(selector, unixRead, SelectionKey.OP_READ);
        assertEquals(-1, unixAccepted.read(got), "the peer's close is end of stream");
    }

    @Test
    void nonBlockingAcceptWithNothingPendingReturnsNull() throws Exception {
        ServerSocketChannel server = listenUnix("server");
        server.configureBlocking(false);
        assertNull(server.accept());
        SocketChannel client = openUnixSocketChannel();
        client.connect(server.getLocalAddress());
        SocketChannel accepted = null;
        for (int i = 0; i < 500 && accepted == null; i++) {
            accepted = server.accept();
            Thread.sleep(accepted == null ? 10 : 0);
        }
        assertNotNull(accepted);
        track(accepted);
    }

    /** A client that connects and closes before the accept is still accepted: EOF, unnamed. */
    @Test
    void aConnectionClosedBeforeAcceptIsStillAccepted() throws Exception {
        ServerSocketChannel server = listenUnix("server");
        SocketChannel client = openUnixSocketChannel();
        client.connect(server.getLocalAddress());
        client.close();
        SocketChannel accepted = track(start("acceptor", server::accept).get(PROMPTLY));
        assertNotNull(accepted);
        assertEquals("", ((UnixDomainSocketAddress) accepted.getRemoteAddress())
                .getPath().toString(), "the client was unnamed");
        assertEquals(-1, accepted.read(ByteBuffer.allocate(1)));
    }

    @Test
    void closeReleasesABlockedAcceptAndABlockedRead() throws Exception {
        ServerSocketChannel server = listenUnix("acceptor");
        Task<SocketChannel> acceptor = start("acceptor", server::accept);
        acceptor.awaitBlockedIn(server, "accept");
        server.close();
        assertEquals(AsynchronousCloseException.class,
                acceptor.failure(PROMPTLY).getClass());

        Pair pair = unixPair();
        Task<Integer> reader = start("reader", () -> pair.client().read(ByteBuffer.allocate(4)));
        reader.awaitBlockedIn(pair.client(), "read");
        pair.client().close();
        assertEquals(AsynchronousCloseException.class, reader.failure(PROMPTLY).getClass());
        assertEquals(-1, pair.accepted().read(ByteBuffer.allocate(1)), "the peer sees EOF");
    }

    @Test
    void interruptClosesABlockedRead() throws Exception {
        Pair pair = unixPair();
        Task<Integer> reader = start("reader", () -> pair.client().read(ByteBuffer.allocate(4)));
        reader.awaitBlockedIn(pair.client(), "read");
        reader.thread().interrupt();
        assertEquals(ClosedByInterruptException.class, reader.failure(PROMPTLY).getClass());
        assertFalse(pair.client().isOpen());
    }

    /** Fills the backlog of {@code server} with non-blocking connects; returns the refusal. */
    private SocketException fillBacklog(ServerSocketChannel server) throws IOException {
        for (int i = 0; i < 64; i++) {
            SocketChannel filler = openUnixSocketChannel();
            filler.configureBlocking(false);
            try {
                filler.connect(server.getLocalAddress());
            } catch (SocketException e) {
                assertFalse(filler.isOpen(), "a failed connect closes the channel");
                return e;
            }
        }
        throw new AssertionError("64 connects to a listener with backlog 1 all succeeded");
    }

    @Test
    void aNonBlockingConnectToAFullBacklogFails() throws Exception {
        ServerSocketChannel server = openUnixServerSocketChannel().bind(address("full"), 1);
        SocketException refused = fillBacklog(server);
        assertEquals(SocketException.class, refused.getClass());
    }

    @Test
    void aBlockingConnectToAFullBacklogWaitsForRoom() throws Exception {
        ServerSocketChannel server = openUnixServerSocketChannel().bind(address("full"), 1);
        fillBacklog(server);
        SocketChannel client = openUnixSocketChannel();
        Task<Boolean> connect = start("connect", () -> client.connect(server.getLocalAddress()));
        connect.awaitBlockedIn(client, "connect");
        track(server.accept());
        assertTrue(connect.get(PROMPTLY), "connected once the listener accepted one");
        assertTrue(client.isConnected());
    }

    @Test
    void closeReleasesAConnectWaitingForRoom() throws Exception {
        ServerSocketChannel server = openUnixServerSocketChannel().bind(address("full"), 1);
        fillBacklog(server);
        SocketChannel client = openUnixSocketChannel();
        Task<Boolean> connect = start("connect", () -> client.connect(server.getLocalAddress()));
        connect.awaitBlockedIn(client, "connect");
        client.close();
        assertEquals(AsynchronousCloseException.class, connect.failure(PROMPTLY).getClass());
    }

    @Test
    void interoperatesWithTheOtherProvidersChannels() throws Exception {
        SelectorProvider other = provider() == Providers.jdk() ? Providers.MPTCP : Providers.jdk();
        ServerSocketChannel foreignServer =
                track(other.openServerSocketChannel(StandardProtocolFamily.UNIX));
        foreignServer.bind(address("foreign"));
        SocketChannel client = openUnixSocketChannel();
        client.connect(foreignServer.getLocalAddress());
        SocketChannel foreignAccepted = track(foreignServer.accept());
        writeFully(client, new byte[] {7, 8});
        assertArrayEquals(new byte[] {7, 8}, readFully(foreignAccepted, 2));

        ServerSocketChannel server = listenUnix("ours");
        SocketChannel foreignClient = track(other.openSocketChannel(StandardProtocolFamily.UNIX));
        foreignClient.connect(server.getLocalAddress());
        SocketChannel accepted = track(server.accept());
        writeFully(accepted, new byte[] {9});
        assertArrayEquals(new byte[] {9}, readFully(foreignClient, 1));
    }

    @Test
    void manyConnectionsToOneListener() throws Exception {
        ServerSocketChannel server = listenUnix("server");
        List<SocketChannel> clients = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            SocketChannel c = openUnixSocketChannel();
            c.connect(server.getLocalAddress());
            SocketChannel a = track(server.accept());
            writeFully(c, new byte[] {(byte) i});
            clients.add(a);
        }
        for (int i = 0; i < clients.size(); i++) {
            assertEquals((byte) i, readFully(clients.get(i), 1)[0]);
        }
    }
}
