package io.mptcp.nio.internal.datagram;

import io.mptcp.ffi.Errno;
import io.mptcp.ffi.ErrnoException;
import io.mptcp.ffi.LinuxUapi;
import io.mptcp.ffi.StructGroupSourceReq;
import io.mptcp.nio.internal.MockKernel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.DatagramChannel;
import java.nio.channels.MembershipKey;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import static io.mptcp.nio.internal.MockKernel.FD;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyInt;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.doAnswer;
import static org.mockito.Mockito.doThrow;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

/**
 * Datagram options and multicast memberships over a scripted kernel: which option or request
 * each call makes, with which bytes, and how failures are reported.
 */
@Timeout(10)
class DatagramOptionsAndMembershipsTest {
    private static final InetAddress V4 = InetAddress.getLoopbackAddress();

    private final MockKernel kernel = new MockKernel();
    // setsockopt(fd, level, optname, bytes) calls, with the bytes copied at call time.
    private final List<String> requests = Collections.synchronizedList(new ArrayList<>());
    private final List<byte[]> requestBytes = Collections.synchronizedList(new ArrayList<>());

    DatagramOptionsAndMembershipsTest() throws Exception {
        doAnswer(inv -> {
            ByteBuffer value = inv.getArgument(3);
            byte[] bytes = new byte[value.remaining()];
            value.duplicate().get(bytes);
            requests.add(inv.getArgument(1) + "/" + inv.getArgument(2));
            requestBytes.add(bytes);
            return null;
        }).when(kernel.sys).setsockopt(eq(FD), anyInt(), anyInt(), any(ByteBuffer.class));
    }

    private DatagramChannel open(StandardProtocolFamily family) throws Exception {
        return kernel.provider().openDatagramChannel(family);
    }

    private static InetAddress ip(String literal) throws Exception {
        return InetAddress.getByName(literal);
    }

    /** An interface with the given index and addresses (NetworkInterface has no constructor). */
    private static NetworkInterface interf(String name, int index, InetAddress... addresses) {
        NetworkInterface ni = mock(NetworkInterface.class);
        when(ni.getName()).thenReturn(name);
        when(ni.getIndex()).thenReturn(index);
        when(ni.getInetAddresses()).thenAnswer(
                inv -> Collections.enumeration(List.of(addresses)));
        return ni;
    }

    private static String request(int level, int optname) {
        return level + "/" + optname;
    }

    // ---- options ------------------------------------------------------------------------

    @Test
    void ipLevelOptionsOfAnIpv6ChannelSetTheIpv4OptionToo() throws Exception {
        DatagramChannel ch = open(StandardProtocolFamily.INET6);
        ch.setOption(StandardSocketOptions.IP_TOS, 0x28);
        verify(kernel.sys).setsockoptInt(FD, LinuxUapi.IPPROTO_IPV6, LinuxUapi.IPV6_TCLASS, 0x28);
        verify(kernel.sys).setsockoptInt(FD, LinuxUapi.IPPROTO_IP, LinuxUapi.IP_TOS, 0x28);
        ch.setOption(StandardSocketOptions.IP_MULTICAST_TTL, 3);
        verify(kernel.sys).setsockoptInt(FD, LinuxUapi.IPPROTO_IPV6,
                LinuxUapi.IPV6_MULTICAST_HOPS, 3);
        verify(kernel.sys).setsockoptInt(FD, LinuxUapi.IPPROTO_IP, LinuxUapi.IP_MULTICAST_TTL, 3);

        // The IPv4 option is best effort; the IPv6 one decides.
        doThrow(new ErrnoException("setsockopt", Errno.EINVAL)).when(kernel.sys)
                .setsockoptInt(FD, LinuxUapi.IPPROTO_IP, LinuxUapi.IP_MULTICAST_LOOP, 0);
        ch.setOption(StandardSocketOptions.IP_MULTICAST_LOOP, false);
        doThrow(new ErrnoException("setsockopt", Errno.EINVAL)).when(kernel.sys)
                .setsockoptInt(FD, LinuxUapi.IPPROTO_IPV6, LinuxUapi.IPV6_TCLASS, 1);
        SocketException e = assertThrows(SocketException.class,
                () -> ch.setOption(StandardSocketOptions.IP_TOS, 1));
        assertEquals(Errno.EINVAL, ((ErrnoException) e.getCause()).errno());

        when(kernel.sys.getsockoptInt(FD, LinuxUapi.IPPROTO_IPV6, LinuxUapi.IPV6_TCLASS))
                .thenReturn(0x28);
        assertEquals(0x28, ch.getOption(StandardSocketOptions.IP_TOS));
    }

