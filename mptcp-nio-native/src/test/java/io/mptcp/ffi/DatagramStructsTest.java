package io.mptcp.ffi;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import org.junit.jupiter.api.Test;

/**
 * The multicast request structs and {@code struct msghdr}: layouts against offsetof/sizeof
 * measured in C on x86-64 (glibc 2.36, uapi 6.1 headers), the uapi constants against the same
 * headers, and the bytes the encoders write. The kernel's acceptance of these bytes is {@link DatagramSyscallsTest}.
 */
class DatagramStructsTest {
    private static final int AT = 8;

    @Test
    void layouts() {
        assertAll(
                () -> assertEquals(4, StructInAddr.SIZEOF, "sizeof in_addr"),
                () -> assertEquals(12, StructIpMreqn.SIZEOF, "sizeof ip_mreqn"),
                () -> assertEquals(0, StructIpMreqn.IMR_MULTIADDR),
                () -> assertEquals(4, StructIpMreqn.IMR_ADDRESS),
                () -> assertEquals(8, StructIpMreqn.IMR_IFINDEX),
                () -> assertEquals(12, StructIpMreqSource.SIZEOF, "sizeof ip_mreq_source"),
                () -> assertEquals(0, StructIpMreqSource.IMR_MULTIADDR),
                () -> assertEquals(4, StructIpMreqSource.IMR_INTERFACE),
                () -> assertEquals(8, StructIpMreqSource.IMR_SOURCEADDR),
                () -> assertEquals(20, StructIpv6Mreq.SIZEOF, "sizeof ipv6_mreq"),
                () -> assertEquals(0, StructIpv6Mreq.IPV6MR_MULTIADDR),
                () -> assertEquals(16, StructIpv6Mreq.IPV6MR_IFINDEX),
                () -> assertEquals(264, StructGroupSourceReq.SIZEOF, "sizeof group_source_req"),
                () -> assertEquals(8, StructGroupSourceReq.LAYOUT.alignment(), "alignof"),
                () -> assertEquals(0, StructGroupSourceReq.GSR_INTERFACE),
                () -> assertEquals(8, StructGroupSourceReq.GSR_GROUP),
                () -> assertEquals(136, StructGroupSourceReq.GSR_SOURCE));
    }

    @Test
    void messageHeaderOfSendmsgAndRecvmsg() {
        assertAll(
                () -> assertEquals(56, Scratch.SIZEOF_MSGHDR, "sizeof msghdr"),
                () -> assertEquals(0, Scratch.MSG_NAME),
                () -> assertEquals(8, Scratch.MSG_NAMELEN),
                () -> assertEquals(16, Scratch.MSG_IOV),
                () -> assertEquals(24, Scratch.MSG_IOVLEN),
                () -> assertEquals(32, Scratch.MSG_CONTROL),
                () -> assertEquals(40, Scratch.MSG_CONTROLLEN),
                () -> assertEquals(48, Scratch.MSG_FLAGS),
                () -> assertEquals(0, Scratch.MESSAGE % 8, "msghdr aligned"),
                () -> assertEquals(0, Scratch.TARGET % 8, "target sockaddr aligned"));
    }

    @Test
    void constants() {
        assertAll(
                () -> assertEquals(0, LinuxUapi.AF_UNSPEC),
                () -> assertEquals(17, LinuxUapi.IPPROTO_UDP),
                () -> assertEquals(10, LinuxUapi.IP_MTU_DISCOVER),
                () -> assertEquals(32, LinuxUapi.IP_MULTICAST_IF),
                () -> assertEquals(33, LinuxUapi.IP_MULTICAST_TTL),
                () -> assertEquals(34, LinuxUapi.IP_MULTICAST_LOOP),
                () -> assertEquals(49, LinuxUapi.IP_MULTICAST_ALL),
                () -> assertEquals(29, LinuxUapi.IPV6_MULTICAST_ALL),
                () -> assertEquals(35, LinuxUapi.IP_ADD_MEMBERSHIP),
                () -> assertEquals(36, LinuxUapi.IP_DROP_MEMBERSHIP),
                () -> assertEquals(37, LinuxUapi.IP_UNBLOCK_SOURCE),
                () -> assertEquals(38, LinuxUapi.IP_BLOCK_SOURCE),
                () -> assertEquals(39, LinuxUapi.IP_ADD_SOURCE_MEMBERSHIP),
                () -> assertEquals(40, LinuxUapi.IP_DROP_SOURCE_MEMBERSHIP),
                () -> assertEquals(0, LinuxUapi.IP_PMTUDISC_DONT),
                () -> assertEquals(2, LinuxUapi.IP_PMTUDISC_DO),
                () -> assertEquals(17, LinuxUapi.IPV6_MULTICAST_IF),
                () -> assertEquals(18, LinuxUapi.IPV6_MULTICAST_HOPS),
                () -> assertEquals(19, LinuxUapi.IPV6_MULTICAST_LOOP),
                () -> assertEquals(20, LinuxUapi.IPV6_ADD_MEMBERSHIP),
                () -> assertEquals(21, LinuxUapi.IPV6_DROP_MEMBERSHIP),
                () -> assertEquals(23, LinuxUapi.IPV6_MTU_DISCOVER),
                () -> assertEquals(42, LinuxUapi.MCAST_JOIN_GROUP),
                () -> assertEquals(43, LinuxUapi.MCAST_BLOCK_SOURCE),
                () -> assertEquals(44, LinuxUapi.MCAST_UNBLOCK_SOURCE),
                () -> assertEquals(45, LinuxUapi.MCAST_LEAVE_GROUP),
                () -> assertEquals(46, LinuxUapi.MCAST_JOIN_SOURCE_GROUP),
                () -> assertEquals(47, LinuxUapi.MCAST_LEAVE_SOURCE_GROUP));
    }

