package io.mptcp.nio.internal.netlink;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.HexFormat;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The SOCK_DESTROY request, field by field against the layout of linux/inet_diag.h. */
class SockDestroyTest {
    private static InetSocketAddress at(String address, int port) throws Exception {
        return new InetSocketAddress(InetAddress.getByName(address), port);
    }

    @Test
    void ipv4() throws Exception {
        byte[] m = SockDestroy.request(7, at("10.77.0.1", 41000), at("127.0.0.1", 5201), 0);
        ByteBuffer b = ByteBuffer.wrap(m).order(ByteOrder.nativeOrder());
        assertEquals(16 + 56, m.length);
        assertEquals(m.length, b.getInt(0));
        assertEquals(21, b.getShort(4), "nlmsg_type SOCK_DESTROY");
        assertEquals(0x05, b.getShort(6), "NLM_F_REQUEST | NLM_F_ACK");
        assertEquals(7, b.getInt(8), "sequence");
        assertEquals(2, m[16], "AF_INET");
        assertEquals(6, m[17], "IPPROTO_TCP");
        assertEquals(0xfff, b.getInt(20), "every state");
        assertEquals("a028", HexFormat.of().formatHex(m, 24, 26), "sport 41000, big-endian");
        assertEquals("1451", HexFormat.of().formatHex(m, 26, 28), "dport 5201, big-endian");
        assertArrayEquals(new byte[] {10, 77, 0, 1}, Arrays.copyOfRange(m, 28, 32), "src");
        assertArrayEquals(new byte[12], Arrays.copyOfRange(m, 32, 44));
        assertArrayEquals(new byte[] {127, 0, 0, 1}, Arrays.copyOfRange(m, 44, 48), "dst");
        assertEquals(0, b.getInt(60), "no interface");
        assertEquals(-1, b.getInt(64), "INET_DIAG_NOCOOKIE");
        assertEquals(-1, b.getInt(68), "INET_DIAG_NOCOOKIE");
    }

    @Test
    void ipv6() throws Exception {
        byte[] m = SockDestroy.request(1, at("fd00::1", 1), at("fd00::2", 2), 3);
        assertEquals(10, m[16], "AF_INET6");
        assertArrayEquals(InetAddress.getByName("fd00::1").getAddress(),
                Arrays.copyOfRange(m, 28, 44));
        assertArrayEquals(InetAddress.getByName("fd00::2").getAddress(),
                Arrays.copyOfRange(m, 44, 60));
        assertEquals(3, ByteBuffer.wrap(m).order(ByteOrder.nativeOrder()).getInt(60));
    }

    @Test
    void mixedFamiliesAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> SockDestroy.request(1,
                at("10.0.0.1", 1), at("fd00::2", 2), 0));
    }
}