    @Test
    void anIpv4ChannelSetsOnlyIpv4Options() throws Exception {
        DatagramChannel ch = open(StandardProtocolFamily.INET);
        ch.setOption(StandardSocketOptions.IP_TOS, 0x10);
        verify(kernel.sys).setsockoptInt(FD, LinuxUapi.IPPROTO_IP, LinuxUapi.IP_TOS, 0x10);
        verify(kernel.sys, never()).setsockoptInt(eq(FD), eq(LinuxUapi.IPPROTO_IPV6), anyInt(),
                anyInt());
        when(kernel.sys.getsockoptInt(FD, LinuxUapi.SOL_SOCKET, LinuxUapi.SO_RCVBUF))
                .thenReturn(131_072);
        assertEquals(65_536, ch.getOption(StandardSocketOptions.SO_RCVBUF), "halved");
        assertThrows(IllegalArgumentException.class,
                () -> ch.setOption(StandardSocketOptions.IP_MULTICAST_TTL, -1));
    }

    @Test
    void theMulticastInterfaceOfAnIpv6ChannelIsItsIndexAndItsIpv4Address() throws Exception {
        DatagramChannel ch = open(StandardProtocolFamily.INET6);
        ch.setOption(StandardSocketOptions.IP_MULTICAST_IF, interf("eth9", 7, ip("192.0.2.5")));
        verify(kernel.sys).setsockoptInt(FD, LinuxUapi.IPPROTO_IPV6,
                LinuxUapi.IPV6_MULTICAST_IF, 7);
        assertEquals(List.of(request(LinuxUapi.IPPROTO_IP, LinuxUapi.IP_MULTICAST_IF)),
                requests);
        assertArrayEquals(new byte[] {(byte) 192, 0, 2, 5}, requestBytes.get(0));

        IOException e = assertThrows(IOException.class, () -> ch.setOption(
                StandardSocketOptions.IP_MULTICAST_IF, interf("gone", -1)));
        assertEquals("Network interface cannot be identified", e.getMessage());
        when(kernel.sys.getsockoptInt(FD, LinuxUapi.IPPROTO_IPV6, LinuxUapi.IPV6_MULTICAST_IF))
                .thenReturn(0);
        assertNull(ch.getOption(StandardSocketOptions.IP_MULTICAST_IF), "the default");
    }

    @Test
    void anIpv4ChannelNeedsAnInterfaceWithAnIpv4Address() throws Exception {
        DatagramChannel ch = open(StandardProtocolFamily.INET);
        IOException e = assertThrows(IOException.class, () -> ch.setOption(
                StandardSocketOptions.IP_MULTICAST_IF, interf("v6only", 4, ip("fe80::1"))));
        assertEquals("Network interface not configured for IPv4", e.getMessage());
        when(kernel.sys.getsockopt(eq(FD), eq(LinuxUapi.IPPROTO_IP),
                eq(LinuxUapi.IP_MULTICAST_IF), any())).thenReturn(4);
        assertNull(ch.getOption(StandardSocketOptions.IP_MULTICAST_IF), "INADDR_ANY: default");
    }

    // ---- memberships --------------------------------------------------------------------

