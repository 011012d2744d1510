package io.mptcp.nio.internal.stream;

import io.mptcp.ffi.Errno;
import io.mptcp.ffi.ErrnoException;
import io.mptcp.ffi.LinuxSyscalls;
import io.mptcp.ffi.LinuxUapi;
import io.mptcp.nio.FallbackReason;
import io.mptcp.nio.FallbackReason.Kind;
import io.mptcp.nio.MptcpSelectorProvider;
import io.mptcp.nio.MptcpServerSocketChannel;
import io.mptcp.nio.MptcpSocketChannel;
import io.mptcp.nio.internal.MockKernel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.SocketException;
import java.net.StandardProtocolFamily;

import static io.mptcp.nio.MptcpSocketOptions.MPTCP_FALLBACK_REASON;
import static io.mptcp.nio.internal.MockKernel.FD;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.ArgumentMatchers.anyInt;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.when;

/**
 * {@code MPTCP_FALLBACK_REASON} through the channels over a mocked seam: each kind from what
 * the channel recorded when its socket was opened, accepted or switched, and what the kernel
 * answers now.
 */
@Timeout(10)
class FallbackReasonChannelTest {
    private static final int MPTCP = LinuxUapi.IPPROTO_MPTCP;
    private static final int ACCEPTED = 77;
    private final MockKernel kernel = new MockKernel();

    FallbackReasonChannelTest() throws ErrnoException {
    }

    private void kernelRefusesMptcp(int errno) throws ErrnoException {
        when(kernel.sys.socket(anyInt(), anyInt(), eq(MPTCP)))
                .thenThrow(new ErrnoException("socket", errno));
    }

    private MptcpSocketChannel open(MptcpSelectorProvider provider) throws Exception {
        return (MptcpSocketChannel) provider.openSocketChannel(StandardProtocolFamily.INET);
    }

    private MptcpServerSocketChannel listen(MptcpSelectorProvider provider) throws Exception {
        MptcpServerSocketChannel server = (MptcpServerSocketChannel) provider
                .openServerSocketChannel(StandardProtocolFamily.INET);
        server.bind(MockKernel.LOCAL);
        return server;
    }

    /** Accepts one connection whose socket the kernel reports as {@code protocol}. */
    private MptcpSocketChannel accept(MptcpServerSocketChannel server, int protocol)
            throws Exception {
        when(kernel.sys.acceptInet(eq(FD), anyInt()))
                .thenReturn(new LinuxSyscalls.Accepted<>(ACCEPTED, MockKernel.REMOTE));
        when(kernel.sys.getsockname(ACCEPTED)).thenReturn(MockKernel.LOCAL);
        when(kernel.sys.getsockoptInt(ACCEPTED, LinuxUapi.SOL_SOCKET, LinuxUapi.SO_PROTOCOL))
                .thenReturn(protocol);
        return server.accept();
    }

    private void tcpIsMptcp(int fd, int value) throws ErrnoException {
        when(kernel.sys.getsockoptInt(fd, LinuxUapi.SOL_TCP, LinuxUapi.TCP_IS_MPTCP))
                .thenReturn(value);
    }

    @Test
    void mptcpClientBeforeAndAfterConnect() throws Exception {
        MptcpSocketChannel ch = open(kernel.provider());
        tcpIsMptcp(FD, 1);
        FallbackReason before = ch.getOption(MPTCP_FALLBACK_REASON);
        assertEquals(Kind.NOT_CONNECTED, before.kind());
        assertTrue(before.explanation().contains("io.mptcp.nio.mode=all"), before.explanation());

        MptcpSocketChannel connected = kernel.connected(kernel.provider());
        assertEquals(Kind.MPTCP_IN_USE, connected.getOption(MPTCP_FALLBACK_REASON).kind());
        tcpIsMptcp(FD, 0);
        FallbackReason after = connected.getOption(MPTCP_FALLBACK_REASON);
        assertEquals(Kind.FELL_BACK, after.kind());
        assertTrue(after.explanation().contains("TCP_IS_MPTCP 0"), after.explanation());
    }

    @Test
    void modeOffAndModeServerAreTcpByChoice() throws Exception {
        FallbackReason off = open(kernel.provider("off", false)).getOption(MPTCP_FALLBACK_REASON);
        assertEquals(Kind.NOT_REQUESTED, off.kind());
        assertTrue(off.explanation().contains("io.mptcp.nio.mode=off (plain TCP everywhere)"),
                off.explanation());
        FallbackReason server = open(kernel.provider("server", false))
                .getOption(MPTCP_FALLBACK_REASON);
        assertTrue(server.explanation().contains("io.mptcp.nio.mode=server (MPTCP for listening"
                + " sockets only)"), server.explanation());
        FallbackReason listener = listen(kernel.provider("client", false))
                .getOption(MPTCP_FALLBACK_REASON);
        assertEquals(Kind.NOT_REQUESTED, listener.kind());
        assertTrue(listener.explanation().contains("io.mptcp.nio.mode=client (MPTCP for client"
                + " sockets only)"), listener.explanation());
    }

