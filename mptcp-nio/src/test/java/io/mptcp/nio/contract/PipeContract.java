package io.mptcp.nio.contract;

import static io.mptcp.nio.contract.ContractSupport.PROMPTLY;
import static io.mptcp.nio.contract.ContractSupport.awaitReady;
import static java.nio.channels.SelectionKey.OP_READ;
import static java.nio.channels.SelectionKey.OP_WRITE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.Pipe;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.Arrays;
import java.util.Iterator;

import org.junit.jupiter.api.Test;

import io.mptcp.nio.contract.ContractSupport.BufferKind;
import io.mptcp.nio.contract.ContractSupport.PatternSource;
import io.mptcp.nio.contract.ContractSupport.StreamDigest;
import io.mptcp.nio.contract.ContractSupport.Summary;
import io.mptcp.nio.contract.ContractSupport.Task;

/** Case 10: pipes, blocking and through a selector (XNIO wakes its threads with them). */
abstract class PipeContract extends ChannelContract {

    @Test
    void pipeEndsBelongToTheProviderAndStartBlocking() throws Exception {
        Pipe pipe = openPipe();
        assertSame(provider(), pipe.source().provider());
        assertSame(provider(), pipe.sink().provider());
        assertEquals(OP_READ, pipe.source().validOps());
        assertEquals(OP_WRITE, pipe.sink().validOps());
        assertTrue(pipe.source().isBlocking());
        assertTrue(pipe.sink().isBlocking());
        assertSame(pipe.source(), pipe.source(), "one source per pipe");
    }

    @Test
    void blockingTransferWithChecksums() throws Exception {
        Pipe pipe = openPipe();
        Task<Summary> writer = start("sink-writer", () -> {
            Summary sent = ContractSupport.send(pipe.sink(), 8 << 20, 65_537, BufferKind.HEAP, 7);
            pipe.sink().close();
            return sent;
        });
        Summary received = ContractSupport.receive(pipe.source(), 4093, BufferKind.DIRECT);
        assertEquals(writer.get(PROMPTLY), received);
        assertEquals(8 << 20, received.bytes());
    }

    @Test
    void nonBlockingTransferThroughOneSelector() throws Exception {
        Pipe pipe = openPipe();
        pipe.source().configureBlocking(false);
        pipe.sink().configureBlocking(false);
        Selector selector = openSelector();
        SelectionKey sourceKey = pipe.source().register(selector, OP_READ);
        SelectionKey sinkKey = pipe.sink().register(selector, OP_WRITE);

        long total = 4 << 20;
        PatternSource pattern = new PatternSource(8);
        StreamDigest sent = new StreamDigest();
        StreamDigest received = new StreamDigest();
        ByteBuffer out = ByteBuffer.allocateDirect(30_011).limit(0);
        ByteBuffer in = ByteBuffer.allocate(8191);
        long produced = 0;
        int zeroWrites = 0;
        long deadline = System.nanoTime() + 2 * PROMPTLY.toNanos();
        boolean eof = false;
        while (!eof) {
            assertTrue(System.nanoTime() < deadline, "pipe transfer stalled");
            selector.select(1000);
            Iterator<SelectionKey> keys = selector.selectedKeys().iterator();
            while (keys.hasNext()) {
                SelectionKey key = keys.next();
                keys.remove();
                if (key == sinkKey) {
                    if (!out.hasRemaining()) {
                        int n = (int) Math.min(out.capacity(), total - produced);
                        out.clear();
                        pattern.fill(out, n);
                        out.flip();
                        sent.update(out, 0, n);
                        produced += n;
                    }
                    if (pipe.sink().write(out) == 0) {
                        zeroWrites++;
                    }
                    if (!out.hasRemaining() && produced == total) {
                        pipe.sink().close();
                    }
                } else if (key == sourceKey) {
                    in.clear();
                    int n = pipe.source().read(in);
                    eof = n < 0;
                    if (n > 0) {
                        received.update(in, 0, n);
                    }
                }
            }
        }
        assertEquals(sent.summary(), received.summary());
        assertEquals(total, received.summary().bytes());
        assertFalse(sinkKey.isValid(), "closing the sink cancelled its key");
        assertEquals(0, zeroWrites, "the sink took nothing although OP_WRITE was reported");
    }

    @Test
    void endOfStreamAfterTheSinkIsClosed() throws Exception {
        Pipe pipe = openPipe();
        pipe.sink().write(ByteBuffer.wrap(new byte[] {1, 2, 3}));
        pipe.sink().close();
        ByteBuffer buffer = ByteBuffer.allocate(10);
        assertEquals(3, pipe.source().read(buffer));
        assertArrayEquals(new byte[] {1, 2, 3}, Arrays.copyOf(buffer.array(), 3));
        assertEquals(-1, pipe.source().read(buffer));
        assertEquals(-1, pipe.source().read(buffer), "end of stream is sticky");
    }

    @Test
    void sinkCloseIsReportedAsReadable() throws Exception {
        Pipe pipe = openPipe();
        pipe.source().configureBlocking(false);
        Selector selector = openSelector();
        SelectionKey key = pipe.source().register(selector, OP_READ);
        assertEquals(0, selector.selectNow());
        assertEquals(0, pipe.source().read(ByteBuffer.allocate(1)), "empty, non-blocking");
        pipe.sink().close();
        awaitReady(selector, key, OP_READ);
        assertEquals(-1, pipe.source().read(ByteBuffer.allocate(1)));
    }

    @Test
    void closeReleasesABlockedPipeRead() throws Exception {
        Pipe pipe = openPipe();
        Task<Integer> reader = start("reader", () -> pipe.source().read(ByteBuffer.allocate(10)));
        reader.awaitBlockedIn(pipe.source(), "read");
        pipe.source().close();
        Throwable thrown = reader.failure(PROMPTLY);
        assertSame(AsynchronousCloseException.class, thrown.getClass(), thrown.toString());
    }

    @Test
    void interruptReleasesABlockedPipeRead() throws Exception {
        Pipe pipe = openPipe();
        Task<Integer> reader = start("reader", () -> pipe.source().read(ByteBuffer.allocate(10)));
        reader.awaitBlockedIn(pipe.source(), "read");
        reader.thread().interrupt();
        Throwable thrown = reader.failure(PROMPTLY);
        assertSame(ClosedByInterruptException.class, thrown.getClass(), thrown.toString());
        assertFalse(pipe.source().isOpen());
    }

    @Test
    void writeAfterTheSourceIsClosedFailsWithoutKillingTheJvm() throws Exception {
        Pipe pipe = openPipe();
        pipe.source().close();
        IOException thrown = assertThrows(IOException.class,
                () -> pipe.sink().write(ByteBuffer.allocate(10)),
                "broken pipe (EPIPE, and no SIGPIPE)");
        assertNotEquals(ClosedChannelException.class, thrown.getClass(), "the sink is open");
        assertTrue(pipe.sink().isOpen());
    }
}
