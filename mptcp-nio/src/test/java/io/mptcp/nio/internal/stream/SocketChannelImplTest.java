package io.mptcp.nio.internal.stream;

import io.mptcp.ffi.Errno;
import io.mptcp.ffi.ErrnoException;
import io.mptcp.ffi.IoStatus;
import io.mptcp.ffi.LinuxUapi;
import io.mptcp.nio.MptcpSocketChannel;
import io.mptcp.nio.internal.MockKernel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketException;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.ClosedChannelException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;

import static io.mptcp.nio.internal.MockKernel.FD;
import static io.mptcp.nio.internal.MockKernel.REMOTE;
import static io.mptcp.nio.internal.MockKernel.WAKEUP_FD;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyBoolean;
import static org.mockito.ArgumentMatchers.anyInt;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.doAnswer;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

/** The socket channel's state machine over a scripted kernel: errno by errno. */
@Timeout(10)
class SocketChannelImplTest {
    private final MockKernel kernel = new MockKernel();

    SocketChannelImplTest() throws ErrnoException {
    }

    @Test
    void nonBlockingConnectInProgressCompletesInFinishConnect() throws Exception {
        when(kernel.sys.connect(eq(FD), eq(LinuxUapi.AF_INET), any())).thenReturn(false);
        MptcpSocketChannel ch = (MptcpSocketChannel) kernel.provider()
                .openSocketChannel(StandardProtocolFamily.INET);
        ch.configureBlocking(false);

        assertFalse(ch.connect(REMOTE), "EINPROGRESS: connect reports pending");
        assertTrue(ch.isConnectionPending());
        when(kernel.sys.poll(FD, LinuxUapi.POLLOUT, -1, 0)).thenReturn(0);
        assertFalse(ch.finishConnect(), "not writable yet");

        when(kernel.sys.poll(FD, LinuxUapi.POLLOUT, -1, 0)).thenReturn(LinuxUapi.POLLOUT);
        when(kernel.sys.getsockoptInt(FD, LinuxUapi.SOL_SOCKET, LinuxUapi.SO_ERROR)).thenReturn(0);
        assertTrue(ch.finishConnect());
        assertTrue(ch.isConnected());
        assertEquals(MockKernel.LOCAL, ch.getLocalAddress());
        assertEquals(REMOTE, ch.getRemoteAddress());
    }

    @Test
    void refusedFinishConnectClosesChannelAndKeepsErrno() throws Exception {
        when(kernel.sys.connect(eq(FD), eq(LinuxUapi.AF_INET), any())).thenReturn(false);
        MptcpSocketChannel ch = (MptcpSocketChannel) kernel.provider()
                .openSocketChannel(StandardProtocolFamily.INET);
        ch.configureBlocking(false);
        ch.connect(REMOTE);
        when(kernel.sys.poll(FD, LinuxUapi.POLLOUT, -1, 0)).thenReturn(LinuxUapi.POLLERR);
        when(kernel.sys.getsockoptInt(FD, LinuxUapi.SOL_SOCKET, LinuxUapi.SO_ERROR))
                .thenReturn(Errno.ECONNREFUSED);

        ConnectException e = assertThrows(ConnectException.class, ch::finishConnect);
        assertEquals("Connection refused", e.getMessage());
        ErrnoException cause = assertInstanceOf(ErrnoException.class, e.getCause());
        assertEquals(Errno.ECONNREFUSED, cause.errno());
        assertEquals("connect", cause.syscall());
        assertFalse(ch.isOpen(), "a failed connect closes the channel");
        verify(kernel.sys, times(1)).close(FD);
    }

    @Test
    void refusedBlockingConnectThrowsConnectException() throws Exception {
        when(kernel.sys.connect(eq(FD), eq(LinuxUapi.AF_INET), any()))
                .thenThrow(new ErrnoException("connect", Errno.ECONNREFUSED));
        MptcpSocketChannel ch = (MptcpSocketChannel) kernel.provider()
                .openSocketChannel(StandardProtocolFamily.INET);

        ConnectException e = assertThrows(ConnectException.class, () -> ch.connect(REMOTE));
        assertEquals(Errno.ECONNREFUSED, ((ErrnoException) e.getCause()).errno());
        assertFalse(ch.isOpen());
        verify(kernel.sys, times(1)).close(FD);
    }

    @Test
    void nonBlockingReadThatWouldBlockReturnsZero() throws Exception {
        MptcpSocketChannel ch = kernel.connected(kernel.provider());
        ch.configureBlocking(false);
        when(kernel.sys.read(eq(FD), any())).thenReturn(IoStatus.UNAVAILABLE);
        assertEquals(0, ch.read(ByteBuffer.allocateDirect(16)));
    }

    @Test
    void endOfStreamReadsMinusOne() throws Exception {
        MptcpSocketChannel ch = kernel.connected(kernel.provider());
        when(kernel.sys.read(eq(FD), any())).thenReturn(0);
        assertEquals(-1, ch.read(ByteBuffer.allocateDirect(16)));
    }

