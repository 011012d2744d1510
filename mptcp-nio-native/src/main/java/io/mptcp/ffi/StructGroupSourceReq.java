package io.mptcp.ffi;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

/**
 * Mirror of {@code struct group_source_req} (uapi/linux/in.h), the argument of the RFC 3678
 * source-filter options {@code MCAST_JOIN_SOURCE_GROUP}, {@code MCAST_LEAVE_SOURCE_GROUP},
 * {@code MCAST_BLOCK_SOURCE} and {@code MCAST_UNBLOCK_SOURCE}: an interface index and two
 * {@code __kernel_sockaddr_storage}, the group and the source, each holding a
 * {@code sockaddr_in} or {@code sockaddr_in6} with port 0.
 */
public final class StructGroupSourceReq {
    private StructGroupSourceReq() {
    }

    static final CLayout LAYOUT = CLayout.struct();

    /** {@code __u32 gsr_interface}: the interface index, host order. */
    public static final int GSR_INTERFACE = LAYOUT.u32();
    /** {@code struct __kernel_sockaddr_storage gsr_group}. */
    public static final int GSR_GROUP = LAYOUT.member(SockAddr.kernelSockaddrStorage());
    /** {@code struct __kernel_sockaddr_storage gsr_source}. */
    public static final int GSR_SOURCE = LAYOUT.member(SockAddr.kernelSockaddrStorage());

    /** {@code sizeof(struct group_source_req)}. */
    public static final int SIZEOF = LAYOUT.size();

    /**
     * Writes the request at {@code base} of {@code b} (native byte order, all of it: the
     * unused tails of the storages are zeroed). Group and source are written as sockaddrs of
     * {@code family}: IPv6 ones as {@code sockaddr_in6} with scope 0, as the JDK writes them.
     *
     * @param family {@code AF_INET} or {@code AF_INET6}
     * @throws ErrnoException {@code EAFNOSUPPORT} for an IPv6 address with {@code AF_INET}
     */
    public static void put(ByteBuffer b, int base, int family, int ifindex, InetAddress group,
            InetAddress source) throws ErrnoException {
        for (int i = 0; i < SIZEOF; i++) {
            b.put(base + i, (byte) 0);
        }
        b.putInt(base + GSR_INTERFACE, ifindex);
        SockAddr.encode("setsockopt", family, new InetSocketAddress(unscoped(group), 0), b,
                base + GSR_GROUP);
        SockAddr.encode("setsockopt", family, new InetSocketAddress(unscoped(source), 0), b,
                base + GSR_SOURCE);
    }

    /** The address without an IPv6 scope: the interface is {@code gsr_interface}. */
    private static InetAddress unscoped(InetAddress address) {
        try {
            return InetAddress.getByAddress(address.getAddress());
        } catch (java.net.UnknownHostException e) {
            throw new IllegalArgumentException(address.toString(), e);
        }
    }
}
