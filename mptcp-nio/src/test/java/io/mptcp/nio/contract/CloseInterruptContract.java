package io.mptcp.nio.contract;

import static io.mptcp.nio.contract.ContractSupport.PROMPTLY;
import static io.mptcp.nio.contract.ContractSupport.writeFully;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.concurrent.Callable;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import io.mptcp.nio.contract.ContractSupport.Task;

/**
 * Case 7: blocking operations released by {@code close()} from another thread
 * ({@link AsynchronousCloseException}) and by interrupts ({@link ClosedByInterruptException},
 * which also closes the channel). Exception classes are compared exactly, because
 * {@code ClosedByInterruptException} is a subclass of {@code AsynchronousCloseException}.
 */
abstract class CloseInterruptContract extends ChannelContract {

    /**
     * Runs {@code call}; if it throws {@link ClosedByInterruptException}, checks first that the
     * thread's interrupt status is still set, as the JDK leaves it.
     */
    private static <T> Callable<T> keepingInterruptStatus(Callable<T> call) {
        return () -> {
            try {
                return call.call();
            } catch (ClosedByInterruptException e) {
                assertTrue(Thread.currentThread().isInterrupted(),
                        "the interrupt status stays set after ClosedByInterruptException");
                throw e;
            }
        };
    }

    private static void assertThrewExactly(Class<? extends Throwable> type, Task<?> task)
            throws InterruptedException {
        Throwable thrown = task.failure(PROMPTLY);
        if (thrown.getClass() != type) {
            throw new AssertionError("expected " + type.getName() + " but got " + thrown, thrown);
        }
    }

    /** The peer sees end of stream: the channel's socket was really closed. */
    private void assertPeerSeesEof(SocketChannel peer) throws Exception {
        Task<Integer> read = start("peer-read", () -> peer.read(ByteBuffer.allocate(1)));
        assertEquals(-1, read.get(PROMPTLY), "the peer sees end of stream");
    }

    @Test
    void closeReleasesABlockedRead() throws Exception {
        Pair pair = connectedPair();
        Task<Integer> reader = start("reader", () -> pair.client().read(ByteBuffer.allocate(10)));
        reader.awaitBlockedIn(pair.client(), "read");
        pair.client().close();
        assertThrewExactly(AsynchronousCloseException.class, reader);
        assertPeerSeesEof(pair.accepted());
    }

    @Test
    void closeReleasesABlockedScatteringRead() throws Exception {
        Pair pair = connectedPair();
        ByteBuffer[] buffers = {ByteBuffer.allocate(3), ByteBuffer.allocateDirect(7)};
        Task<Long> reader = start("reader", () -> pair.client().read(buffers));
        reader.awaitBlockedIn(pair.client(), "read");
        pair.client().close();
        assertThrewExactly(AsynchronousCloseException.class, reader);
    }

    /**
     * The socket buffers are filled first, so the blocked write has transferred nothing when
     * the channel is closed. (A write that has already transferred bytes is not failed by the
     * JDK: it returns the partial count, and the next write throws ClosedChannelException.)
     */
    @Test
    void closeReleasesABlockedWrite() throws Exception {
        Pair pair = connectedPair();
        // Fixed small buffers: the kernel cannot grow them under the write (autotuning).
        pair.client().setOption(StandardSocketOptions.SO_SNDBUF, 4096);
        pair.accepted().setOption(StandardSocketOptions.SO_RCVBUF, 4096);
        fillSendPath(pair.client());
        Task<Integer> writer = start("writer", () -> pair.client().write(ByteBuffer.allocate(1)));
        writer.awaitBlockedIn(pair.client(), "write");
        pair.client().close();
        assertThrewExactly(AsynchronousCloseException.class, writer);
    }

    /** Writes without blocking until neither the local nor the peer's buffers take more. */
    private static void fillSendPath(SocketChannel ch) throws Exception {
        ch.configureBlocking(false);
        ByteBuffer chunk = ByteBuffer.allocateDirect(1 << 16);
        for (int zeros = 0; zeros < 3; ) {
            if (ch.write(chunk.clear()) == 0) {
                zeros++;
                Thread.sleep(50);
            } else {
                zeros = 0;
            }
        }
        ch.configureBlocking(true);
    }

    @Test
    void closeReleasesABlockedAccept() throws Exception {
        ServerSocketChannel server = listen(ContractSupport.LOOPBACK_V4);
        InetSocketAddress address = (InetSocketAddress) server.getLocalAddress();
        Task<SocketChannel> acceptor = start("acceptor", server::accept);
        acceptor.awaitBlockedIn(server, "accept");
        server.close();
        assertThrewExactly(AsynchronousCloseException.class, acceptor);
        SocketChannel client = openSocketChannel();
        assertThrows(ConnectException.class, () -> client.connect(address),
                "the listener is really closed");
    }

