package io.mptcp.nio.contract;

import static io.mptcp.nio.contract.ContractSupport.PROMPTLY;
import static io.mptcp.nio.contract.ContractSupport.awaitReady;
import static io.mptcp.nio.contract.ContractSupport.randomBytes;
import static io.mptcp.nio.contract.ContractSupport.readFully;
import static io.mptcp.nio.contract.ContractSupport.writeFully;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.NotYetConnectedException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import io.mptcp.nio.contract.ContractSupport.Task;

/** Case 2: half-close in both directions, and operations before connect. */
abstract class HalfCloseContract extends ChannelContract {

    @Test
    void shutdownOutputSendsEofAndThePeerCanStillWriteBack() throws Exception {
        Pair pair = connectedPair();
        byte[] request = randomBytes(10, 50_000);
        byte[] response = randomBytes(11, 70_000);
        writeFully(pair.client(), request);
        pair.client().shutdownOutput();
        assertTrue(pair.client().isOpen(), "half-closed, not closed");
        assertTrue(pair.client().isConnected());

        assertArrayEquals(request, readFully(pair.accepted(), request.length),
                "bytes written before shutdownOutput arrive");
        ByteBuffer more = ByteBuffer.allocate(10);
        assertEquals(-1, pair.accepted().read(more), "then end of stream");
        assertEquals(-1, pair.accepted().read(more), "end of stream is sticky");
        assertEquals(0, more.position());

        writeFully(pair.accepted(), response);
        assertArrayEquals(response, readFully(pair.client(), response.length),
                "the half-closed side still reads what the peer writes back");
        pair.accepted().close();
        assertEquals(-1, pair.client().read(ByteBuffer.allocate(1)));
    }

    @Test
    void writeAfterShutdownOutputThrowsClosedChannelException() throws Exception {
        Pair pair = connectedPair();
        pair.client().shutdownOutput();
        pair.client().shutdownOutput();
        assertThrows(ClosedChannelException.class,
                () -> pair.client().write(ByteBuffer.wrap(new byte[] {1})));
        assertThrows(ClosedChannelException.class, () -> pair.client().write(
                new ByteBuffer[] {ByteBuffer.wrap(new byte[] {1, 2})}, 0, 1));
        assertTrue(pair.client().isOpen(), "the failed write does not close the channel");

        pair.client().configureBlocking(false);
        assertThrows(ClosedChannelException.class,
                () -> pair.client().write(ByteBuffer.wrap(new byte[] {1})),
                "non-blocking too");
        assertEquals(-1, pair.accepted().read(ByteBuffer.allocate(1)),
                "nothing was sent after the shutdown");
    }

    @Test
    void shutdownInputMakesLocalReadsReturnEndOfStream() throws Exception {
        Pair pair = connectedPair();
        pair.client().shutdownInput();
        pair.client().shutdownInput();
        assertEquals(-1, pair.client().read(ByteBuffer.allocate(10)));

        writeFully(pair.accepted(), randomBytes(12, 1000));
        assertEquals(-1, pair.client().read(ByteBuffer.allocate(10)),
                "data arriving after shutdownInput is not delivered");
        assertEquals(-1, pair.client().read(new ByteBuffer[] {ByteBuffer.allocate(10)}),
                "scattering read too");
        pair.client().configureBlocking(false);
        assertEquals(-1, pair.client().read(ByteBuffer.allocate(10)), "non-blocking too");

        byte[] upstream = randomBytes(13, 1000);
        writeFully(pair.client(), upstream);
        assertArrayEquals(upstream, readFully(pair.accepted(), upstream.length),
                "the output side still works");
    }

    @Test
    void shutdownInputReleasesABlockedReadWithEndOfStream() throws Exception {
        Pair pair = connectedPair();
        Task<Integer> reader = start("reader", () -> pair.client().read(ByteBuffer.allocate(10)));
        reader.awaitBlockedIn(pair.client(), "read");
        pair.client().shutdownInput();
        assertEquals(-1, reader.get(PROMPTLY));
        assertTrue(pair.client().isOpen());
    }

    @Test
    void peerShutdownOutputIsReportedAsReadable() throws Exception {
        Pair pair = connectedPair();
        pair.client().configureBlocking(false);
        Selector selector = openSelector();
        SelectionKey key = pair.client().register(selector, SelectionKey.OP_READ);
        assertEquals(0, selector.selectNow(), "nothing to read yet");

        pair.accepted().shutdownOutput();
        awaitReady(selector, key, SelectionKey.OP_READ);
        assertEquals(-1, pair.client().read(ByteBuffer.allocate(10)));
        assertEquals(1, selector.selectNow(), "end of stream stays readable (level-triggered)");
        assertTrue(key.isReadable());
    }

    @Test
    void operationsBeforeConnectThrowNotYetConnected() throws Exception {
        SocketChannel unconnected = openSocketChannel();
        assertNotYetConnected(unconnected);

        ServerSocketChannel server = listen(ContractSupport.LOOPBACK_V4);
        SocketChannel pending = openSocketChannel();
        pending.configureBlocking(false);
        assertFalse(pending.connect(server.getLocalAddress()));
        assertTrue(pending.isConnectionPending());
        assertNotYetConnected(pending);
    }

    private static void assertNotYetConnected(SocketChannel ch) {
        ByteBuffer buffer = ByteBuffer.allocate(10);
        ByteBuffer[] buffers = {ByteBuffer.allocate(10)};
        Executable[] calls = {
            () -> ch.read(buffer),
            () -> ch.read(buffers),
            () -> ch.write(buffer),
            () -> ch.write(buffers, 0, 1),
            ch::shutdownInput,
            ch::shutdownOutput,
        };
        for (Executable call : calls) {
            assertThrows(NotYetConnectedException.class, call);
        }
        assertTrue(ch.isOpen(), "NotYetConnectedException does not close the channel");
    }
}
