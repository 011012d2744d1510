package io.mptcp.ffi;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import org.junit.jupiter.api.Test;

/**
 * The {@code sockaddr_un} codec on hand-built bytes, and the UNIX-domain struct layouts against
 * offsetof measured with gcc against glibc on x86-64 ({@code sun_path} 2, sizeof 110;
 * {@code struct ucred} uid 4, gid 8, sizeof 12; {@code struct passwd} 48 and
 * {@code struct group} 32 bytes, both with the name first).
 */
class SockAddrUnTest {
    private static final int AT = 3;

    private static ByteBuffer garbage() {
        ByteBuffer b = ByteBuffer.allocate(128).order(ByteOrder.nativeOrder());
        Arrays.fill(b.array(), (byte) 0x5a);
        return b;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    @Test
    void layouts() {
        assertAll(
                () -> assertEquals(0, SockAddrUn.SUN_FAMILY),
                () -> assertEquals(2, SockAddrUn.SUN_PATH),
                () -> assertEquals(110, SockAddrUn.SIZEOF_SOCKADDR_UN),
                () -> assertEquals(106, SockAddrUn.MAX_PATH_BYTES),
                () -> assertEquals(106, LinuxSyscalls.UNIX_PATH_MAX_BYTES),
                () -> assertEquals(0, StructUcred.PID),
                () -> assertEquals(4, StructUcred.UID),
                () -> assertEquals(8, StructUcred.GID),
                () -> assertEquals(12, StructUcred.SIZEOF),
                () -> assertEquals(0, StructPasswdName.NAME),
                () -> assertEquals(true, StructPasswdName.SIZEOF >= 48, "room for struct passwd"));
    }

    @Test
    void encodesAPathNulTerminatedWithTheLengthTheJdkPasses() {
        ByteBuffer b = garbage();
        int len = SockAddrUn.encode(bytes("/tmp/s"), b, AT);
        assertEquals(2 + 6 + 1, len);
        assertEquals(LinuxUapi.AF_UNIX, b.getShort(AT) & 0xffff);
        assertArrayEquals(bytes("/tmp/s"), Arrays.copyOfRange(b.array(), AT + 2, AT + 8));
        for (int i = AT + 8; i < AT + 110; i++) {
            assertEquals(0, b.get(i), "zeroed sun_path at " + i);
        }
        assertEquals(0x5a, b.get(AT + 110), "nothing written past the struct");
        assertEquals(0x5a, b.get(AT - 1), "nothing written before it");
    }

    @Test
    void acceptsPathsUpTo106BytesAndRefusesLongerOnesAndNuls() {
        byte[] max = new byte[106];
        Arrays.fill(max, (byte) 'x');
        assertEquals(2 + 106 + 1, SockAddrUn.encode(max, garbage(), AT));
        IllegalArgumentException tooLong = assertThrows(IllegalArgumentException.class,
                () -> SockAddrUn.encode(new byte[107], garbage(), AT));
        assertEquals("UNIX-domain socket path of 107 bytes: at most 106 fit in sockaddr_un",
                tooLong.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> SockAddrUn.encode(new byte[] {'a', 0, 'b'}, garbage(), AT));
    }

    @Test
    void decodesWhatItEncodes() {
        ByteBuffer b = garbage();
        int len = SockAddrUn.encode(bytes("relative/sock"), b, AT);
        assertArrayEquals(bytes("relative/sock"), SockAddrUn.decode(b, AT, len));
    }

    @Test
    void decodesAPathReturnedWithoutItsNul() {
        ByteBuffer b = garbage();
        SockAddrUn.encode(bytes("/a/b"), b, AT);
        b.put(AT + 6, (byte) 'z'); // the kernel's length ends before this byte
        assertArrayEquals(bytes("/a/b"), SockAddrUn.decode(b, AT, 2 + 4));
    }

    @Test
    void anUnnamedSocketReadsAsTheEmptyPath() {
        ByteBuffer b = garbage();
        b.putShort(AT, (short) LinuxUapi.AF_UNIX);
        assertArrayEquals(new byte[0], SockAddrUn.decode(b, AT, 2));
    }

    @Test
    void anAbstractNameReadsAsTheEmptyPathAsInTheJdk() {
        ByteBuffer b = garbage();
        b.putShort(AT, (short) LinuxUapi.AF_UNIX);
        b.put(AT + 2, (byte) 0);
        b.put(AT + 3, (byte) 'n');
        assertArrayEquals(new byte[0], SockAddrUn.decode(b, AT, 2 + 2));
    }

    @Test
    void refusesOtherFamiliesAndTruncatedAddresses() {
        ByteBuffer b = garbage();
        b.putShort(AT, (short) LinuxUapi.AF_INET);
        assertThrows(IllegalArgumentException.class, () -> SockAddrUn.decode(b, AT, 16));
        assertThrows(IllegalArgumentException.class, () -> SockAddrUn.decode(b, AT, 1));
    }
}