    @Test
    void connectionResetIsReportedOnEveryLaterRead() throws Exception {
        MptcpSocketChannel ch = kernel.connected(kernel.provider());
        when(kernel.sys.read(eq(FD), any()))
                .thenThrow(new ErrnoException("read", Errno.ECONNRESET));
        SocketException first = assertThrows(SocketException.class,
                () -> ch.read(ByteBuffer.allocateDirect(16)));
        assertEquals("Connection reset", first.getMessage());
        assertEquals(Errno.ECONNRESET, ((ErrnoException) first.getCause()).errno());
        SocketException again = assertThrows(SocketException.class,
                () -> ch.read(ByteBuffer.allocateDirect(16)));
        assertEquals("Connection reset", again.getMessage());
        verify(kernel.sys, times(1)).read(eq(FD), any());
    }

    @Test
    void heapReadCopiesThroughDirectBufferAndAdvancesPosition() throws Exception {
        MptcpSocketChannel ch = kernel.connected(kernel.provider());
        kernel.readDelivers(new byte[] {1, 2, 3, 4, 5});
        ByteBuffer heap = ByteBuffer.allocate(8);
        heap.position(2);

        assertEquals(5, ch.read(heap));
        assertEquals(7, heap.position());
        assertArrayEquals(new byte[] {0, 0, 1, 2, 3, 4, 5, 0}, heap.array());
    }

    @Test
    void blockingReadParksAgainAfterAWaitInterruptedBySignal() throws Exception {
        MptcpSocketChannel ch = kernel.connected(kernel.provider());
        when(kernel.sys.read(eq(FD), any()))
                .thenReturn(IoStatus.UNAVAILABLE, IoStatus.UNAVAILABLE, 3);
        // poll returns 0 for EINTR; then the socket turns readable.
        when(kernel.sys.poll(eq(FD), eq(LinuxUapi.POLLIN), eq(WAKEUP_FD), anyInt()))
                .thenReturn(0, LinuxUapi.POLLIN);

        assertEquals(3, ch.read(ByteBuffer.allocateDirect(8)));
        verify(kernel.sys, times(2)).poll(eq(FD), eq(LinuxUapi.POLLIN), eq(WAKEUP_FD), eq(-1));
    }

    @Test
    void descriptorBlocksExactlyWhileTheConnectedChannelIsBlocking() throws Exception {
        when(kernel.sys.connect(eq(FD), eq(LinuxUapi.AF_INET), any())).thenReturn(false);
        MptcpSocketChannel ch = (MptcpSocketChannel) kernel.provider()
                .openSocketChannel(StandardProtocolFamily.INET);
        ch.configureBlocking(false);
        ch.connect(REMOTE);
        verify(kernel.sys, never()).setBlocking(eq(FD), anyBoolean());
        ch.configureBlocking(true);
        verify(kernel.sys, never()).setBlocking(eq(FD), anyBoolean());

        when(kernel.sys.poll(FD, LinuxUapi.POLLOUT, -1, 0)).thenReturn(LinuxUapi.POLLOUT);
        assertTrue(ch.finishConnect());
        verify(kernel.sys).setBlocking(FD, true);
        ch.configureBlocking(false);
        verify(kernel.sys).setBlocking(FD, false);
    }

    @Test
    void closeWakesAReaderBlockedInTheKernelWithShutdown() throws Exception {
        MptcpSocketChannel ch = kernel.connected(kernel.provider());
        CountDownLatch inRead = new CountDownLatch(1);
        CountDownLatch shutDown = new CountDownLatch(1);
        when(kernel.sys.read(eq(FD), any())).thenAnswer(inv -> {
            inRead.countDown();
            assertTrue(awaitLikePoll(shutDown), "never woken");
            return 0;
        });
        doAnswer(inv -> {
            shutDown.countDown();
            return null;
        }).when(kernel.sys).shutdown(FD, LinuxUapi.SHUT_RD);

        FutureTask<Integer> reader = new FutureTask<>(() -> ch.read(ByteBuffer.allocateDirect(8)));
        new Thread(reader).start();
        assertTrue(inRead.await(5, TimeUnit.SECONDS));
        ch.close();

        ExecutionException e = assertThrows(ExecutionException.class,
                () -> reader.get(5, TimeUnit.SECONDS));
        assertInstanceOf(AsynchronousCloseException.class, e.getCause());
        verify(kernel.sys, times(1)).close(FD);
    }

    @Test
    void closeReleasesBlockedReaderAndFreesFdOnlyAfterItLeft() throws Exception {
        MptcpSocketChannel ch = kernel.connected(kernel.provider());
        List<String> events = parkReadersUntilWoken();

        FutureTask<Integer> reader = new FutureTask<>(() -> ch.read(ByteBuffer.allocateDirect(8)));
        new Thread(reader).start();
        awaitParked();
        ch.close();

        ExecutionException e = assertThrows(ExecutionException.class,
                () -> reader.get(5, TimeUnit.SECONDS));
        assertInstanceOf(AsynchronousCloseException.class, e.getCause());
        verify(kernel.sys, times(1)).close(FD);
        assertEquals(List.of("poll returned", "close " + FD), events.subList(0, 2));
    }

