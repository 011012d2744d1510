package io.mptcp.ffi;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

import org.junit.jupiter.api.Test;

/** The sockaddr codec on hand-built bytes; no system call. */
class SockAddrTest {
    // Arbitrary, so that absolute indexing is exercised rather than offset 0.
    private static final int AT = 5;

    private static ByteBuffer buffer() {
        ByteBuffer b = ByteBuffer.allocate(64).order(ByteOrder.nativeOrder());
        Arrays.fill(b.array(), (byte) 0x5a); // garbage that encode must overwrite
        return b;
    }

    /** A sockaddr as the kernel lays it out: family in host order, the rest as given. */
    private static byte[] sockaddr(int family, int... rest) {
        ByteBuffer b = ByteBuffer.allocate(2 + rest.length).order(ByteOrder.nativeOrder());
        b.putShort((short) family);
        for (int v : rest) {
            b.put((byte) v);
        }
        return b.array();
    }

    private static byte[] slice(ByteBuffer b, int offset, int length) {
        return Arrays.copyOfRange(b.array(), offset, offset + length);
    }

    private static ByteBuffer holding(byte[] bytes) {
        ByteBuffer b = buffer();
        System.arraycopy(bytes, 0, b.array(), AT, bytes.length);
        return b;
    }

    @Test
    void encodesIpv4() throws Exception {
        ByteBuffer b = buffer();
        InetSocketAddress a = new InetSocketAddress(InetAddress.getByName("192.0.2.7"), 8080);
        assertEquals(16, SockAddr.encode("connect", LinuxUapi.AF_INET, a, b, AT));
        byte[] expected = sockaddr(LinuxUapi.AF_INET,
                0x1f, 0x90, 192, 0, 2, 7, 0, 0, 0, 0, 0, 0, 0, 0);
        assertArrayEquals(expected, slice(b, AT, 16));
    }

    @Test
    void encodesIpv6() throws Exception {
        ByteBuffer b = buffer();
        InetSocketAddress a = new InetSocketAddress(InetAddress.getByName("2001:db8::1"), 443);
        assertEquals(28, SockAddr.encode("bind", LinuxUapi.AF_INET6, a, b, AT));
        byte[] expected = sockaddr(LinuxUapi.AF_INET6,
                0x01, 0xbb, 0, 0, 0, 0,
                0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1,
                0, 0, 0, 0);
        assertArrayEquals(expected, slice(b, AT, 28));
    }