    @Test
    void mptcpEnabledFalseIsTcpByChoiceAndTrueIsMptcpAgain() throws Exception {
        MptcpSocketChannel ch = open(kernel.provider());
        when(kernel.sys.socket(anyInt(), anyInt(), anyInt())).thenReturn(50);
        ch.setOption(io.mptcp.nio.MptcpSocketOptions.MPTCP_ENABLED, false);
        FallbackReason r = ch.getOption(MPTCP_FALLBACK_REASON);
        assertEquals(Kind.NOT_REQUESTED, r.kind());
        assertTrue(r.explanation().contains("MPTCP_ENABLED was set to false"), r.explanation());

        tcpIsMptcp(FD, 1);
        ch.setOption(io.mptcp.nio.MptcpSocketOptions.MPTCP_ENABLED, true);
        FallbackReason again = ch.getOption(MPTCP_FALLBACK_REASON);
        assertEquals(Kind.NOT_CONNECTED, again.kind());
        assertTrue(again.explanation().contains("MPTCP_ENABLED was set to true"),
                again.explanation());
    }

    @Test
    void enoprotooptAtOpenIsDisabledInTheNamespace() throws Exception {
        kernelRefusesMptcp(Errno.ENOPROTOOPT);
        MptcpSelectorProvider provider = kernel.provider();
        FallbackReason client = open(provider).getOption(MPTCP_FALLBACK_REASON);
        assertEquals(Kind.DISABLED_IN_NAMESPACE, client.kind());
        assertTrue(client.explanation().startsWith("socket(IPPROTO_MPTCP) failed with"
                + " ENOPROTOOPT"), client.explanation());
        MptcpServerSocketChannel server = listen(provider);
        assertEquals(Kind.DISABLED_IN_NAMESPACE, server.getOption(MPTCP_FALLBACK_REASON).kind());
        FallbackReason accepted = accept(server, LinuxUapi.IPPROTO_TCP)
                .getOption(MPTCP_FALLBACK_REASON);
        assertEquals(Kind.DISABLED_IN_NAMESPACE, accepted.kind(), "TCP as its listener");
        assertTrue(accepted.explanation().startsWith("accepted on a TCP listener"),
                accepted.explanation());
    }

    @Test
    void aPermanentRefusalIsKernelWithoutMptcpForEverySocket() throws Exception {
        kernelRefusesMptcp(Errno.EPROTONOSUPPORT);
        MptcpSelectorProvider provider = kernel.provider();
        FallbackReason first = open(provider).getOption(MPTCP_FALLBACK_REASON);
        FallbackReason second = open(provider).getOption(MPTCP_FALLBACK_REASON);
        assertEquals(Kind.KERNEL_WITHOUT_MPTCP, first.kind());
        assertTrue(first.explanation().contains("EPROTONOSUPPORT"), first.explanation());
        assertEquals(first, second, "not asked again, answered the same");

        kernelRefusesMptcp(Errno.EINVAL);
        FallbackReason old = open(kernel.provider()).getOption(MPTCP_FALLBACK_REASON);
        assertEquals(Kind.KERNEL_WITHOUT_MPTCP, old.kind());
        assertTrue(old.explanation().contains("EINVAL: this kernel predates MPTCP"),
                old.explanation());
    }

    @Test
    void acceptedOnAnMptcpListener() throws Exception {
        MptcpServerSocketChannel server = listen(kernel.provider());
        tcpIsMptcp(FD, 1);
        assertEquals(Kind.MPTCP_IN_USE, server.getOption(MPTCP_FALLBACK_REASON).kind());
        assertEquals(Kind.PEER_DID_NOT_REQUEST,
                accept(server, LinuxUapi.IPPROTO_TCP).getOption(MPTCP_FALLBACK_REASON).kind());
        MptcpSocketChannel mptcp = accept(server, MPTCP);
        tcpIsMptcp(ACCEPTED, 1);
        assertEquals(Kind.MPTCP_IN_USE, mptcp.getOption(MPTCP_FALLBACK_REASON).kind());
        tcpIsMptcp(ACCEPTED, 0);
        FallbackReason fell = mptcp.getOption(MPTCP_FALLBACK_REASON);
        assertEquals(Kind.FELL_BACK, fell.kind());
        assertTrue(fell.explanation().contains("MPTcpExtMPCapableFallbackACK"),
                "the server side's causes: " + fell.explanation());
    }

    @Test
    void readOnlyOnBothChannelKinds() throws Exception {
        MptcpSocketChannel ch = open(kernel.provider());
        FallbackReason any = FallbackReason.of(Kind.MPTCP_IN_USE, "x");
        SocketException e = assertThrows(SocketException.class,
                () -> ch.setOption(MPTCP_FALLBACK_REASON, any));
        assertTrue(e.getMessage().contains("read-only"), e.getMessage());
        MptcpServerSocketChannel server = listen(kernel.provider());
        assertThrows(SocketException.class, () -> server.setOption(MPTCP_FALLBACK_REASON, any));
        assertTrue(ch.supportedOptions().contains(MPTCP_FALLBACK_REASON));
        assertTrue(server.supportedOptions().contains(MPTCP_FALLBACK_REASON));
    }
}