    @Test
    void anIpv4JoinNamesTheInterfaceByIndexAndAddress() throws Exception {
        DatagramChannel ch = open(StandardProtocolFamily.INET);
        NetworkInterface eth = interf("eth9", 7, ip("fe80::9"), ip("192.0.2.5"));
        MembershipKey key = ch.join(ip("239.1.2.3"), eth);
        assertSame(key, ch.join(ip("239.1.2.3"), eth), "no second request");
        assertEquals(List.of(request(LinuxUapi.IPPROTO_IP, LinuxUapi.IP_ADD_MEMBERSHIP)),
                requests);
        ByteBuffer mreqn = ByteBuffer.wrap(requestBytes.get(0)).order(ByteOrder.nativeOrder());
        assertArrayEquals(new byte[] {(byte) 239, 1, 2, 3, (byte) 192, 0, 2, 5},
                java.util.Arrays.copyOf(requestBytes.get(0), 8));
        assertEquals(7, mreqn.getInt(8), "imr_ifindex");

        key.block(ip("10.0.0.1"));
        assertEquals(request(LinuxUapi.IPPROTO_IP, LinuxUapi.IP_BLOCK_SOURCE), requests.get(1));
        assertArrayEquals(new byte[] {(byte) 239, 1, 2, 3, (byte) 192, 0, 2, 5, 10, 0, 0, 1},
                requestBytes.get(1));
        key.unblock(ip("10.0.0.1"));
        assertEquals(request(LinuxUapi.IPPROTO_IP, LinuxUapi.IP_UNBLOCK_SOURCE), requests.get(2));
        key.drop();
        assertFalse(key.isValid());
        assertEquals(request(LinuxUapi.IPPROTO_IP, LinuxUapi.IP_DROP_MEMBERSHIP), requests.get(3));
        assertArrayEquals(requestBytes.get(0), requestBytes.get(3), "the same ip_mreqn");
    }

    @Test
    void anIpv4GroupOnAnIpv6ChannelUsesTheIpv4Requests() throws Exception {
        DatagramChannel ch = open(StandardProtocolFamily.INET6);
        NetworkInterface lo = interf("lo", 1, V4);
        ch.join(ip("232.1.1.1"), lo, V4);
        assertEquals(List.of(request(LinuxUapi.IPPROTO_IP, LinuxUapi.IP_ADD_SOURCE_MEMBERSHIP)),
                requests);
        assertArrayEquals(new byte[] {(byte) 232, 1, 1, 1, 127, 0, 0, 1, 127, 0, 0, 1},
                requestBytes.get(0));
    }

    @Test
    void ipv6JoinsUseIpv6MreqAndTheSourceFiltersGroupSourceReq() throws Exception {
        DatagramChannel ch = open(StandardProtocolFamily.INET6);
        NetworkInterface eth = interf("eth9", 7, ip("fe80::9"));
        InetAddress group = ip("ff12::1");
        MembershipKey key = ch.join(group, eth);
        assertEquals(request(LinuxUapi.IPPROTO_IPV6, LinuxUapi.IPV6_ADD_MEMBERSHIP),
                requests.get(0));
        ByteBuffer mreq = ByteBuffer.wrap(requestBytes.get(0)).order(ByteOrder.nativeOrder());
        assertArrayEquals(group.getAddress(), java.util.Arrays.copyOf(requestBytes.get(0), 16));
        assertEquals(7, mreq.getInt(16));

        key.block(ip("2001:db8::1"));
        assertEquals(request(LinuxUapi.IPPROTO_IPV6, LinuxUapi.MCAST_BLOCK_SOURCE),
                requests.get(1));
        assertEquals(StructGroupSourceReq.SIZEOF, requestBytes.get(1).length);

        MembershipKey ssm = ch.join(ip("ff32::8000:1"), eth, ip("2001:db8::2"));
        assertEquals(request(LinuxUapi.IPPROTO_IPV6, LinuxUapi.MCAST_JOIN_SOURCE_GROUP),
                requests.get(2));
        ssm.drop();
        assertEquals(request(LinuxUapi.IPPROTO_IPV6, LinuxUapi.MCAST_LEAVE_SOURCE_GROUP),
                requests.get(3));
    }