    @Test
    void closeReleasesABlockedConnect() throws Exception {
        InetSocketAddress blackHole = unresponsiveListener();
        SocketChannel ch = openSocketChannel();
        Task<Boolean> connector = start("connector", () -> ch.connect(blackHole));
        connector.awaitBlockedIn(ch, "connect");
        ch.close();
        assertThrewExactly(AsynchronousCloseException.class, connector);
        assertFalse(ch.isConnectionPending());
    }

    @Test
    void interruptReleasesABlockedReadAndClosesTheChannel() throws Exception {
        Pair pair = connectedPair();
        Task<Integer> reader = start("reader",
                keepingInterruptStatus(() -> pair.client().read(ByteBuffer.allocate(10))));
        reader.awaitBlockedIn(pair.client(), "read");
        reader.thread().interrupt();
        assertThrewExactly(ClosedByInterruptException.class, reader);
        assertFalse(pair.client().isOpen(), "the interrupt closed the channel");
        assertPeerSeesEof(pair.accepted());
    }

    @Test
    void interruptReleasesABlockedAcceptAndClosesTheChannel() throws Exception {
        ServerSocketChannel server = listen(ContractSupport.LOOPBACK_V4);
        Task<SocketChannel> acceptor = start("acceptor", keepingInterruptStatus(server::accept));
        acceptor.awaitBlockedIn(server, "accept");
        acceptor.thread().interrupt();
        assertThrewExactly(ClosedByInterruptException.class, acceptor);
        assertFalse(server.isOpen());
    }

    @Test
    void interruptReleasesABlockedConnectAndClosesTheChannel() throws Exception {
        InetSocketAddress blackHole = unresponsiveListener();
        SocketChannel ch = openSocketChannel();
        Task<Boolean> connector = start("connector",
                keepingInterruptStatus(() -> ch.connect(blackHole)));
        connector.awaitBlockedIn(ch, "connect");
        connector.thread().interrupt();
        assertThrewExactly(ClosedByInterruptException.class, connector);
        assertFalse(ch.isOpen());
    }

    /** Even with data waiting, an interrupted thread's read closes the channel and fails. */
    @Test
    void alreadyInterruptedThreadGetsClosedByInterruptException() throws Exception {
        Pair pair = connectedPair();
        writeFully(pair.accepted(), new byte[] {1, 2, 3});
        Task<Integer> reader = startInterrupted("reader",
                keepingInterruptStatus(() -> pair.client().read(ByteBuffer.allocate(10))));
        assertThrewExactly(ClosedByInterruptException.class, reader);
        assertFalse(pair.client().isOpen());
        Task<Integer> peerRead =
                start("peer-read", () -> pair.accepted().read(ByteBuffer.allocate(1)));
        assertInstanceOf(SocketException.class, peerRead.failure(PROMPTLY),
                "closed with unread data: Linux resets the connection");

        Pair other = connectedPair();
        Task<Integer> writer = startInterrupted("writer",
                keepingInterruptStatus(() -> other.client().write(ByteBuffer.allocate(10))));
        assertThrewExactly(ClosedByInterruptException.class, writer);
        assertFalse(other.client().isOpen());
    }

    @Test
    void closedChannelOperationsThrowClosedChannelException() throws Exception {
        Pair pair = connectedPair();
        SocketChannel ch = pair.client();
        ch.close();
        ch.close();
        assertFalse(ch.isOpen());
        assertFalse(ch.isConnected());
        assertTrue(ch.socket().isClosed());
        ByteBuffer buffer = ByteBuffer.allocate(1);
        Executable[] calls = {
            () -> ch.read(buffer), () -> ch.write(buffer),
            () -> ch.read(new ByteBuffer[] {buffer}), () -> ch.write(new ByteBuffer[] {buffer}),
            () -> ch.connect(pair.server().getLocalAddress()), ch::finishConnect,
            ch::getLocalAddress, ch::getRemoteAddress, ch::shutdownInput, ch::shutdownOutput,
            () -> ch.bind(null), () -> ch.getOption(StandardSocketOptions.SO_RCVBUF),
            () -> ch.setOption(StandardSocketOptions.SO_RCVBUF, 1024),
        };
        for (Executable call : calls) {
            assertThrows(ClosedChannelException.class, call);
        }

        ServerSocketChannel server = pair.server();
        server.close();
        assertThrows(ClosedChannelException.class, server::accept);
        assertThrows(ClosedChannelException.class, server::getLocalAddress);
        assertTrue(server.socket().isClosed());
    }
}
