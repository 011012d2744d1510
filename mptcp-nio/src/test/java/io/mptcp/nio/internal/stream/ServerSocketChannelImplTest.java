package io.mptcp.nio.internal.stream;

import io.mptcp.ffi.Errno;
import io.mptcp.ffi.ErrnoException;
import io.mptcp.ffi.LinuxSyscalls;
import io.mptcp.ffi.LinuxUapi;
import io.mptcp.nio.MptcpServerSocketChannel;
import io.mptcp.nio.MptcpSocketChannel;
import io.mptcp.nio.internal.MockKernel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.BindException;
import java.net.StandardProtocolFamily;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.NotYetBoundException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;

import static io.mptcp.nio.internal.MockKernel.FD;
import static io.mptcp.nio.internal.MockKernel.WAKEUP_FD;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyInt;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.doAnswer;
import static org.mockito.Mockito.doThrow;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

/** The server socket channel over a scripted kernel. */
@Timeout(10)
class ServerSocketChannelImplTest {
    private final MockKernel kernel = new MockKernel();

    ServerSocketChannelImplTest() throws ErrnoException {
    }

    private MptcpServerSocketChannel bound() throws Exception {
        MptcpServerSocketChannel server = (MptcpServerSocketChannel) kernel.provider()
                .openServerSocketChannel(StandardProtocolFamily.INET);
        server.bind(MockKernel.LOCAL, 0);
        return server;
    }

    @Test
    void listenerStartsWithReuseAddressAndDefaultBacklog() throws Exception {
        bound();
        verify(kernel.sys).setsockoptInt(FD, LinuxUapi.SOL_SOCKET, LinuxUapi.SO_REUSEADDR, 1);
        verify(kernel.sys).listen(FD, 50);
    }

    @Test
    void addressInUseIsABindExceptionWithErrno() throws Exception {
        MptcpServerSocketChannel server = (MptcpServerSocketChannel) kernel.provider()
                .openServerSocketChannel(StandardProtocolFamily.INET);
        doThrow(new ErrnoException("bind", Errno.EADDRINUSE))
                .when(kernel.sys).bind(eq(FD), anyInt(), any());
        BindException e = assertThrows(BindException.class, () -> server.bind(MockKernel.LOCAL));
        assertEquals("Address already in use", e.getMessage());
        assertEquals(Errno.EADDRINUSE, ((ErrnoException) e.getCause()).errno());
    }

    @Test
    void acceptBeforeBindIsNotYetBound() throws Exception {
        MptcpServerSocketChannel server = (MptcpServerSocketChannel) kernel.provider()
                .openServerSocketChannel(StandardProtocolFamily.INET);
        assertThrows(NotYetBoundException.class, server::accept);
    }

    @Test
    void nonBlockingAcceptWithNothingPendingReturnsNull() throws Exception {
        MptcpServerSocketChannel server = bound();
        server.configureBlocking(false);
        when(kernel.sys.acceptInet(eq(FD), anyInt())).thenReturn(null);
        assertNull(server.accept());
    }

    @Test
    void aConnectionResetInTheBacklogIsAcceptedWithThePeerAcceptReported() throws Exception {
        MptcpServerSocketChannel server = bound();
        server.configureBlocking(false);
        // accept4 reports the peer even of a connection reset meanwhile, where getpeername
        // fails with ENOTCONN: the channel is made from accept4's address, as the JDK's.
        when(kernel.sys.acceptInet(eq(FD), anyInt()))
                .thenReturn(new LinuxSyscalls.Accepted<>(70, MockKernel.REMOTE));
        when(kernel.sys.getpeername(70)).thenThrow(new ErrnoException("getpeername",
                Errno.ENOTCONN));
        when(kernel.sys.getsockname(70)).thenReturn(MockKernel.LOCAL);

        MptcpSocketChannel ch = server.accept();
        assertEquals(70, ((SocketChannelImpl) ch).fdVal());
        assertEquals(MockKernel.REMOTE, ch.getRemoteAddress());
        verify(kernel.sys, never()).getpeername(70);
        verify(kernel.sys, never()).close(70);
    }

    @Test
    void closeReleasesBlockedAccept() throws Exception {
        MptcpServerSocketChannel server = bound();
        when(kernel.sys.acceptInet(eq(FD), anyInt())).thenReturn(null);
        CountDownLatch parked = new CountDownLatch(1);
        CountDownLatch woken = new CountDownLatch(1);
        when(kernel.sys.poll(eq(FD), eq(LinuxUapi.POLLIN), eq(WAKEUP_FD), anyInt()))
                .thenAnswer(inv -> {
                    parked.countDown();
                    SocketChannelImplTest.awaitLikePoll(woken);
                    return 0;
                });
        doAnswer(inv -> {
            woken.countDown();
            return null;
        }).when(kernel.sys).eventfdWrite(WAKEUP_FD, 1);

        FutureTask<MptcpSocketChannel> acceptor = new FutureTask<>(server::accept);
        new Thread(acceptor).start();
        assertTrue(parked.await(5, TimeUnit.SECONDS));
        server.close();

        ExecutionException e = assertThrows(ExecutionException.class,
                () -> acceptor.get(5, TimeUnit.SECONDS));
        assertInstanceOf(AsynchronousCloseException.class, e.getCause());
        verify(kernel.sys, times(1)).close(FD);
    }
}
