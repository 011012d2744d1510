package io.mptcp.nio.internal.datagram;

import io.mptcp.ffi.Errno;
import io.mptcp.ffi.ErrnoException;
import io.mptcp.ffi.IoStatus;
import io.mptcp.ffi.LinuxUapi;
import io.mptcp.ffi.SenderAddress;
import io.mptcp.nio.MptcpSelectorProvider;
import io.mptcp.nio.internal.MockKernel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.mockito.InOrder;

import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;

import static io.mptcp.nio.internal.MockKernel.FD;
import static io.mptcp.nio.internal.MockKernel.LOCAL;
import static io.mptcp.nio.internal.MockKernel.REMOTE;
import static io.mptcp.nio.internal.MockKernel.WAKEUP_FD;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyInt;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.doAnswer;
import static org.mockito.Mockito.doThrow;
import static org.mockito.Mockito.inOrder;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

/** The datagram channel's state machine over a scripted kernel: errno by errno. */
@Timeout(10)
class DatagramChannelImplTest {
    private static final InetSocketAddress ANY_V4 = address("0.0.0.0", 0);

    private final MockKernel kernel = new MockKernel();

    DatagramChannelImplTest() throws ErrnoException {
    }

    private static InetSocketAddress address(String literal, int port) {
        try {
            return new InetSocketAddress(InetAddress.getByName(literal), port);
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    private DatagramChannel open() throws Exception {
        return kernel.provider().openDatagramChannel(StandardProtocolFamily.INET);
    }

    /** Scripts recvmsg to deliver {@code text} from {@code from}, as the kernel would. */
    private void deliver(String text, InetSocketAddress from) throws ErrnoException {
        byte[] data = text.getBytes(StandardCharsets.US_ASCII);
        when(kernel.sys.recvfrom(eq(FD), any(), anyInt(), any())).thenAnswer(inv -> {
            ByteBuffer dst = inv.getArgument(1);
            int n = Math.min(dst.remaining(), data.length);
            dst.duplicate().put(data, 0, n);
            ((SenderAddress) inv.getArgument(3)).set(from);
            return n;
        });
    }

    @Test
    void anIpv4SocketReceivesOnlyTheGroupsItJoins() throws Exception {
        open();
        verify(kernel.sys).socket(LinuxUapi.AF_INET,
                LinuxUapi.SOCK_DGRAM | LinuxUapi.SOCK_NONBLOCK | LinuxUapi.SOCK_CLOEXEC, 0);
        verify(kernel.sys).setsockoptInt(FD, LinuxUapi.IPPROTO_IP, LinuxUapi.IP_MULTICAST_ALL, 0);
    }

    @Test
    void anIpv6SocketIsDualStackWithTheJdksMulticastDefaults() throws Exception {
        kernel.provider().openDatagramChannel(StandardProtocolFamily.INET6);
        verify(kernel.sys).setsockoptInt(FD, LinuxUapi.IPPROTO_IPV6, LinuxUapi.IPV6_V6ONLY, 0);
        verify(kernel.sys).setsockoptInt(FD, LinuxUapi.IPPROTO_IPV6,
                LinuxUapi.IPV6_MULTICAST_HOPS, 1);
        verify(kernel.sys).setsockoptInt(FD, LinuxUapi.IPPROTO_IPV6,
                LinuxUapi.IPV6_MULTICAST_ALL, 0);
    }

    @Test
    void aKernelWithoutMulticastAllIsFineButOtherFailuresCloseTheSocket() throws Exception {
        doThrow(new ErrnoException("setsockopt", Errno.ENOPROTOOPT)).when(kernel.sys)
                .setsockoptInt(FD, LinuxUapi.IPPROTO_IP, LinuxUapi.IP_MULTICAST_ALL, 0);
        open();
        doThrow(new ErrnoException("setsockopt", Errno.ENOMEM)).when(kernel.sys)
                .setsockoptInt(FD, LinuxUapi.IPPROTO_IP, LinuxUapi.IP_MULTICAST_ALL, 0);
        SocketException e = assertThrows(SocketException.class, this::open);
        assertEquals(Errno.ENOMEM, ((ErrnoException) e.getCause()).errno());
        verify(kernel.sys).close(FD);
    }

    @Test
    void ipv6WhereTheKernelHasNoneIsUnsupported() throws Exception {
        when(kernel.sys.socket(eq(LinuxUapi.AF_INET6), anyInt(), anyInt()))
                .thenThrow(new ErrnoException("socket", Errno.EAFNOSUPPORT));
        UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
                () -> kernel.provider().openDatagramChannel(StandardProtocolFamily.INET6));
        assertEquals("IPv6 not available", e.getMessage());
    }

    @Test
    void aReceiveWithNothingPendingBindsTheWildcardAndReturnsNull() throws Exception {
        DatagramChannel ch = open();
        ch.configureBlocking(false);
        when(kernel.sys.recvfrom(eq(FD), any(), anyInt(), any()))
                .thenReturn(IoStatus.UNAVAILABLE);
        assertNull(ch.receive(ByteBuffer.allocate(8)));
        verify(kernel.sys).bind(FD, LinuxUapi.AF_INET, ANY_V4);
        assertEquals(LOCAL, ch.getLocalAddress());
    }

    @Test
    void aReceiveReturnsTheSenderAndCopiesHeapBuffers() throws Exception {
        DatagramChannel ch = open();
        deliver("datagram", REMOTE);
        ByteBuffer heap = ByteBuffer.allocate(4);
        assertEquals(REMOTE, ch.receive(heap));
        assertEquals(4, heap.position(), "truncated to the buffer");
        assertEquals("data", new String(heap.array(), 0, 4, StandardCharsets.US_ASCII));

        ByteBuffer empty = ByteBuffer.allocate(0);
        assertEquals(REMOTE, ch.receive(empty), "an empty buffer still takes a datagram");
    }

    @Test
    void anUnconnectedReceiveSkipsTheRefusalOfAnEarlierDatagram() throws Exception {
        DatagramChannel ch = open();
        when(kernel.sys.recvfrom(eq(FD), any(), anyInt(), any()))
                .thenThrow(new ErrnoException("recvmsg", Errno.ECONNREFUSED))
                .thenAnswer(inv -> {
                    ((SenderAddress) inv.getArgument(3)).set(REMOTE);
                    return 1;
                });
        assertEquals(REMOTE, ch.receive(ByteBuffer.allocateDirect(4)));
    }

    @Test
    void aConnectedReceiveReportsPortUnreachableWithItsErrno() throws Exception {
        DatagramChannel ch = open();
        when(kernel.sys.recvfrom(eq(FD), any(), anyInt(), any()))
                .thenReturn(IoStatus.UNAVAILABLE);
        ch.connect(REMOTE);
        when(kernel.sys.recvfrom(eq(FD), any(), anyInt(), any()))
                .thenThrow(new ErrnoException("recvmsg", Errno.ECONNREFUSED));
        PortUnreachableException e = assertThrows(PortUnreachableException.class,
                () -> ch.receive(ByteBuffer.allocateDirect(4)));
        assertEquals(Errno.ECONNREFUSED, ((ErrnoException) e.getCause()).errno());

        when(kernel.sys.read(eq(FD), any()))
                .thenThrow(new ErrnoException("read", Errno.ECONNREFUSED));
        assertThrows(PortUnreachableException.class, () -> ch.read(ByteBuffer.allocateDirect(4)));
    }

    @Test
    void anUnconnectedSendCountsARefusalAsSent() throws Exception {
        DatagramChannel ch = open();
        when(kernel.sys.sendto(eq(FD), any(), anyInt(), anyInt(), any()))
                .thenThrow(new ErrnoException("sendmsg", Errno.ECONNREFUSED));
        ByteBuffer src = ByteBuffer.wrap(new byte[5]);
        assertEquals(5, ch.send(src, REMOTE));
        assertEquals(5, src.position());
    }

    @Test
    void sendErrorsAreMappedAsTheJdkMapsThem() throws Exception {
        DatagramChannel ch = open();
        when(kernel.sys.sendto(eq(FD), any(), anyInt(), anyInt(), any()))
                .thenThrow(new ErrnoException("sendmsg", Errno.EMSGSIZE))
                .thenThrow(new ErrnoException("sendmsg", Errno.EACCES));
        SocketException tooLong = assertThrows(SocketException.class,
                () -> ch.send(ByteBuffer.allocate(1), REMOTE));
        assertEquals("sendmsg", ((ErrnoException) tooLong.getCause()).syscall());
        assertThrows(BindException.class, () -> ch.send(ByteBuffer.allocate(1), REMOTE),
                "broadcast without SO_BROADCAST");
    }

    @Test
    void connectDiscardsWhatWasQueuedBefore() throws Exception {
        DatagramChannel ch = open();
        when(kernel.sys.recvfrom(eq(FD), any(), anyInt(), any()))
                .thenReturn(1, 0, IoStatus.UNAVAILABLE);
        ch.connect(REMOTE);
        assertTrue(ch.isConnected());
        assertEquals(REMOTE, ch.getRemoteAddress());
        verify(kernel.sys, times(3)).recvfrom(eq(FD), any(), anyInt(), any());
        InOrder order = inOrder(kernel.sys);
        order.verify(kernel.sys).bind(FD, LinuxUapi.AF_INET, ANY_V4);
        order.verify(kernel.sys).connect(FD, LinuxUapi.AF_INET, REMOTE);
    }

    @Test
    void disconnectBindsAnAutomaticPortAgain() throws Exception {
        DatagramChannel ch = open();
        InetSocketAddress before = address("0.0.0.0", 40000);
        when(kernel.sys.getsockname(FD)).thenReturn(before, LOCAL, address("0.0.0.0", 0),
                before);
        when(kernel.sys.recvfrom(eq(FD), any(), anyInt(), any()))
                .thenReturn(IoStatus.UNAVAILABLE);
        ch.bind(null);
        ch.connect(REMOTE);
        assertEquals(LOCAL, ch.getLocalAddress());
        ch.disconnect();
        verify(kernel.sys).disconnect(FD);
        verify(kernel.sys).bind(FD, LinuxUapi.AF_INET, before);
        assertEquals(before, ch.getLocalAddress());
        assertFalse(ch.isConnected());
        assertNull(ch.getRemoteAddress());
    }

    @Test
    void disconnectLeavesAPortTheKernelKept() throws Exception {
        DatagramChannel ch = open();
        when(kernel.sys.recvfrom(eq(FD), any(), anyInt(), any()))
                .thenReturn(IoStatus.UNAVAILABLE);
        ch.bind(LOCAL);
        ch.connect(REMOTE);
        ch.disconnect();
        verify(kernel.sys, times(1)).bind(eq(FD), anyInt(), any());
        assertEquals(LOCAL, ch.getLocalAddress());
    }

    @Test
    void disconnectFailsAsTheJdkWhenThePortWasTakenMeanwhile() throws Exception {
        DatagramChannel ch = open();
        when(kernel.sys.getsockname(FD)).thenReturn(address("0.0.0.0", 40000), LOCAL,
                address("0.0.0.0", 0));
        when(kernel.sys.recvfrom(eq(FD), any(), anyInt(), any()))
                .thenReturn(IoStatus.UNAVAILABLE);
        ch.connect(REMOTE);
        doThrow(new ErrnoException("bind", Errno.EADDRINUSE)).when(kernel.sys)
                .bind(FD, LinuxUapi.AF_INET, address("0.0.0.0", 40000));
        assertThrows(BindException.class, ch::disconnect);
        assertFalse(ch.isConnected());
    }

    @Test
    void aBlockingReceiveParksOnTheDescriptorAndTheWakeupEventfd() throws Exception {
        DatagramChannel ch = open();
        when(kernel.sys.recvfrom(eq(FD), any(), anyInt(), any()))
                .thenReturn(IoStatus.UNAVAILABLE)
                .thenAnswer(inv -> {
                    ((SenderAddress) inv.getArgument(3)).set(REMOTE);
                    return 2;
                });
        when(kernel.sys.poll(FD, LinuxUapi.POLLIN, WAKEUP_FD, -1)).thenReturn(LinuxUapi.POLLIN);
        assertEquals(REMOTE, ch.receive(ByteBuffer.allocateDirect(4)));
        verify(kernel.sys).poll(FD, LinuxUapi.POLLIN, WAKEUP_FD, -1);
    }

    @Test
    void closeReleasesAParkedReceiveAndThenTheDescriptor() throws Exception {
        DatagramChannel ch = open();
        when(kernel.sys.recvfrom(eq(FD), any(), anyInt(), any()))
                .thenReturn(IoStatus.UNAVAILABLE);
        CountDownLatch parked = new CountDownLatch(1);
        CountDownLatch woken = new CountDownLatch(1);
        when(kernel.sys.poll(FD, LinuxUapi.POLLIN, WAKEUP_FD, -1)).thenAnswer(inv -> {
            parked.countDown();
            woken.await();
            return 0;
        });
        doAnswer(inv -> {
            woken.countDown();
            return null;
        }).when(kernel.sys).eventfdWrite(WAKEUP_FD, 1);

        FutureTask<Object> receive = new FutureTask<>(() -> ch.receive(ByteBuffer.allocate(4)));
        new Thread(receive, "receiver").start();
        assertTrue(parked.await(5, TimeUnit.SECONDS));
        verify(kernel.sys, never()).close(FD);
        ch.close();
        ExecutionException e = assertThrows(ExecutionException.class,
                () -> receive.get(5, TimeUnit.SECONDS));
        assertSame(AsynchronousCloseException.class, e.getCause().getClass());
        verify(kernel.sys, times(1)).close(FD);
        verify(kernel.sys, times(1)).close(WAKEUP_FD);
    }

    @Test
    void theAdaptorsTimedReceiveTimesOut() throws Exception {
        DatagramChannelImpl ch = (DatagramChannelImpl) open();
        when(kernel.sys.recvfrom(eq(FD), any(), anyInt(), any()))
                .thenReturn(IoStatus.UNAVAILABLE);
        SocketTimeoutException e = assertThrows(SocketTimeoutException.class,
                () -> ch.blockingReceive(ByteBuffer.allocateDirect(4),
                        TimeUnit.MILLISECONDS.toNanos(50)));
        assertEquals("Receive timed out", e.getMessage());
        assertTrue(ch.isOpen());
    }

    @Test
    void readinessIsTheJdksWhetherConnectedOrNot() throws Exception {
        DatagramChannelImpl ch = (DatagramChannelImpl) open();
        int both = SelectionKey.OP_READ | SelectionKey.OP_WRITE;
        assertEquals(LinuxUapi.EPOLLIN | LinuxUapi.EPOLLOUT, ch.translateInterestOps(both));
        assertEquals(LinuxUapi.EPOLLIN, ch.translateInterestOps(SelectionKey.OP_READ));
        assertEquals(SelectionKey.OP_READ, ch.translateReadyOps(LinuxUapi.EPOLLIN, both));
        assertEquals(SelectionKey.OP_WRITE, ch.translateReadyOps(LinuxUapi.EPOLLOUT, both));
        assertEquals(0, ch.translateReadyOps(LinuxUapi.EPOLLOUT, SelectionKey.OP_READ));
        assertEquals(both, ch.translateReadyOps(LinuxUapi.EPOLLERR, both),
                "an error wakes every interest: the next operation reports it");
    }

    /**
     * The MulticastSocket adaptor's superclass makes the JDK open a socket of its own; the
     * adaptor closes it at once, so the process holds no more descriptors than before (the
     * channel's own socket is the mocked one).
     */
    @Test
    void theAdaptorLeavesNoDescriptorOfItsOwnOpen() throws Exception {
        open().socket(); // the JDK's first socket may open what it keeps for the JVM's life
        long before = openDescriptors();
        for (int i = 0; i < 50; i++) {
            DatagramChannel ch = open();
            assertInstanceOf(java.net.MulticastSocket.class, ch.socket());
            assertSame(ch.socket(), ch.socket());
        }
        assertEquals(before, openDescriptors());
    }

    private static long openDescriptors() throws java.io.IOException {
        try (var fds = java.nio.file.Files.list(java.nio.file.Path.of("/proc/self/fd"))) {
            return fds.count();
        }
    }

    @Test
    void theProviderRefusesUnixAndNull() {
        MptcpSelectorProvider provider = kernel.provider();
        UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
                () -> provider.openDatagramChannel(StandardProtocolFamily.UNIX));
        assertTrue(e.getMessage().startsWith("Protocol family not supported"), e.getMessage());
        assertThrows(NullPointerException.class, () -> provider.openDatagramChannel(null));
        assertInstanceOf(DatagramChannelImpl.class, assertDoesNotThrow(() -> provider
                .openDatagramChannel(StandardProtocolFamily.INET)));
    }
}
