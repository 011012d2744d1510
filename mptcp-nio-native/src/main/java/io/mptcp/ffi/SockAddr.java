package io.mptcp.ffi;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;

/**
 * Codec between {@link InetSocketAddress} and the kernel's {@code struct sockaddr_in} and
 * {@code struct sockaddr_in6}, over a {@link ByteBuffer} in native byte order (absolute
 * indexing, the buffer's position is not used). Pure Java: no system call.
 *
 * <p>Byte order follows the uapi: {@code sin_family} is host order, ports and addresses are
 * network order, {@code sin6_scope_id} is host order.
 */
final class SockAddr {
    private SockAddr() {
    }

    // uapi/linux/in.h: struct sockaddr_in
    private static final CLayout SIN = CLayout.struct();
    static final int SIN_FAMILY = SIN.u16();
    static final int SIN_PORT = SIN.u16();
    /** {@code struct in_addr sin_addr}: one {@code __be32}. */
    static final int SIN_ADDR = SIN.u32();
    static final int SIN_ZERO = SIN.array(1, 8);
    static final int SIZEOF_SOCKADDR_IN = SIN.size();

    // uapi/linux/in6.h: struct in6_addr is a union of u8[16], __be16[8] and __be32[4]
    private static final CLayout IN6_ADDR = CLayout.union();
    static {
        IN6_ADDR.array(1, 16);
        IN6_ADDR.array(2, 8);
        IN6_ADDR.array(4, 4);
    }

    // uapi/linux/in6.h: struct sockaddr_in6
    private static final CLayout SIN6 = CLayout.struct();
    static final int SIN6_FAMILY = SIN6.u16();
    static final int SIN6_PORT = SIN6.u16();
    static final int SIN6_FLOWINFO = SIN6.u32();
    static final int SIN6_ADDR = SIN6.member(IN6_ADDR);
    static final int SIN6_SCOPE_ID = SIN6.u32();
    static final int SIZEOF_SOCKADDR_IN6 = SIN6.size();

    /**
     * uapi/linux/socket.h {@code struct __kernel_sockaddr_storage}: a family and 126 bytes, in a
     * union with {@code void *__align}. Large enough for any sockaddr the kernel returns.
     */
    static CLayout kernelSockaddrStorage() {
        CLayout familyAndData = CLayout.struct();
        familyAndData.u16();
        familyAndData.array(1, 126);
        CLayout storage = CLayout.union();
        storage.member(familyAndData);
        storage.u64();
        return storage;
    }

    static final int SIZEOF_SOCKADDR_STORAGE = kernelSockaddrStorage().size();

    /**
     * Writes {@code address} at {@code offset} as the sockaddr a socket of {@code family} takes.
     * On an {@code AF_INET6} socket an IPv4 address becomes IPv4-mapped ({@code ::ffff:a.b.c.d}),
     * except the IPv4 wildcard, which becomes {@code ::} as in the JDK, so that binding
     * {@code 0.0.0.0} on a dual-stack socket still accepts both families.
     *
     * @param syscall named by the exception when the address cannot be expressed
     * @return the sockaddr length to pass with it
     * @throws ErrnoException {@code EAFNOSUPPORT} for an IPv6 address on an {@code AF_INET}
     *     socket, as the kernel reports a foreign sockaddr
     * @throws IllegalArgumentException if the address is unresolved or {@code family} is
     *     neither {@code AF_INET} nor {@code AF_INET6}
     */
    static int encode(String syscall, int family, InetSocketAddress address, ByteBuffer dst,
            int offset) throws ErrnoException {
        return encode(syscall, family, address, dst, offset, false);
    }

    /**
     * As {@link #encode}, for the destination of a datagram: on an {@code AF_INET6} socket the
     * IPv4 wildcard stays IPv4 ({@code ::ffff:0.0.0.0}, which Linux delivers to 127.0.0.1), as
     * the JDK's {@code DatagramChannel.send} writes it, instead of becoming {@code ::} (which
     * Linux delivers to {@code ::1}).
     */
    static int encodeDestination(String syscall, int family, InetSocketAddress address,
            ByteBuffer dst, int offset) throws ErrnoException {
        return encode(syscall, family, address, dst, offset, true);
    }

