package io.mptcp.nio.internal;

import io.mptcp.ffi.Errno;
import io.mptcp.ffi.ErrnoException;
import io.mptcp.ffi.LinuxSyscalls;
import io.mptcp.ffi.LinuxUapi;
import io.mptcp.nio.MptcpSelectorProvider;
import io.mptcp.nio.MptcpServerSocketChannel;
import io.mptcp.nio.MptcpSocketChannel;
import io.mptcp.nio.MptcpSocketOptions;
import io.mptcp.nio.TestProviders;
import io.mptcp.nio.contract.MulticastNamespace;
import io.mptcp.nio.internal.fd.AfterClose;
import io.mptcp.nio.internal.net.MptcpPolicy;
import io.mptcp.nio.internal.select.NativeChannel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channel;
import java.nio.channels.DatagramChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicReference;

import static io.mptcp.nio.internal.MockKernel.LOCAL;
import static io.mptcp.nio.internal.MockKernel.REMOTE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.ArgumentMatchers.anyInt;
import static org.mockito.Mockito.doReturn;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

/** {@code inheritedChannel()} over a scripted descriptor 0: the JDK's decisions, one by one. */
@Timeout(10)
class InheritedChannelsTest {
    private static final int DUP = 7;
    private static final int DEV_NULL = 9;

    private final LinuxSyscalls sys = mock(LinuxSyscalls.class);
    private final MptcpSelectorProvider provider =
            TestProviders.of(sys, MptcpPolicy.parse("all", "false"));
    private final ChannelFactory channels =
            new ChannelFactory(provider, sys, MptcpPolicy.parse("all", "false"));
    private final InheritedChannels inherited =
            new InheritedChannels(InheritedChannels.DATAGRAM_CHANNELS);

    InheritedChannelsTest() throws ErrnoException {
        when(sys.open("/dev/null", LinuxUapi.O_RDWR | LinuxUapi.O_CLOEXEC)).thenReturn(DEV_NULL);
        when(sys.dup(0)).thenReturn(DUP);
    }

