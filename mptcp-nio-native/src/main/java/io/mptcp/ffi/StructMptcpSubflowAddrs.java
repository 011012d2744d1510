package io.mptcp.ffi;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

/**
 * Mirror of {@code struct mptcp_subflow_addrs} (uapi/linux/mptcp.h, Linux 5.16), the local and
 * remote address of one subflow: the elements of {@code MPTCP_SUBFLOW_ADDRS} and part of each
 * {@code mptcp_subflow_info} of {@code MPTCP_FULL_INFO}.
 *
 * <p>Each side is a union of {@code sa_family}, {@code sockaddr}, {@code sockaddr_in},
 * {@code sockaddr_in6} and {@code __kernel_sockaddr_storage}; the storage is the largest and
 * most aligned member, so it alone sets the layout, and {@link SockAddr} decodes the sockaddr
 * inside. Accessors work at {@code base} of a buffer in native byte order.
 */
public final class StructMptcpSubflowAddrs {
    private StructMptcpSubflowAddrs() {
    }

    static final CLayout LAYOUT = CLayout.struct();

    /** uapi/linux/mptcp.h, Linux 5.16: union with {@code __kernel_sockaddr_storage ss_local}. */
    public static final int SS_LOCAL = LAYOUT.member(SockAddr.kernelSockaddrStorage());
    /** uapi/linux/mptcp.h, Linux 5.16: union with {@code __kernel_sockaddr_storage ss_remote}. */
    public static final int SS_REMOTE = LAYOUT.member(SockAddr.kernelSockaddrStorage());

    /** {@code sizeof(struct mptcp_subflow_addrs)}. */
    public static final int SIZEOF = LAYOUT.size();

    /**
     * The subflow's local address.
     *
     * @throws IllegalArgumentException if the kernel left no INET address there
     */
    public static InetSocketAddress local(ByteBuffer b, int base) {
        return SockAddr.decode(b, base + SS_LOCAL, SockAddr.SIZEOF_SOCKADDR_STORAGE);
    }

    /**
     * The subflow's remote address.
     *
     * @throws IllegalArgumentException if the kernel left no INET address there
     */
    public static InetSocketAddress remote(ByteBuffer b, int base) {
        return SockAddr.decode(b, base + SS_REMOTE, SockAddr.SIZEOF_SOCKADDR_STORAGE);
    }
}
