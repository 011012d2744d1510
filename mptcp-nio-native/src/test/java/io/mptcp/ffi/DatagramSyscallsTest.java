package io.mptcp.ffi;

import static io.mptcp.ffi.LinuxUapi.AF_INET;
import static io.mptcp.ffi.LinuxUapi.AF_INET6;
import static io.mptcp.ffi.LinuxUapi.IPPROTO_IP;
import static io.mptcp.ffi.LinuxUapi.IPPROTO_IPV6;
import static io.mptcp.ffi.LinuxUapi.POLLERR;
import static io.mptcp.ffi.LinuxUapi.POLLIN;
import static io.mptcp.ffi.LinuxUapi.SOCK_CLOEXEC;
import static io.mptcp.ffi.LinuxUapi.SOCK_DGRAM;
import static io.mptcp.ffi.LinuxUapi.SOCK_NONBLOCK;
import static io.mptcp.ffi.OpenFds.direct;
import static io.mptcp.ffi.OpenFds.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The datagram calls against the kernel, on loopback: sendto/recvfrom with the sender, the
 * AF_UNSPEC disconnect, the ICMP error of a connected socket, and the kernel's acceptance of
 * the multicast request structs (a second identical join fails with EADDRINUSE, which shows
 * the kernel read group and interface where the mirror put them).
 */
@Timeout(10)
class DatagramSyscallsTest {
    private static final int LO = 1; // the loopback interface's index in every namespace
    private static final InetAddress V4 = InetAddress.getLoopbackAddress();

    private OpenFds fds;
    private LinuxSyscalls sys;

    @BeforeEach
    void open() throws Exception {
        fds = new OpenFds();
        sys = fds.sys;
    }

    @AfterEach
    void closeAll() throws Exception {
        fds.close();
    }