    private void socket(int type, int family) throws ErrnoException {
        when(sys.getsockoptInt(DUP, LinuxUapi.SOL_SOCKET, LinuxUapi.SO_TYPE)).thenReturn(type);
        when(sys.getsockoptInt(DUP, LinuxUapi.SOL_SOCKET, LinuxUapi.SO_DOMAIN))
                .thenReturn(family);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void standardInputThatIsNoSocketGivesNullOnceForAll() throws Exception {
        when(sys.getsockoptInt(DUP, LinuxUapi.SOL_SOCKET, LinuxUapi.SO_TYPE))
                .thenThrow(new ErrnoException("getsockopt", Errno.ENOTSOCK));
        assertNull(inherited.get(channels));
        assertNull(inherited.get(channels));
        verify(sys).close(DUP);
        verify(sys, times(1)).dup(0);
    }

    @Test
    void aSocketOfAnotherFamilyGivesNull() throws Exception {
        socket(LinuxUapi.SOCK_STREAM, LinuxUapi.AF_NETLINK);
        assertNull(inherited.get(channels));
        verify(sys).close(DUP);
    }

    @Test
    void aClosedStandardInputFailsAndIsAskedAgainNextTime() throws Exception {
        when(sys.dup(0)).thenThrow(new ErrnoException("fcntl(F_DUPFD_CLOEXEC)", Errno.EBADF));
        IOException e = assertThrows(IOException.class, () -> inherited.get(channels));
        assertInstanceOf(ErrnoException.class, e.getCause());
        assertThrows(IOException.class, () -> inherited.get(channels));
        verify(sys, times(2)).dup(0);
        verify(sys, times(1)).open("/dev/null", LinuxUapi.O_RDWR | LinuxUapi.O_CLOEXEC);
    }

    @Test
    void anInetSocketWithoutPeerIsABoundServerChannelOnANonBlockingDescriptor() throws Exception {
        socket(LinuxUapi.SOCK_STREAM, LinuxUapi.AF_INET6);
        when(sys.getsockname(DUP)).thenReturn(LOCAL);
        when(sys.getpeername(DUP)).thenThrow(new ErrnoException("getpeername", Errno.ENOTCONN));

        Channel ch = inherited.get(channels);
        MptcpServerSocketChannel server = assertInstanceOf(MptcpServerSocketChannel.class, ch);
        assertSame(ch, inherited.get(channels), "one channel per JVM");
        assertSame(provider, server.provider());
        assertEquals(LOCAL, server.getLocalAddress());
        assertTrue(server.isBlocking(), "channels start in blocking mode");
        assertEquals(DUP, ((NativeChannel) server).fdVal());
        verify(sys).setBlocking(DUP, false);
    }

    @Test
    void anInetSocketWithAPeerIsAConnectedChannelThatReportsMptcp() throws Exception {
        socket(LinuxUapi.SOCK_STREAM, LinuxUapi.AF_INET);
        when(sys.getsockname(DUP)).thenReturn(LOCAL);
        when(sys.getpeername(DUP)).thenReturn(REMOTE);
        when(sys.getsockoptInt(DUP, LinuxUapi.SOL_SOCKET, LinuxUapi.SO_PROTOCOL))
                .thenReturn(LinuxUapi.IPPROTO_MPTCP);
        when(sys.getsockoptInt(DUP, LinuxUapi.SOL_TCP, LinuxUapi.TCP_IS_MPTCP)).thenReturn(1);

        MptcpSocketChannel sc = assertInstanceOf(MptcpSocketChannel.class, inherited.get(channels));
        assertTrue(sc.isConnected());
        assertEquals(LOCAL, sc.getLocalAddress());
        assertEquals(REMOTE, sc.getRemoteAddress());
        assertTrue(sc.getOption(MptcpSocketOptions.MPTCP_ENABLED));
        verify(sys).setBlocking(DUP, true);
    }

    /**
     * An inherited MPTCP socket reports its link-local addresses without scope (as every MPTCP
     * socket): the channel takes it from the interface that has the local address, inside
     * the namespace of the thread that asks, and gives the peer the same one.
     */
    @Test
    void inheritedLinkLocalAddressesGetTheirScopeBack() throws Exception {
        try (MulticastNamespace ns = MulticastNamespace.create()) {
            int scope = ns.v6Device().getIndex();
            socket(LinuxUapi.SOCK_STREAM, LinuxUapi.AF_INET6);
            when(sys.getsockname(DUP)).thenReturn(unscoped(MulticastNamespace.V6_SOURCE, 80));
            when(sys.getpeername(DUP)).thenReturn(unscoped(MulticastNamespace.V6_OTHER, 4711));
            when(sys.getsockoptInt(DUP, LinuxUapi.SOL_SOCKET, LinuxUapi.SO_PROTOCOL))
                    .thenReturn(LinuxUapi.IPPROTO_MPTCP);

            SocketChannel sc = assertInstanceOf(SocketChannel.class,
                    ns.call(() -> inherited.get(channels)));
            assertEquals(scope, scopeOf(sc.getLocalAddress()), "local " + sc.getLocalAddress());
            assertEquals(scope, scopeOf(sc.getRemoteAddress()), "peer " + sc.getRemoteAddress());
            assertEquals(unscoped(MulticastNamespace.V6_OTHER, 4711), sc.getRemoteAddress());
        }
    }

    private static InetSocketAddress unscoped(String literal, int port) throws Exception {
        return new InetSocketAddress(InetAddress.getByName(literal), port);
    }

    private static int scopeOf(java.net.SocketAddress address) {
        return ((Inet6Address) ((InetSocketAddress) address).getAddress()).getScopeId();
    }

    @Test
    void aTcpSocketIsAnMptcpChannelThatSaysItIsNotUsingMptcp() throws Exception {
        socket(LinuxUapi.SOCK_STREAM, LinuxUapi.AF_INET);
        when(sys.getsockname(DUP)).thenReturn(LOCAL);
        when(sys.getpeername(DUP)).thenReturn(REMOTE);
        when(sys.getsockoptInt(DUP, LinuxUapi.SOL_SOCKET, LinuxUapi.SO_PROTOCOL))
                .thenReturn(LinuxUapi.IPPROTO_TCP);
        MptcpSocketChannel sc = assertInstanceOf(MptcpSocketChannel.class, inherited.get(channels));
        assertFalse(sc.getOption(MptcpSocketOptions.MPTCP_ENABLED));
    }

    @Test
    void unixSocketsGiveUnixChannels() throws Exception {
        socket(LinuxUapi.SOCK_STREAM, LinuxUapi.AF_UNIX);
        when(sys.getsocknameUnix(DUP)).thenReturn(bytes("/run/app.sock"));
        when(sys.getpeernameUnix(DUP))
                .thenThrow(new ErrnoException("getpeername", Errno.ENOTCONN));
        ServerSocketChannel server =
                assertInstanceOf(ServerSocketChannel.class, inherited.get(channels));
        assertFalse(server instanceof MptcpServerSocketChannel);
        assertEquals(UnixDomainSocketAddress.of("/run/app.sock"), server.getLocalAddress());

        InheritedChannels again = new InheritedChannels(InheritedChannels.DATAGRAM_CHANNELS);
        when(sys.getsocknameUnix(DUP)).thenReturn(new byte[0]);
        doReturn(bytes("/run/app.sock")).when(sys).getpeernameUnix(DUP);
        SocketChannel sc = assertInstanceOf(SocketChannel.class, again.get(channels));
        assertFalse(sc instanceof MptcpSocketChannel);
        assertTrue(sc.isConnected());
        assertEquals(UnixDomainSocketAddress.of(""), sc.getLocalAddress());
        assertEquals(UnixDomainSocketAddress.of("/run/app.sock"), sc.getRemoteAddress());
    }

    @Test
    void closingTheChannelPutsDevNullOnTheStandardStreams() throws Exception {
        socket(LinuxUapi.SOCK_STREAM, LinuxUapi.AF_INET);
        when(sys.getsockname(DUP)).thenReturn(LOCAL);
        when(sys.getpeername(DUP)).thenReturn(REMOTE);
        Channel ch = inherited.get(channels);
        verify(sys, never()).dup3(anyInt(), anyInt(), anyInt());
        ch.close();
        verify(sys).close(DUP);
        verify(sys).dup3(DEV_NULL, 0, 0);
        verify(sys).dup3(DEV_NULL, 1, 0);
        verify(sys).dup3(DEV_NULL, 2, 0);
        assertSame(ch, inherited.get(channels), "still the one (closed) channel");
    }

    @Test
    void datagramSocketsGoToTheDatagramFactoryWithTheCloseHook() throws Exception {
        socket(LinuxUapi.SOCK_DGRAM, LinuxUapi.AF_INET6);
        Channel made = mock(Channel.class);
        AtomicReference<AfterClose> hook = new AtomicReference<>();
        InheritedChannels withDatagrams = new InheritedChannels((p, s, fd, family, close) -> {
            assertSame(channels, p);
            assertEquals(DUP, fd);
            assertEquals(LinuxUapi.AF_INET6, family);
            hook.set(close);
            return made;
        });
        assertSame(made, withDatagrams.get(channels));
        hook.get().run();
        verify(sys).dup3(DEV_NULL, 0, 0);
    }

    @Test
    void anInetDatagramSocketBecomesOurDatagramChannelWithItsAddresses() throws Exception {
        socket(LinuxUapi.SOCK_DGRAM, LinuxUapi.AF_INET);
        InetSocketAddress local = new InetSocketAddress("127.0.0.1", 5353);
        InetSocketAddress peer = new InetSocketAddress("127.0.0.1", 53);
        when(sys.getsockname(DUP)).thenReturn(local);
        when(sys.getpeername(DUP)).thenReturn(peer);

        DatagramChannel ch = assertInstanceOf(DatagramChannel.class, inherited.get(channels));

        assertSame(provider, ch.provider());
        assertEquals(local, ch.getLocalAddress());
        assertEquals(peer, ch.getRemoteAddress());
        assertTrue(ch.isConnected());
        assertTrue(ch.isBlocking());
        verify(sys).setBlocking(DUP, false);
        ch.close();
        verify(sys).close(DUP);
        verify(sys).dup3(DEV_NULL, 0, 0);
    }

    @Test
    void anUnconnectedDatagramSocketIsBoundButNotConnected() throws Exception {
        socket(LinuxUapi.SOCK_DGRAM, LinuxUapi.AF_INET6);
        InetSocketAddress local = new InetSocketAddress("::", 5353);
        when(sys.getsockname(DUP)).thenReturn(local);
        when(sys.getpeername(DUP)).thenThrow(new ErrnoException("getpeername", Errno.ENOTCONN));

        DatagramChannel ch = assertInstanceOf(DatagramChannel.class, inherited.get(channels));

        assertEquals(local, ch.getLocalAddress());
        assertFalse(ch.isConnected());
    }

    @Test
    void aUnixDomainDatagramSocketGivesNullAsTheJdk() throws Exception {
        socket(LinuxUapi.SOCK_DGRAM, LinuxUapi.AF_UNIX);
        assertNull(inherited.get(channels));
        verify(sys).close(DUP);
    }

    @Test
    void aRealInetAddressSurvivesTheTrip() throws Exception {
        socket(LinuxUapi.SOCK_STREAM, LinuxUapi.AF_INET);
        InetSocketAddress local = new InetSocketAddress("127.0.0.1", 8080);
        when(sys.getsockname(DUP)).thenReturn(local);
        when(sys.getpeername(DUP)).thenThrow(new ErrnoException("getpeername", Errno.ENOTCONN));
        assertEquals("io.mptcp.nio.MptcpServerSocketChannel[/127.0.0.1:8080]",
                inherited.get(channels).toString());
    }
}
