package io.mptcp.nio.internal.stream;

import io.mptcp.ffi.Errno;
import io.mptcp.ffi.ErrnoException;
import io.mptcp.ffi.LinuxUapi;
import io.mptcp.nio.MptcpServerSocketChannel;
import io.mptcp.nio.MptcpSocketChannel;
import io.mptcp.nio.MptcpSocketOptions;
import io.mptcp.nio.internal.MockKernel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.mockito.InOrder;

import java.net.SocketException;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.channels.ClosedChannelException;
import java.util.Map;

import static io.mptcp.nio.internal.MockKernel.FD;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.ArgumentMatchers.anyInt;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.doThrow;
import static org.mockito.Mockito.inOrder;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

/** Setting MPTCP_ENABLED before bind or connect: a new socket under the same descriptor. */
@Timeout(10)
class MptcpEnabledSwitchTest {
    private static final int NEW_FD = 50;
    private static final int MPTCP = LinuxUapi.IPPROTO_MPTCP;
    private static final int TYPE = LinuxUapi.SOCK_STREAM | LinuxUapi.SOCK_NONBLOCK
            | LinuxUapi.SOCK_CLOEXEC;
    private final MockKernel kernel = new MockKernel();

    MptcpEnabledSwitchTest() throws ErrnoException {
    }

    private MptcpSocketChannel openMptcp() throws Exception {
        MptcpSocketChannel ch = (MptcpSocketChannel) kernel.provider()
                .openSocketChannel(StandardProtocolFamily.INET);
        when(kernel.sys.socket(anyInt(), anyInt(), anyInt())).thenReturn(NEW_FD);
        return ch;
    }

    @Test
    void switchOpensTheOtherProtocolReplaysOptionsAndKeepsTheDescriptor() throws Exception {
        MptcpSocketChannel ch = openMptcp();
        ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
        ch.setOption(StandardSocketOptions.SO_RCVBUF, 65536);

        ch.setOption(MptcpSocketOptions.MPTCP_ENABLED, false);

        InOrder order = inOrder(kernel.sys);
        order.verify(kernel.sys).socket(LinuxUapi.AF_INET, TYPE, 0);
        order.verify(kernel.sys).setsockoptInt(NEW_FD, LinuxUapi.SOL_TCP, LinuxUapi.TCP_NODELAY, 1);
        order.verify(kernel.sys).setsockoptInt(NEW_FD, LinuxUapi.SOL_SOCKET, LinuxUapi.SO_RCVBUF,
                65536);
        order.verify(kernel.sys).dup3(NEW_FD, FD, LinuxUapi.O_CLOEXEC);
        order.verify(kernel.sys).close(NEW_FD);
        assertFalse(ch.getOption(MptcpSocketOptions.MPTCP_ENABLED));
        verify(kernel.sys, never()).close(FD);
    }

    @Test
    void settingTheProtocolTheSocketHasDoesNothing() throws Exception {
        MptcpSocketChannel ch = openMptcp();
        ch.setOption(MptcpSocketOptions.MPTCP_ENABLED, true);
        verify(kernel.sys, never()).socket(anyInt(), anyInt(), eq(0));
        verify(kernel.sys, never()).dup3(anyInt(), anyInt(), anyInt());
    }

    @Test
    void optionsAnMptcpSocketRefusedAreAppliedToTheTcpSocket() throws Exception {
        MptcpSocketChannel ch = openMptcp();
        doThrow(new ErrnoException("setsockopt", Errno.EOPNOTSUPP)).when(kernel.sys)
                .setsockoptInt(FD, LinuxUapi.SOL_SOCKET, LinuxUapi.SO_OOBINLINE, 1);
        ch.socket().setOOBInline(true);
        assertEquals(1, ch.unappliedOptions().size());

        ch.setOption(MptcpSocketOptions.MPTCP_ENABLED, false);

        verify(kernel.sys).setsockoptInt(NEW_FD, LinuxUapi.SOL_SOCKET, LinuxUapi.SO_OOBINLINE, 1);
        assertEquals(Map.of(), ch.unappliedOptions());
    }

    @Test
    void kernelRefusingMptcpIsAnExceptionThatSaysWhyAndLeavesTheSocket() throws Exception {
        MptcpSocketChannel ch = (MptcpSocketChannel) kernel.provider("off", false)
                .openSocketChannel(StandardProtocolFamily.INET);
        when(kernel.sys.socket(anyInt(), anyInt(), eq(MPTCP)))
                .thenThrow(new ErrnoException("socket", Errno.ENOPROTOOPT));

        SocketException e = assertThrows(SocketException.class,
                () -> ch.setOption(MptcpSocketOptions.MPTCP_ENABLED, true));

        assertTrue(e.getMessage().contains("net.mptcp.enabled=0"), e.getMessage());
        assertEquals(Errno.ENOPROTOOPT, ((ErrnoException) e.getCause()).errno());
        verify(kernel.sys, never()).dup3(anyInt(), anyInt(), anyInt());
        assertFalse(ch.getOption(MptcpSocketOptions.MPTCP_ENABLED));
        assertTrue(ch.isOpen());
    }