    @Test
    void anInterfaceWithoutIpv4CannotJoinAnIpv4Group() throws Exception {
        DatagramChannel ch = open(StandardProtocolFamily.INET6);
        IOException e = assertThrows(IOException.class,
                () -> ch.join(ip("239.1.1.1"), interf("v6only", 3, ip("fe80::1"))));
        assertEquals("Network interface not configured for IPv4", e.getMessage());
        assertTrue(requests.isEmpty());
    }

    @Test
    void aKernelWithoutTheRequestIsUnsupportedAndOtherFailuresAreSocketErrors() throws Exception {
        DatagramChannel ch = open(StandardProtocolFamily.INET);
        NetworkInterface lo = interf("lo", 1, V4);
        doThrow(new ErrnoException("setsockopt", Errno.ENOPROTOOPT)).when(kernel.sys)
                .setsockopt(eq(FD), anyInt(), eq(LinuxUapi.IP_ADD_SOURCE_MEMBERSHIP), any());
        assertThrows(UnsupportedOperationException.class,
                () -> ch.join(ip("232.1.1.1"), lo, V4));
        doThrow(new ErrnoException("setsockopt", Errno.ENOBUFS)).when(kernel.sys)
                .setsockopt(eq(FD), anyInt(), eq(LinuxUapi.IP_ADD_MEMBERSHIP), any());
        SocketException e = assertThrows(SocketException.class,
                () -> ch.join(ip("239.1.1.1"), lo));
        assertEquals(Errno.ENOBUFS, ((ErrnoException) e.getCause()).errno());
    }

    @Test
    void aFailedDropStillInvalidatesTheKey() throws Exception {
        DatagramChannel ch = open(StandardProtocolFamily.INET);
        MembershipKey key = ch.join(ip("239.1.1.1"), interf("lo", 1, V4));
        doThrow(new ErrnoException("setsockopt", Errno.ENODEV)).when(kernel.sys)
                .setsockopt(eq(FD), anyInt(), eq(LinuxUapi.IP_DROP_MEMBERSHIP), any());
        UncheckedIOException e = assertThrows(UncheckedIOException.class, key::drop);
        assertEquals(Errno.ENODEV, ((ErrnoException) e.getCause().getCause()).errno());
        assertFalse(key.isValid());
        assertTrue(ch.join(ip("239.1.1.1"), interf("lo", 1, V4)).isValid(), "can join again");
    }

    @Test
    void closingInvalidatesEveryKey() throws Exception {
        DatagramChannel ch = open(StandardProtocolFamily.INET);
        NetworkInterface lo = interf("lo", 1, V4);
        MembershipKey any = ch.join(ip("239.1.1.1"), lo);
        MembershipKey ssm = ch.join(ip("232.1.1.1"), lo, V4);
        ch.close();
        assertFalse(any.isValid());
        assertFalse(ssm.isValid());
        int before = requests.size();
        any.drop();
        assertEquals(before, requests.size(), "the kernel dropped them with the socket");
    }

    @Test
    void theAdaptorJoinsOnTheKernelsChoiceWithoutAnInterface() throws Exception {
        DatagramChannelImpl ch = (DatagramChannelImpl) open(StandardProtocolFamily.INET);
        MembershipKey key = ch.memberships().join(ip("239.1.1.1"), null, null);
        assertNull(key.networkInterface());
        assertEquals("<239.1.1.1,any>", key.toString());
        assertArrayEquals(new byte[] {(byte) 239, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0},
                requestBytes.get(0), "INADDR_ANY and index 0");
        assertSame(key, ch.memberships().find(ip("239.1.1.1"), null));
    }
}
