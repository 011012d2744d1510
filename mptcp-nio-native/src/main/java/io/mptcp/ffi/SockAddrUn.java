package io.mptcp.ffi;

import java.nio.ByteBuffer;

/**
 * Codec between a UNIX-domain socket path (its bytes, as the file system spells them) and the
 * kernel's {@code struct sockaddr_un}, over a {@link ByteBuffer} in native byte order (absolute
 * indexing). Pure Java: no system call.
 *
 * <p>Names are pathnames only, as the JDK's {@code UnixDomainSocketAddress} can express nothing
 * else: a path is written NUL-terminated with the length {@code offsetof(sun_path) + n + 1}, and
 * at most {@link #MAX_PATH_BYTES} bytes are accepted, the JDK's limit (its
 * {@code MAX_UNIX_DOMAIN_PATH_LEN}: {@code sun_path} less a leading and a trailing NUL). On the
 * way back, an unnamed socket (the kernel returns just the family) and an abstract-namespace
 * name (a leading NUL) both read as the empty path, as the JDK reads them (it takes
 * {@code strlen(sun_path)}).
 */
final class SockAddrUn {
    private SockAddrUn() {
    }

    // uapi/linux/un.h: struct sockaddr_un
    private static final CLayout SUN = CLayout.struct();
    static final int SUN_FAMILY = SUN.u16();
    /** {@code char sun_path[UNIX_PATH_MAX]}, {@code UNIX_PATH_MAX} = 108. */
    static final int SUN_PATH = SUN.array(1, 108);
    static final int SIZEOF_SOCKADDR_UN = SUN.size();

    /** The longest path accepted, in bytes: 106, as in the JDK. */
    static final int MAX_PATH_BYTES = SIZEOF_SOCKADDR_UN - SUN_PATH - 2;

    /**
     * Writes {@code path} at {@code offset} as a {@code sockaddr_un}.
     *
     * @return the sockaddr length to pass with it
     * @throws IllegalArgumentException if {@code path} is longer than {@link #MAX_PATH_BYTES} or
     *     holds a NUL byte (the kernel would read a different name)
     */
    static int encode(byte[] path, ByteBuffer dst, int offset) {
        if (path.length > MAX_PATH_BYTES) {
            throw new IllegalArgumentException("UNIX-domain socket path of " + path.length
                    + " bytes: at most " + MAX_PATH_BYTES + " fit in sockaddr_un");
        }
        for (byte b : path) {
            if (b == 0) {
                throw new IllegalArgumentException("UNIX-domain socket path holds a NUL byte");
            }
        }
        for (int i = 0; i < SIZEOF_SOCKADDR_UN; i++) {
            dst.put(offset + i, (byte) 0);
        }
        dst.putShort(offset + SUN_FAMILY, (short) LinuxUapi.AF_UNIX);
        for (int i = 0; i < path.length; i++) {
            dst.put(offset + SUN_PATH + i, path[i]);
        }
        return SUN_PATH + path.length + 1;
    }

    /**
     * Reads the path of the {@code sockaddr_un} of {@code length} bytes at {@code offset}: the
     * bytes of {@code sun_path} up to the first NUL or the end of the address; empty for an
     * unnamed or abstract socket.
     *
     * @throws IllegalArgumentException if the address is not {@code AF_UNIX}
     */
    static byte[] decode(ByteBuffer src, int offset, int length) {
        if (length < SUN_PATH) {
            throw new IllegalArgumentException("sockaddr of " + length + " bytes has no family");
        }
        int family = src.getShort(offset + SUN_FAMILY) & 0xffff;
        if (family != LinuxUapi.AF_UNIX) {
            throw new IllegalArgumentException("not a sockaddr_un: sa_family " + family);
        }
        int end = Math.min(length, SIZEOF_SOCKADDR_UN) - SUN_PATH;
        int n = 0;
        while (n < end && src.get(offset + SUN_PATH + n) != 0) {
            n++;
        }
        byte[] path = new byte[n];
        for (int i = 0; i < n; i++) {
            path[i] = src.get(offset + SUN_PATH + i);
        }
        return path;
    }
}