    @Test
    void replayFailureClosesTheNewSocketAndKeepsTheOld() throws Exception {
        MptcpSocketChannel ch = openMptcp();
        when(kernel.sys.getsockoptInt(FD, LinuxUapi.SOL_TCP, LinuxUapi.TCP_IS_MPTCP)).thenReturn(1);
        ch.setOption(StandardSocketOptions.SO_KEEPALIVE, true);
        doThrow(new ErrnoException("setsockopt", Errno.ENOMEM)).when(kernel.sys)
                .setsockoptInt(NEW_FD, LinuxUapi.SOL_SOCKET, LinuxUapi.SO_KEEPALIVE, 1);

        SocketException e = assertThrows(SocketException.class,
                () -> ch.setOption(MptcpSocketOptions.MPTCP_ENABLED, false));

        assertEquals(Errno.ENOMEM, ((ErrnoException) e.getCause()).errno());
        verify(kernel.sys).close(NEW_FD);
        verify(kernel.sys, never()).dup3(anyInt(), anyInt(), anyInt());
        assertTrue(ch.getOption(MptcpSocketOptions.MPTCP_ENABLED));
    }

    @Test
    void tooLateOnceBoundOrConnectedAndTheMessageSaysWhen() throws Exception {
        // Bound and connected MPTCP sockets that have not fallen back (TCP_IS_MPTCP 1).
        when(kernel.sys.getsockoptInt(FD, LinuxUapi.SOL_TCP, LinuxUapi.TCP_IS_MPTCP)).thenReturn(1);
        MptcpSocketChannel connected = kernel.connected(kernel.provider());
        MptcpSocketChannel bound = (MptcpSocketChannel) kernel.provider()
                .openSocketChannel(StandardProtocolFamily.INET);
        bound.bind(MockKernel.LOCAL);
        SocketException e = assertThrows(SocketException.class,
                () -> bound.setOption(MptcpSocketOptions.MPTCP_ENABLED, false));
        assertTrue(e.getMessage().contains("already bound"), e.getMessage());

        e = assertThrows(SocketException.class,
                () -> connected.setOption(MptcpSocketOptions.MPTCP_ENABLED, false));
        assertTrue(e.getMessage().contains("already connected"), e.getMessage());
        bound.setOption(MptcpSocketOptions.MPTCP_ENABLED, true);
        connected.setOption(MptcpSocketOptions.MPTCP_ENABLED, true);
        verify(kernel.sys, never()).dup3(anyInt(), anyInt(), anyInt());
    }

    /** A fallen-back connection reads false and takes false back, but not true. */
    @Test
    void aFallenBackConnectionTakesFalseAndRefusesTrue() throws Exception {
        when(kernel.sys.getsockoptInt(FD, LinuxUapi.SOL_TCP, LinuxUapi.TCP_IS_MPTCP)).thenReturn(0);
        MptcpSocketChannel connected = kernel.connected(kernel.provider());
        assertFalse(connected.getOption(MptcpSocketOptions.MPTCP_ENABLED));
        connected.setOption(MptcpSocketOptions.MPTCP_ENABLED, false);
        SocketException e = assertThrows(SocketException.class,
                () -> connected.setOption(MptcpSocketOptions.MPTCP_ENABLED, true));
        assertTrue(e.getMessage().contains("already connected"), e.getMessage());
        verify(kernel.sys, never()).dup3(anyInt(), anyInt(), anyInt());
    }

    @Test
    void closedChannelRefuses() throws Exception {
        MptcpSocketChannel ch = openMptcp();
        ch.close();
        assertThrows(ClosedChannelException.class,
                () -> ch.setOption(MptcpSocketOptions.MPTCP_ENABLED, false));
    }

    @Test
    void serverSocketKeepsTheJdkDefaultReuseAddressAcrossTheSwitch() throws Exception {
        MptcpServerSocketChannel server = (MptcpServerSocketChannel) kernel.provider()
                .openServerSocketChannel(StandardProtocolFamily.INET);
        when(kernel.sys.socket(anyInt(), anyInt(), anyInt())).thenReturn(NEW_FD);

        assertSame(server, server.setOption(MptcpSocketOptions.MPTCP_ENABLED, false));

        verify(kernel.sys).setsockoptInt(NEW_FD, LinuxUapi.SOL_SOCKET, LinuxUapi.SO_REUSEADDR, 1);
        verify(kernel.sys).dup3(NEW_FD, FD, LinuxUapi.O_CLOEXEC);
        assertFalse(server.getOption(MptcpSocketOptions.MPTCP_ENABLED));

        server.bind(MockKernel.LOCAL);
        SocketException e = assertThrows(SocketException.class,
                () -> server.setOption(MptcpSocketOptions.MPTCP_ENABLED, true));
        assertTrue(e.getMessage().contains("already bound"), e.getMessage());
    }
}