    private int udp(int family) throws ErrnoException {
        return fds.track(sys.socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    }

    /** A UDP socket of {@code family} bound to {@code address}, ephemeral port. */
    private int bound(int family, InetAddress address) throws ErrnoException {
        int fd = udp(family);
        sys.bind(fd, family, new InetSocketAddress(address, 0));
        return fd;
    }

    /** Waits until {@code fd} is readable (loopback delivery runs in a softirq). */
    private void awaitReadable(int fd) throws ErrnoException {
        assertTrue((sys.poll(fd, POLLIN, -1, 5000) & (POLLIN | POLLERR)) != 0, "readable");
    }

    @Test
    void sendtoAndRecvfromCarryOneDatagramAndItsSender() throws Exception {
        int a = bound(AF_INET, V4);
        int b = bound(AF_INET, V4);
        assertEquals(5, sys.sendto(a, direct("hello"), 0, AF_INET, sys.getsockname(b)));
        awaitReadable(b);
        SenderAddress sender = new SenderAddress();
        ByteBuffer dst = direct(16).position(2);
        assertEquals(5, sys.recvfrom(b, dst, 0, sender));
        assertEquals(2, dst.position(), "the position is the caller's to move");
        assertEquals("hello", text(dst, 2, 7));
        assertEquals(sys.getsockname(a), sender.get());
    }

    @Test
    void aRepeatedSenderIsTheSameValueAndANewOneIsDecoded() throws Exception {
        int a = bound(AF_INET, V4);
        int c = bound(AF_INET, V4);
        int b = bound(AF_INET, V4);
        InetSocketAddress to = sys.getsockname(b);
        SenderAddress sender = new SenderAddress();
        ByteBuffer dst = direct(8);

        sys.sendto(a, direct("1"), 0, AF_INET, to);
        awaitReadable(b);
        sys.recvfrom(b, dst, 0, sender);
        InetSocketAddress first = sender.get();
        sys.sendto(a, direct("2"), 0, AF_INET, to);
        awaitReadable(b);
        sys.recvfrom(b, dst, 0, sender);
        assertSame(first, sender.get(), "same sockaddr: no new value");

        sys.sendto(c, direct("3"), 0, AF_INET, to);
        awaitReadable(b);
        sys.recvfrom(b, dst, 0, sender);
        assertNotSame(first, sender.get());
        assertEquals(sys.getsockname(c), sender.get());
    }

    @Test
    void aLongDatagramIsTruncatedAndItsRestDiscarded() throws Exception {
        int a = bound(AF_INET, V4);
        int b = bound(AF_INET, V4);
        sys.sendto(a, direct("0123456789"), 0, AF_INET, sys.getsockname(b));
        awaitReadable(b);
        ByteBuffer dst = direct(4);
        assertEquals(4, sys.recvfrom(b, dst, 0, new SenderAddress()));
        assertEquals("0123", text(dst, 0, 4));
        assertEquals(IoStatus.UNAVAILABLE, sys.recvfrom(b, direct(16), 0, new SenderAddress()));
    }

    @Test
    void anEmptyDatagramIsZeroBytesFromItsSender() throws Exception {
        int a = bound(AF_INET, V4);
        int b = bound(AF_INET, V4);
        assertEquals(0, sys.sendto(a, direct(0), 0, AF_INET, sys.getsockname(b)));
        awaitReadable(b);
        SenderAddress sender = new SenderAddress();
        assertEquals(0, sys.recvfrom(b, direct(8), 0, sender));
        assertEquals(sys.getsockname(a), sender.get());
    }

    @Test
    void nothingPendingIsUnavailableAndLeavesTheSenderAlone() throws Exception {
        int b = bound(AF_INET, V4);
        SenderAddress sender = new SenderAddress();
        assertEquals(IoStatus.UNAVAILABLE, sys.recvfrom(b, direct(8), 0, sender));
        assertNull(sender.get());
    }

    @Test
    void anIpv6SocketTalksToIpv4PeersThroughMappedAddresses() throws Exception {
        int v6 = bound(AF_INET6, InetAddress.getByName("::"));
        int v4 = bound(AF_INET, V4);
        int port6 = sys.getsockname(v6).getPort();
        sys.sendto(v6, direct("to4"), 0, AF_INET6, sys.getsockname(v4));
        awaitReadable(v4);
        SenderAddress at4 = new SenderAddress();
        assertEquals(3, sys.recvfrom(v4, direct(8), 0, at4));
        assertEquals(port6, at4.get().getPort());

        sys.sendto(v4, direct("to6"), 0, AF_INET, new InetSocketAddress(V4, port6));
        awaitReadable(v6);
        SenderAddress at6 = new SenderAddress();
        assertEquals(3, sys.recvfrom(v6, direct(8), 0, at6));
        assertInstanceOf(Inet4Address.class, at6.get().getAddress(), "mapped sender is IPv4");
        assertEquals(sys.getsockname(v4), at6.get());
    }

    @Test
    void theIpv4WildcardAsDestinationOfAnIpv6SocketReachesIpv4Loopback() throws Exception {
        int v6 = bound(AF_INET6, InetAddress.getByName("::"));
        int v4 = bound(AF_INET, V4);
        InetSocketAddress wildcard =
                new InetSocketAddress(InetAddress.getByName("0.0.0.0"), sys.getsockname(v4).getPort());
        assertEquals(1, sys.sendto(v6, direct("w"), 0, AF_INET6, wildcard));
        awaitReadable(v4);
        assertEquals(1, sys.recvfrom(v4, direct(8), 0, new SenderAddress()));
    }

    @Test
    void ipv6SendersKeepTheirAddress() throws Exception {
        InetAddress loop6 = InetAddress.getByName("::1");
        int a = bound(AF_INET6, loop6);
        int b = bound(AF_INET6, loop6);
        sys.sendto(a, direct("6"), 0, AF_INET6, sys.getsockname(b));
        awaitReadable(b);
        SenderAddress sender = new SenderAddress();
        sys.recvfrom(b, direct(8), 0, sender);
        assertInstanceOf(Inet6Address.class, sender.get().getAddress());
        assertEquals(sys.getsockname(a), sender.get());
    }

    @Test
    void disconnectDissolvesTheAssociationAndResetsAnAutomaticPort() throws Exception {
        int a = bound(AF_INET, InetAddress.getByName("0.0.0.0"));
        int b = bound(AF_INET, V4);
        assertTrue(sys.connect(a, AF_INET, sys.getsockname(b)));
        assertEquals(sys.getsockname(b), sys.getpeername(a));
        sys.disconnect(a);
        ErrnoException e = assertThrows(ErrnoException.class, () -> sys.getpeername(a));
        assertEquals(Errno.ENOTCONN, e.errno());
        // Bound with port 0, so not locked: Linux unhashes the socket and forgets its port.
        assertEquals(0, sys.getsockname(a).getPort());
    }

    @Test
    void aConnectedSocketLearnsThatThePeerPortIsClosed() throws Exception {
        int closed = bound(AF_INET, V4);
        InetSocketAddress nobody = sys.getsockname(closed);
        fds.close(closed);
        int a = bound(AF_INET, V4);
        sys.connect(a, AF_INET, nobody);
        sys.write(a, direct("x"));
        awaitReadable(a);
        ErrnoException e = assertThrows(ErrnoException.class,
                () -> sys.recvfrom(a, direct(8), 0, new SenderAddress()));
        assertEquals(Errno.ECONNREFUSED, e.errno());
        assertEquals("recvmsg", e.syscall());
    }

    @Test
    void theKernelReadsIpMreqnAndIpMreqSource() throws Exception {
        int fd = udp(AF_INET);
        Inet4Address group = (Inet4Address) InetAddress.getByName("239.77.1.1");
        ByteBuffer mreqn = direct(StructIpMreqn.SIZEOF);
        StructIpMreqn.put(mreqn, 0, group, null, LO);
        sys.setsockopt(fd, IPPROTO_IP, LinuxUapi.IP_ADD_MEMBERSHIP, mreqn);
        assertErrno(Errno.EADDRINUSE,
                () -> sys.setsockopt(fd, IPPROTO_IP, LinuxUapi.IP_ADD_MEMBERSHIP, mreqn));

        ByteBuffer block = direct(StructIpMreqSource.SIZEOF);
        StructIpMreqSource.put(block, 0, group, (Inet4Address) V4,
                (Inet4Address) InetAddress.getByName("192.0.2.1"));
        sys.setsockopt(fd, IPPROTO_IP, LinuxUapi.IP_BLOCK_SOURCE, block);
        assertErrno(Errno.EADDRNOTAVAIL,
                () -> sys.setsockopt(fd, IPPROTO_IP, LinuxUapi.IP_BLOCK_SOURCE, block));
        sys.setsockopt(fd, IPPROTO_IP, LinuxUapi.IP_UNBLOCK_SOURCE, block);
        sys.setsockopt(fd, IPPROTO_IP, LinuxUapi.IP_DROP_MEMBERSHIP, mreqn);
        assertErrno(Errno.EADDRNOTAVAIL,
                () -> sys.setsockopt(fd, IPPROTO_IP, LinuxUapi.IP_DROP_MEMBERSHIP, mreqn));
    }

    @Test
    void theKernelReadsIpv6MreqAndGroupSourceReq() throws Exception {
        int fd = udp(AF_INET6);
        ByteBuffer mreq = direct(StructIpv6Mreq.SIZEOF);
        StructIpv6Mreq.put(mreq, 0, (Inet6Address) InetAddress.getByName("ff12::77:1"), LO);
        sys.setsockopt(fd, IPPROTO_IPV6, LinuxUapi.IPV6_ADD_MEMBERSHIP, mreq);
        assertErrno(Errno.EADDRINUSE,
                () -> sys.setsockopt(fd, IPPROTO_IPV6, LinuxUapi.IPV6_ADD_MEMBERSHIP, mreq));
        sys.setsockopt(fd, IPPROTO_IPV6, LinuxUapi.IPV6_DROP_MEMBERSHIP, mreq);

        ByteBuffer gsr = direct(StructGroupSourceReq.SIZEOF);
        StructGroupSourceReq.put(gsr, 0, AF_INET6, LO, InetAddress.getByName("ff32::8000:77"),
                InetAddress.getByName("2001:db8::1"));
        sys.setsockopt(fd, IPPROTO_IPV6, LinuxUapi.MCAST_JOIN_SOURCE_GROUP, gsr);
        assertErrno(Errno.EADDRNOTAVAIL,
                () -> sys.setsockopt(fd, IPPROTO_IPV6, LinuxUapi.MCAST_JOIN_SOURCE_GROUP, gsr));
        sys.setsockopt(fd, IPPROTO_IPV6, LinuxUapi.MCAST_LEAVE_SOURCE_GROUP, gsr);
    }

    @Test
    void theKernelReadsAnInAddrAsTheIpv4MulticastInterface() throws Exception {
        int fd = udp(AF_INET);
        ByteBuffer value = direct(StructInAddr.SIZEOF);
        StructInAddr.put(value, 0, (Inet4Address) V4);
        sys.setsockopt(fd, IPPROTO_IP, LinuxUapi.IP_MULTICAST_IF, value);
        ByteBuffer back = direct(StructInAddr.SIZEOF);
        assertEquals(4, sys.getsockopt(fd, IPPROTO_IP, LinuxUapi.IP_MULTICAST_IF, back));
        assertEquals(V4, StructInAddr.get(back, 0));
    }

    private static void assertErrno(int errno, org.junit.jupiter.api.function.Executable call) {
        ErrnoException e = assertThrows(ErrnoException.class, call);
        assertEquals(errno, e.errno(), e::getMessage);
    }
}