    @Test
    void encodesIpv4OnAnIpv6SocketAsMapped() throws Exception {
        ByteBuffer b = buffer();
        InetSocketAddress a = new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 1);
        assertEquals(28, SockAddr.encode("connect", LinuxUapi.AF_INET6, a, b, AT));
        byte[] expected = sockaddr(LinuxUapi.AF_INET6,
                0, 1, 0, 0, 0, 0,
                0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 127, 0, 0, 1,
                0, 0, 0, 0);
        assertArrayEquals(expected, slice(b, AT, 28));
    }

    @Test
    void encodesTheIpv4WildcardOnAnIpv6SocketAsTheIpv6Wildcard() throws Exception {
        ByteBuffer b = buffer();
        SockAddr.encode("bind", LinuxUapi.AF_INET6, new InetSocketAddress("0.0.0.0", 0), b, AT);
        byte[] expected = new byte[28];
        System.arraycopy(sockaddr(LinuxUapi.AF_INET6), 0, expected, 0, 2);
        assertArrayEquals(expected, slice(b, AT, 28));
    }

    @Test
    void encodesTheScopeId() throws Exception {
        byte[] linkLocal = InetAddress.getByName("fe80::1").getAddress();
        Inet6Address scoped = Inet6Address.getByAddress(null, linkLocal, 7);
        InetSocketAddress a = new InetSocketAddress(scoped, 9);
        ByteBuffer b = buffer();
        SockAddr.encode("connect", LinuxUapi.AF_INET6, a, b, AT);
        assertEquals(7, b.getInt(AT + 24));
    }

    @Test
    void refusesIpv6OnAnIpv4SocketAsTheKernelWould() throws Exception {
        InetSocketAddress a = new InetSocketAddress(InetAddress.getByName("::1"), 80);
        ErrnoException e = assertThrows(ErrnoException.class,
                () -> SockAddr.encode("connect", LinuxUapi.AF_INET, a, buffer(), AT));
        assertEquals(Errno.EAFNOSUPPORT, e.errno());
        assertEquals("connect", e.syscall());
    }

    @Test
    void refusesUnresolvedAddressesAndOtherFamilies() {
        InetSocketAddress unresolved = InetSocketAddress.createUnresolved("example.invalid", 80);
        assertThrows(IllegalArgumentException.class,
                () -> SockAddr.encode("connect", LinuxUapi.AF_INET, unresolved, buffer(), AT));
        InetSocketAddress a = new InetSocketAddress(InetAddress.getLoopbackAddress(), 80);
        assertThrows(IllegalArgumentException.class,
                () -> SockAddr.encode("connect", LinuxUapi.AF_UNIX, a, buffer(), AT));
    }

    @Test
    void decodesIpv4() {
        ByteBuffer b = holding(sockaddr(LinuxUapi.AF_INET,
                0x1f, 0x90, 10, 1, 2, 3, 0, 0, 0, 0, 0, 0, 0, 0));
        InetSocketAddress a = SockAddr.decode(b, AT, 16);
        assertInstanceOf(Inet4Address.class, a.getAddress());
        assertEquals("10.1.2.3", a.getAddress().getHostAddress());
        assertEquals(8080, a.getPort());
    }

    @Test
    void decodesIpv6WithItsScope() {
        ByteBuffer b = holding(sockaddr(LinuxUapi.AF_INET6,
                0xff, 0xff, 0, 0, 0, 0,
                0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2,
                0, 0, 0, 0));
        b.putInt(AT + 24, 3);
        InetSocketAddress a = SockAddr.decode(b, AT, 28);
        Inet6Address ip = assertInstanceOf(Inet6Address.class, a.getAddress());
        assertTrue(ip.isLinkLocalAddress());
        assertEquals(3, ip.getScopeId());
        assertEquals(65535, a.getPort());
    }

    @Test
    void decodesAnIpv4MappedAddressAsIpv4() {
        ByteBuffer b = holding(sockaddr(LinuxUapi.AF_INET6,
                0, 80, 0, 0, 0, 0,
                0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 127, 0, 0, 1,
                0, 0, 0, 0));
        InetSocketAddress a = SockAddr.decode(b, AT, 28);
        assertEquals(new InetSocketAddress("127.0.0.1", 80), a);
        assertInstanceOf(Inet4Address.class, a.getAddress());
    }

    @Test
    void roundTrips() throws Exception {
        for (String host : new String[] {"192.0.2.1", "::1", "2001:db8::42"}) {
            InetSocketAddress a = new InetSocketAddress(InetAddress.getByName(host), 51234);
            int family = a.getAddress() instanceof Inet4Address
                    ? LinuxUapi.AF_INET
                    : LinuxUapi.AF_INET6;
            ByteBuffer b = buffer();
            int length = SockAddr.encode("bind", family, a, b, AT);
            assertEquals(a, SockAddr.decode(b, AT, length), host);
        }
    }

    @Test
    void refusesTruncatedInput() {
        ByteBuffer v4 = holding(sockaddr(LinuxUapi.AF_INET, 0, 80, 127, 0, 0, 1));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SockAddr.decode(v4, AT, 8));
        assertEquals("sockaddr_in needs 16 bytes, got 8", e.getMessage());
        ByteBuffer v6 = holding(sockaddr(LinuxUapi.AF_INET6, 0, 80));
        assertThrows(IllegalArgumentException.class, () -> SockAddr.decode(v6, AT, 24));
        assertThrows(IllegalArgumentException.class, () -> SockAddr.decode(v6, AT, 1));
    }

    @Test
    void refusesNonInetFamilies() {
        ByteBuffer unix = holding(sockaddr(LinuxUapi.AF_UNIX, '/', 't', 'm', 'p', 0));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SockAddr.decode(unix, AT, 110));
        assertEquals("not an INET sockaddr: sa_family 1", e.getMessage());
    }
}
