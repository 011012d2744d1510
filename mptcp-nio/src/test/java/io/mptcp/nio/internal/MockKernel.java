package io.mptcp.nio.internal;

import io.mptcp.ffi.ErrnoException;
import io.mptcp.ffi.LinuxSyscalls;
import io.mptcp.ffi.LinuxUapi;
import io.mptcp.nio.MptcpSelectorProvider;
import io.mptcp.nio.MptcpSocketChannel;
import io.mptcp.nio.TestProviders;
import io.mptcp.nio.internal.net.MptcpPolicy;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;

import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyInt;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

/** A mocked native seam scripted as a kernel with one socket, for channel state-machine tests. */
public final class MockKernel {
    public static final int FD = 42;
    public static final int WAKEUP_FD = 43;
    public static final InetSocketAddress LOCAL = address(40000);
    public static final InetSocketAddress REMOTE = address(5201);

    public final LinuxSyscalls sys = mock(LinuxSyscalls.class);

    public MockKernel() throws ErrnoException {
        when(sys.socket(anyInt(), anyInt(), anyInt())).thenReturn(FD);
        when(sys.eventfd(anyInt(), anyInt())).thenReturn(WAKEUP_FD);
        when(sys.getsockname(FD)).thenReturn(LOCAL);
        when(sys.getpeername(FD)).thenReturn(REMOTE);
    }

    public static InetSocketAddress address(int port) {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
    }

    public MptcpSelectorProvider provider(String mode, boolean strict) {
        return TestProviders.of(sys, MptcpPolicy.parse(mode, Boolean.toString(strict)));
    }

    public MptcpSelectorProvider provider() {
        return provider("all", false);
    }

    /** An IPv4 channel connected at once to {@link #REMOTE}. */
    public MptcpSocketChannel connected(MptcpSelectorProvider provider) throws Exception {
        when(sys.connect(eq(FD), eq(LinuxUapi.AF_INET), any())).thenReturn(true);
        MptcpSocketChannel ch =
                (MptcpSocketChannel) provider.openSocketChannel(StandardProtocolFamily.INET);
        ch.connect(REMOTE);
        return ch;
    }

    /** Scripts read(2) to deliver {@code data} into the buffer at its position, as the kernel. */
    public void readDelivers(byte[] data) throws ErrnoException {
        when(sys.read(eq(FD), any(ByteBuffer.class))).thenAnswer(inv -> {
            ByteBuffer dst = inv.getArgument(1);
            int n = Math.min(dst.remaining(), data.length);
            dst.duplicate().put(data, 0, n);
            return n;
        });
    }
}