    @Test
    void ipMreqnHoldsGroupAndAddressInNetworkOrderAndTheIndexInHostOrder() throws Exception {
        ByteBuffer b = buffer();
        StructIpMreqn.put(b, AT, v4("239.1.2.3"), v4("10.0.0.7"), 5);
        assertArrayEquals(new byte[] {(byte) 239, 1, 2, 3}, bytes(b, AT, 4));
        assertArrayEquals(new byte[] {10, 0, 0, 7}, bytes(b, AT + 4, 4));
        assertEquals(5, b.getInt(AT + 8));

        StructIpMreqn.put(b, AT, v4("239.1.2.3"), null, 0);
        assertArrayEquals(new byte[4], bytes(b, AT + 4, 4), "INADDR_ANY for no address");
    }

    @Test
    void ipMreqSourceHoldsGroupInterfaceAndSource() throws Exception {
        ByteBuffer b = buffer();
        StructIpMreqSource.put(b, AT, v4("232.1.1.1"), v4("127.0.0.1"), v4("10.1.2.3"));
        assertArrayEquals(new byte[] {(byte) 232, 1, 1, 1, 127, 0, 0, 1, 10, 1, 2, 3},
                bytes(b, AT, 12));
    }

    @Test
    void ipv6MreqHoldsTheGroupAndTheIndex() throws Exception {
        ByteBuffer b = buffer();
        Inet6Address group = (Inet6Address) InetAddress.getByName("ff12::1234");
        StructIpv6Mreq.put(b, AT, group, 3);
        assertArrayEquals(group.getAddress(), bytes(b, AT, 16));
        assertEquals(3, b.getInt(AT + 16));
    }

    @Test
    void groupSourceReqHoldsTwoSockaddrsWithoutScopeOrPort() throws Exception {
        ByteBuffer b = buffer();
        b.put(AT + 200, (byte) 0x55); // garbage in the tail of the source storage
        InetAddress group = InetAddress.getByName("ff32::8000:1");
        InetAddress source = InetAddress.getByName("fe80::1%1");
        StructGroupSourceReq.put(b, AT, LinuxUapi.AF_INET6, 7, group, source);
        assertEquals(7, b.getInt(AT));
        int g = AT + StructGroupSourceReq.GSR_GROUP;
        int s = AT + StructGroupSourceReq.GSR_SOURCE;
        assertEquals(LinuxUapi.AF_INET6, b.getShort(g + SockAddr.SIN6_FAMILY));
        assertEquals(0, b.getShort(g + SockAddr.SIN6_PORT));
        assertArrayEquals(group.getAddress(), bytes(b, g + SockAddr.SIN6_ADDR, 16));
        assertEquals(LinuxUapi.AF_INET6, b.getShort(s + SockAddr.SIN6_FAMILY));
        assertArrayEquals(source.getAddress(), bytes(b, s + SockAddr.SIN6_ADDR, 16));
        assertEquals(0, b.getInt(s + SockAddr.SIN6_SCOPE_ID), "the interface is gsr_interface");
        assertEquals(0, b.get(AT + 200), "the whole struct is written");
    }

    @Test
    void groupSourceReqRefusesIpv6OnAnIpv4Socket() throws Exception {
        ErrnoException e = assertThrows(ErrnoException.class, () -> StructGroupSourceReq.put(
                buffer(), AT, LinuxUapi.AF_INET, 1, InetAddress.getByName("ff32::1"),
                InetAddress.getByName("::1")));
        assertEquals(Errno.EAFNOSUPPORT, e.errno());
    }

    @Test
    void aDatagramToTheIpv4WildcardStaysIpv4OnAnIpv6Socket() throws Exception {
        ByteBuffer b = buffer();
        InetSocketAddress any = new InetSocketAddress(InetAddress.getByName("0.0.0.0"), 53);
        assertEquals(SockAddr.SIZEOF_SOCKADDR_IN6,
                SockAddr.encodeDestination("sendmsg", LinuxUapi.AF_INET6, any, b, AT));
        byte[] mapped = new byte[16];
        mapped[10] = (byte) 0xff;
        mapped[11] = (byte) 0xff;
        assertArrayEquals(mapped, bytes(b, AT + SockAddr.SIN6_ADDR, 16), "::ffff:0.0.0.0");
        // bind and connect keep the JDK's other rule: the IPv4 wildcard means ::
        SockAddr.encode("bind", LinuxUapi.AF_INET6, any, b, AT);
        assertArrayEquals(new byte[16], bytes(b, AT + SockAddr.SIN6_ADDR, 16));
    }

    @Test
    void inAddrRoundTripsAndReadsTheWildcardAsNull() throws Exception {
        ByteBuffer b = buffer();
        StructInAddr.put(b, AT, v4("192.0.2.9"));
        assertEquals(v4("192.0.2.9"), StructInAddr.get(b, AT));
        StructInAddr.put(b, AT, null);
        assertNull(StructInAddr.get(b, AT));
    }

    private static ByteBuffer buffer() {
        return ByteBuffer.allocateDirect(AT + StructGroupSourceReq.SIZEOF)
                .order(ByteOrder.nativeOrder());
    }

    private static byte[] bytes(ByteBuffer b, int at, int n) {
        byte[] out = new byte[n];
        b.get(at, out);
        return out;
    }

    private static Inet4Address v4(String literal) throws Exception {
        return (Inet4Address) InetAddress.getByName(literal);
    }
}