    private static int encode(String syscall, int family, InetSocketAddress address,
            ByteBuffer dst, int offset, boolean mapIpv4Wildcard) throws ErrnoException {
        InetAddress ip = address.getAddress();
        if (ip == null) {
            throw new IllegalArgumentException("unresolved address: " + address);
        }
        int port = address.getPort();
        if (family == LinuxUapi.AF_INET) {
            if (!(ip instanceof Inet4Address)) {
                throw new ErrnoException(syscall, Errno.EAFNOSUPPORT);
            }
            zero(dst, offset, SIZEOF_SOCKADDR_IN);
            dst.putShort(offset + SIN_FAMILY, (short) LinuxUapi.AF_INET);
            putPort(dst, offset + SIN_PORT, port);
            putBytes(dst, offset + SIN_ADDR, ip.getAddress());
            return SIZEOF_SOCKADDR_IN;
        }
        if (family == LinuxUapi.AF_INET6) {
            zero(dst, offset, SIZEOF_SOCKADDR_IN6);
            dst.putShort(offset + SIN6_FAMILY, (short) LinuxUapi.AF_INET6);
            putPort(dst, offset + SIN6_PORT, port);
            if (ip instanceof Inet6Address v6) {
                putBytes(dst, offset + SIN6_ADDR, v6.getAddress());
                dst.putInt(offset + SIN6_SCOPE_ID, v6.getScopeId());
            } else if (mapIpv4Wildcard || !ip.isAnyLocalAddress()) {
                dst.put(offset + SIN6_ADDR + 10, (byte) 0xff);
                dst.put(offset + SIN6_ADDR + 11, (byte) 0xff);
                putBytes(dst, offset + SIN6_ADDR + 12, ip.getAddress());
            }
            return SIZEOF_SOCKADDR_IN6;
        }
        throw new IllegalArgumentException("not an INET family: " + family);
    }

    /**
     * Reads the {@code sockaddr_in} or {@code sockaddr_in6} of {@code length} bytes at
     * {@code offset}. An IPv4-mapped IPv6 address comes back as an {@link Inet4Address}, as the
     * JDK reports it; a non-zero {@code sin6_scope_id} is kept.
     *
     * @throws IllegalArgumentException if the family is neither {@code AF_INET} nor
     *     {@code AF_INET6}, or {@code length} is shorter than that family's sockaddr
     */
    static InetSocketAddress decode(ByteBuffer src, int offset, int length) {
        if (length < 2) {
            throw new IllegalArgumentException("sockaddr of " + length + " bytes has no family");
        }
        int family = src.getShort(offset + SIN_FAMILY) & 0xffff;
        if (family == LinuxUapi.AF_INET) {
            requireLength("sockaddr_in", SIZEOF_SOCKADDR_IN, length);
            InetAddress ip = inetAddress(getBytes(src, offset + SIN_ADDR, 4), 0);
            return new InetSocketAddress(ip, getPort(src, offset + SIN_PORT));
        }
        if (family == LinuxUapi.AF_INET6) {
            requireLength("sockaddr_in6", SIZEOF_SOCKADDR_IN6, length);
            byte[] bytes = getBytes(src, offset + SIN6_ADDR, 16);
            int scopeId = src.getInt(offset + SIN6_SCOPE_ID);
            int port = getPort(src, offset + SIN6_PORT);
            return new InetSocketAddress(inetAddress(bytes, scopeId), port);
        }
        throw new IllegalArgumentException("not an INET sockaddr: sa_family " + family);
    }

    private static InetAddress inetAddress(byte[] bytes, int scopeId) {
        try {
            if (bytes.length == 16 && isIpv4Mapped(bytes)) {
                byte[] v4 = {bytes[12], bytes[13], bytes[14], bytes[15]};
                return InetAddress.getByAddress(v4);
            }
            return scopeId != 0
                    ? Inet6Address.getByAddress(null, bytes, scopeId)
                    : InetAddress.getByAddress(bytes);
        } catch (UnknownHostException e) {
            // Only thrown for a length other than 4 or 16, which the callers never pass.
            throw new IllegalStateException(e);
        }
    }

    private static boolean isIpv4Mapped(byte[] a) {
        for (int i = 0; i < 10; i++) {
            if (a[i] != 0) {
                return false;
            }
        }
        return a[10] == (byte) 0xff && a[11] == (byte) 0xff;
    }

    private static void requireLength(String struct, int needed, int length) {
        if (length < needed) {
            throw new IllegalArgumentException(
                    struct + " needs " + needed + " bytes, got " + length);
        }
    }

    private static void putPort(ByteBuffer dst, int index, int port) {
        dst.put(index, (byte) (port >>> 8));
        dst.put(index + 1, (byte) port);
    }

    private static int getPort(ByteBuffer src, int index) {
        return (src.get(index) & 0xff) << 8 | (src.get(index + 1) & 0xff);
    }

    private static void putBytes(ByteBuffer dst, int index, byte[] bytes) {
        for (int i = 0; i < bytes.length; i++) {
            dst.put(index + i, bytes[i]);
        }
    }

    private static byte[] getBytes(ByteBuffer src, int index, int n) {
        byte[] bytes = new byte[n];
        for (int i = 0; i < n; i++) {
            bytes[i] = src.get(index + i);
        }
        return bytes;
    }

    private static void zero(ByteBuffer dst, int index, int n) {
        for (int i = 0; i < n; i++) {
            dst.put(index + i, (byte) 0);
        }
    }
}