    @Test
    void interruptReleasesBlockedReaderWithClosedByInterrupt() throws Exception {
        MptcpSocketChannel ch = kernel.connected(kernel.provider());
        parkReadersUntilWoken();
        FutureTask<Integer> reader = new FutureTask<>(() -> ch.read(ByteBuffer.allocateDirect(8)));
        Thread thread = new Thread(reader);
        thread.start();
        awaitParked();
        thread.interrupt();

        ExecutionException e = assertThrows(ExecutionException.class,
                () -> reader.get(5, TimeUnit.SECONDS));
        assertInstanceOf(ClosedByInterruptException.class, e.getCause());
        assertFalse(ch.isOpen(), "an interrupt closes the channel");
        verify(kernel.sys, times(1)).close(FD);
    }

    @Test
    void readAfterCloseThrowsClosedChannel() throws Exception {
        MptcpSocketChannel ch = kernel.connected(kernel.provider());
        ch.close();
        assertThrows(ClosedChannelException.class, () -> ch.read(ByteBuffer.allocate(1)));
    }

    @Test
    void blockingWriteIsOneWriteAndWaitsOnlyWhileNothingCanBeWritten() throws Exception {
        MptcpSocketChannel ch = kernel.connected(kernel.provider());
        when(kernel.sys.write(eq(FD), any())).thenReturn(IoStatus.UNAVAILABLE, 3, 4);
        when(kernel.sys.poll(eq(FD), eq(LinuxUapi.POLLOUT), eq(WAKEUP_FD), anyInt()))
                .thenReturn(LinuxUapi.POLLOUT);
        ByteBuffer src = ByteBuffer.allocateDirect(10);

        assertEquals(3, ch.write(src), "the count of the one write(2) that took bytes");
        assertEquals(3, src.position());
        verify(kernel.sys, times(2)).write(eq(FD), any());
    }

    @Test
    void adaptorStreamWriteLoopsOverPartialWritesUntilAllIsSent() throws Exception {
        MptcpSocketChannel ch = kernel.connected(kernel.provider());
        when(kernel.sys.write(eq(FD), any())).thenReturn(3, IoStatus.UNAVAILABLE, 4, 3);
        when(kernel.sys.poll(eq(FD), eq(LinuxUapi.POLLOUT), eq(WAKEUP_FD), anyInt()))
                .thenReturn(LinuxUapi.POLLOUT);

        ch.socket().getOutputStream().write(new byte[10]);
        verify(kernel.sys, times(4)).write(eq(FD), any());
    }

    @Test
    void nonBlockingWriteReturnsWhatTheKernelTook() throws Exception {
        MptcpSocketChannel ch = kernel.connected(kernel.provider());
        ch.configureBlocking(false);
        when(kernel.sys.write(eq(FD), any())).thenReturn(3);
        ByteBuffer src = ByteBuffer.allocate(10);
        assertEquals(3, ch.write(src));
        assertEquals(3, src.position());
        when(kernel.sys.write(eq(FD), any())).thenReturn(IoStatus.UNAVAILABLE);
        assertEquals(0, ch.write(src));
        assertEquals(3, src.position());
    }

    /** poll(POLLIN) blocks until the wakeup eventfd is written; events are logged in order. */
    private List<String> parkReadersUntilWoken() throws ErrnoException {
        List<String> events = new CopyOnWriteArrayList<>();
        CountDownLatch woken = new CountDownLatch(1);
        when(kernel.sys.read(eq(FD), any())).thenReturn(IoStatus.UNAVAILABLE);
        when(kernel.sys.poll(eq(FD), eq(LinuxUapi.POLLIN), eq(WAKEUP_FD), anyInt()))
                .thenAnswer(inv -> {
                    parked.countDown();
                    assertTrue(awaitLikePoll(woken), "never unparked");
                    events.add("poll returned");
                    return 0;
                });
        doAnswer(inv -> {
            woken.countDown();
            return null;
        }).when(kernel.sys).eventfdWrite(WAKEUP_FD, 1);
        doAnswer(inv -> {
            events.add("close " + inv.getArgument(0));
            return null;
        }).when(kernel.sys).close(anyInt());
        return events;
    }

    private final CountDownLatch parked = new CountDownLatch(1);

    /** Waits as poll(2) does: a Java interrupt does not end it (the interrupt status stays). */
    static boolean awaitLikePoll(CountDownLatch latch) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return latch.await(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void awaitParked() throws InterruptedException {
        assertTrue(parked.await(5, TimeUnit.SECONDS), "reader never parked");
    }

    @Test
    void closeOfUnusedChannelReleasesFdAtOnce() throws IOException {
        MptcpSocketChannel ch = (MptcpSocketChannel) kernel.provider()
                .openSocketChannel(StandardProtocolFamily.INET);
        ch.close();
        verify(kernel.sys, times(1)).close(FD);
    }
}
