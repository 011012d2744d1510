package io.mptcp.nio.internal.pipe;

import io.mptcp.ffi.Errno;
import io.mptcp.ffi.ErrnoException;
import io.mptcp.ffi.IoStatus;
import io.mptcp.nio.internal.select.EpollSelector;
import io.mptcp.nio.internal.select.EpollSelectorFixture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.mockito.stubbing.Answer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.Pipe;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

import static io.mptcp.ffi.LinuxUapi.EPOLLERR;
import static io.mptcp.ffi.LinuxUapi.EPOLLHUP;
import static io.mptcp.ffi.LinuxUapi.EPOLLIN;
import static io.mptcp.ffi.LinuxUapi.EPOLLOUT;
import static io.mptcp.ffi.LinuxUapi.O_CLOEXEC;
import static io.mptcp.ffi.LinuxUapi.O_NONBLOCK;
import static io.mptcp.ffi.LinuxUapi.POLLIN;
import static io.mptcp.ffi.LinuxUapi.POLLOUT;
import static java.nio.channels.SelectionKey.OP_READ;
import static java.nio.channels.SelectionKey.OP_WRITE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyInt;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.mockingDetails;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

/** Pipe channels over a model of the kernel: blocking, close, interrupt, errors. */
@Timeout(value = 10, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class PipeChannelTest {
    private static final int READ_FD = 30;
    private static final int WRITE_FD = 31;
    private static final byte[] DATA = {1, 2, 3, 4, 5};

    private final EpollSelectorFixture kernel;
    private final Pipe pipe;
    private final PipeSourceChannel source;
    private final PipeSinkChannel sink;

    PipeChannelTest() throws IOException {
        kernel = new EpollSelectorFixture();
        when(kernel.sys.pipe2(anyInt())).thenReturn(new int[] {READ_FD, WRITE_FD});
        pipe = kernel.provider.openPipe();
        source = (PipeSourceChannel) pipe.source();
        sink = (PipeSinkChannel) pipe.sink();
    }

    @Test
    void opensANonBlockingPipeWithTwoSelectableEnds() throws IOException {
        verify(kernel.sys).pipe2(O_NONBLOCK | O_CLOEXEC);
        assertEquals(READ_FD, source.fdVal());
        assertEquals(WRITE_FD, sink.fdVal());
        assertSame(kernel.provider, source.provider());
        assertEquals(OP_READ, source.validOps());
        assertEquals(OP_WRITE, sink.validOps());
        assertTrue(source.isBlocking());
    }

    @Test
    void failedPipe2SaysWhy() throws IOException {
        when(kernel.sys.pipe2(anyInt())).thenThrow(new ErrnoException("pipe2", Errno.EMFILE));
        IOException e = assertThrows(IOException.class, kernel.provider::openPipe);
        assertEquals("Too many open files", e.getMessage());
    }

    @Test
    void translatesBetweenOpsAndEpollEvents() {
        assertEquals(EPOLLIN, source.translateInterestOps(OP_READ));
        assertEquals(0, source.translateInterestOps(0));
        assertEquals(OP_READ, source.translateReadyOps(EPOLLIN, OP_READ));
        assertEquals(0, source.translateReadyOps(EPOLLIN, 0));
        assertEquals(OP_READ, source.translateReadyOps(EPOLLHUP, OP_READ));
        assertEquals(EPOLLOUT, sink.translateInterestOps(OP_WRITE));
        assertEquals(OP_WRITE, sink.translateReadyOps(EPOLLOUT, OP_WRITE));
        assertEquals(OP_WRITE, sink.translateReadyOps(EPOLLERR, OP_WRITE));
        assertEquals(0, sink.translateReadyOps(EPOLLIN, OP_WRITE));
    }

    @Test
    void nonBlockingReadOfAnEmptyPipeReadsNothing() throws IOException {
        when(kernel.sys.read(eq(READ_FD), any())).thenReturn(IoStatus.UNAVAILABLE);
        source.configureBlocking(false);
        ByteBuffer dst = ByteBuffer.allocate(8);
        assertEquals(0, source.read(dst));
        assertEquals(0, dst.position());
        verify(kernel.sys, never()).poll(anyInt(), anyInt(), anyInt(), anyInt());
    }

    @Test
    void readAtEndOfStreamReturnsMinusOne() throws IOException {
        when(kernel.sys.read(eq(READ_FD), any())).thenReturn(0);
        assertEquals(-1, source.read(ByteBuffer.allocate(8)));
    }

    @Test
    void readIntoAReadOnlyBufferIsRefused() throws IOException {
        ByteBuffer readOnly = ByteBuffer.allocateDirect(8).asReadOnlyBuffer();
        assertThrows(IllegalArgumentException.class, () -> source.read(readOnly));
        ByteBuffer[] dsts = {ByteBuffer.allocate(8), readOnly};
        assertThrows(IllegalArgumentException.class, () -> source.read(dsts));
        verify(kernel.sys, never()).read(anyInt(), any());
        verify(kernel.sys, never()).readv(anyInt(), any(), anyInt(), anyInt());
    }

    @Test
    void blockingReadParksUntilThePipeIsReadable() throws Exception {
        when(kernel.sys.read(eq(READ_FD), any()))
                .thenReturn(IoStatus.UNAVAILABLE)
                .thenAnswer(fill(DATA));
        ByteBuffer dst = ByteBuffer.allocate(8);
        CompletableFuture<Integer> read = CompletableFuture.supplyAsync(() -> read(dst));
        awaitParked(READ_FD, POLLIN);
        kernel.setReady(READ_FD, EPOLLIN);
        assertEquals(DATA.length, read.get());
        assertArrayEquals(DATA, Arrays.copyOf(dst.array(), dst.position()));
    }

    @Test
    void closeReleasesABlockedReaderAndThenTheDescriptor() throws Exception {
        when(kernel.sys.read(eq(READ_FD), any())).thenReturn(IoStatus.UNAVAILABLE);
        CompletableFuture<Integer> read =
                CompletableFuture.supplyAsync(() -> read(ByteBuffer.allocate(8)));
        awaitParked(READ_FD, POLLIN);
        source.close();
        ExecutionException e = assertThrows(ExecutionException.class, read::get);
        assertInstanceOf(AsynchronousCloseException.class, e.getCause().getCause());
        verify(kernel.sys).close(READ_FD);
        assertThrows(ClosedChannelException.class, () -> source.read(ByteBuffer.allocate(8)));
    }

    @Test
    void interruptClosesTheChannelUnderABlockedReader() throws Exception {
        when(kernel.sys.read(eq(READ_FD), any())).thenReturn(IoStatus.UNAVAILABLE);
        CompletableFuture<Throwable> failure = new CompletableFuture<>();
        CompletableFuture<Boolean> interrupted = new CompletableFuture<>();
        Thread reader = new Thread(() -> {
            try {
                source.read(ByteBuffer.allocate(8));
            } catch (IOException e) {
                failure.complete(e);
            }
            interrupted.complete(Thread.currentThread().isInterrupted());
        });
        reader.start();
        awaitParked(READ_FD, POLLIN);
        reader.interrupt();
        assertInstanceOf(ClosedByInterruptException.class, failure.get());
        assertTrue(interrupted.get());
        assertFalse(source.isOpen());
        verify(kernel.sys).close(READ_FD);
    }

    @Test
    void writeToABrokenPipeSaysSo() throws IOException {
        when(kernel.sys.write(eq(WRITE_FD), any()))
                .thenThrow(new ErrnoException("write", Errno.EPIPE));
        IOException e = assertThrows(IOException.class, () -> sink.write(ByteBuffer.wrap(DATA)));
        assertEquals("Broken pipe", e.getMessage());
        assertEquals(Errno.EPIPE, ((ErrnoException) e.getCause()).errno());
    }

    @Test
    void blockingWriteWritesEveryByte() throws Exception {
        when(kernel.sys.write(eq(WRITE_FD), any()))
                .thenReturn(2)
                .thenReturn(IoStatus.UNAVAILABLE)
                .thenReturn(3);
        ByteBuffer src = ByteBuffer.wrap(DATA);
        CompletableFuture<Integer> write = CompletableFuture.supplyAsync(() -> write(src));
        awaitParked(WRITE_FD, POLLOUT);
        kernel.setReady(WRITE_FD, EPOLLOUT);
        assertEquals(5, write.get());
        assertFalse(src.hasRemaining());
    }

    @Test
    void blockingWriteThatBreaksHalfwayReportsWhatWasWritten() throws IOException {
        kernel.setReady(WRITE_FD, EPOLLOUT);
        when(kernel.sys.write(eq(WRITE_FD), any()))
                .thenReturn(2)
                .thenThrow(new ErrnoException("write", Errno.EPIPE));
        assertEquals(2, sink.write(ByteBuffer.wrap(DATA)));
    }

    @Test
    void nonBlockingWriteMayWritePart() throws IOException {
        sink.configureBlocking(false);
        when(kernel.sys.write(eq(WRITE_FD), any())).thenReturn(2);
        assertEquals(2, sink.write(ByteBuffer.wrap(DATA)));
        when(kernel.sys.write(eq(WRITE_FD), any())).thenReturn(IoStatus.UNAVAILABLE);
        assertEquals(0, sink.write(ByteBuffer.wrap(DATA)));
    }

    @Test
    void gatheringAndScatteringGoThroughWritevAndReadv() throws IOException {
        sink.configureBlocking(false);
        when(kernel.sys.writev(eq(WRITE_FD), any(), anyInt(), anyInt())).thenReturn(7L);
        ByteBuffer[] srcs = {ByteBuffer.allocate(3), ByteBuffer.allocate(4)};
        assertEquals(7, sink.write(srcs));
        assertFalse(srcs[1].hasRemaining());
        when(kernel.sys.readv(eq(READ_FD), any(), anyInt(), anyInt())).thenReturn(0L);
        assertEquals(-1, source.read(new ByteBuffer[] {ByteBuffer.allocate(3)}, 0, 1));
        assertThrows(IndexOutOfBoundsException.class, () -> source.read(srcs, 1, 2));
    }

    @Test
    void closeOfARegisteredEndWaitsForTheSelectorToLetGo() throws IOException {
        EpollSelector selector = kernel.openSelector();
        source.configureBlocking(false);
        source.register(selector, OP_READ);
        selector.selectNow();
        source.close();
        verify(kernel.sys, never()).close(READ_FD);

        selector.selectNow();
        verify(kernel.sys).close(READ_FD);
    }

    @Test
    void closeOfAnUnregisteredEndReleasesAtOnce() throws IOException {
        sink.close();
        verify(kernel.sys).close(WRITE_FD);
        sink.close();
        assertThrows(ClosedChannelException.class, () -> sink.write(ByteBuffer.wrap(DATA)));
    }

    private static Answer<Integer> fill(byte[] data) {
        return inv -> {
            ByteBuffer dst = inv.getArgument(1);
            dst.duplicate().put(data);
            return data.length;
        };
    }

    /** Waits until a thread is parked in the model's poll on {@code fd}. */
    private void awaitParked(int fd, int events) throws Exception {
        while (mockingDetails(kernel.sys).getInvocations().stream()
                .noneMatch(i -> i.getMethod().getName().equals("poll")
                        && (int) i.getArgument(0) == fd && (int) i.getArgument(1) == events)) {
            Thread.sleep(1);
        }
    }

    private int read(ByteBuffer dst) {
        try {
            return source.read(dst);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private int write(ByteBuffer src) {
        try {
            return sink.write(src);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
