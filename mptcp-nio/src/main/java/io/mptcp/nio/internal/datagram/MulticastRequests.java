package io.mptcp.nio.internal.datagram;

import io.mptcp.ffi.ErrnoException;
import io.mptcp.ffi.LinuxSyscalls;
import io.mptcp.ffi.LinuxUapi;
import io.mptcp.ffi.StructGroupSourceReq;
import io.mptcp.ffi.StructIpMreqSource;
import io.mptcp.ffi.StructIpMreqn;
import io.mptcp.ffi.StructIpv6Mreq;
import io.mptcp.nio.internal.fd.DirectBufferCache;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The multicast membership requests of a datagram socket, made as the JDK makes them on Linux:
 * an IPv4 group (on an IPv4 or IPv6 socket) through the {@code IPPROTO_IP} options, an IPv6
 * group through {@code IPV6_ADD_MEMBERSHIP} and the RFC 3678 {@code MCAST_*} source filters.
 * IPv4 any-source joins name the interface by index and address ({@code ip_mreqn}), where the
 * JDK gives only the address, so two interfaces sharing an address cannot be confused.
 */
public final class MulticastRequests {
    private MulticastRequests() {
    }

    /**
     * Joins or leaves an IPv4 group.
     *
     * @param interfaceAddress an IPv4 address of the interface, or null to let the kernel
     *     choose (with {@code ifindex} 0)
     * @param source null for any source, else the one source to receive from
     */
    public static void joinOrDrop4(LinuxSyscalls sys, int fd, boolean join, Inet4Address group,
            Inet4Address interfaceAddress, int ifindex, Inet4Address source)
            throws ErrnoException {
        if (source == null) {
            ByteBuffer req = acquire(StructIpMreqn.SIZEOF);
            try {
                StructIpMreqn.put(req, 0, group, interfaceAddress, ifindex);
                sys.setsockopt(fd, LinuxUapi.IPPROTO_IP,
                        join ? LinuxUapi.IP_ADD_MEMBERSHIP : LinuxUapi.IP_DROP_MEMBERSHIP, req);
            } finally {
                DirectBufferCache.release(req);
            }
        } else {
            sourceRequest4(sys, fd, join ? LinuxUapi.IP_ADD_SOURCE_MEMBERSHIP
                    : LinuxUapi.IP_DROP_SOURCE_MEMBERSHIP, group, interfaceAddress, source);
        }
    }

    /** Blocks or unblocks {@code source} on an IPv4 any-source membership. */
    public static void blockOrUnblock4(LinuxSyscalls sys, int fd, boolean block,
            Inet4Address group, Inet4Address interfaceAddress, Inet4Address source)
            throws ErrnoException {
        sourceRequest4(sys, fd, block ? LinuxUapi.IP_BLOCK_SOURCE : LinuxUapi.IP_UNBLOCK_SOURCE,
                group, interfaceAddress, source);
    }

    private static void sourceRequest4(LinuxSyscalls sys, int fd, int optname,
            Inet4Address group, Inet4Address interfaceAddress, Inet4Address source)
            throws ErrnoException {
        ByteBuffer req = acquire(StructIpMreqSource.SIZEOF);
        try {
            StructIpMreqSource.put(req, 0, group, interfaceAddress, source);
            sys.setsockopt(fd, LinuxUapi.IPPROTO_IP, optname, req);
        } finally {
            DirectBufferCache.release(req);
        }
    }

    /**
     * Joins or leaves an IPv6 group on an IPv6 socket.
     *
     * @param ifindex the interface index, or 0 to let the kernel choose
     * @param source null for any source, else the one source to receive from
     */
    public static void joinOrDrop6(LinuxSyscalls sys, int fd, boolean join, Inet6Address group,
            int ifindex, Inet6Address source) throws ErrnoException {
        if (source == null) {
            ByteBuffer req = acquire(StructIpv6Mreq.SIZEOF);
            try {
                StructIpv6Mreq.put(req, 0, group, ifindex);
                sys.setsockopt(fd, LinuxUapi.IPPROTO_IPV6, join
                        ? LinuxUapi.IPV6_ADD_MEMBERSHIP : LinuxUapi.IPV6_DROP_MEMBERSHIP, req);
            } finally {
                DirectBufferCache.release(req);
            }
        } else {
            sourceRequest6(sys, fd, join ? LinuxUapi.MCAST_JOIN_SOURCE_GROUP
                    : LinuxUapi.MCAST_LEAVE_SOURCE_GROUP, group, ifindex, source);
        }
    }

    /** Blocks or unblocks {@code source} on an IPv6 any-source membership. */
    public static void blockOrUnblock6(LinuxSyscalls sys, int fd, boolean block,
            Inet6Address group, int ifindex, Inet6Address source) throws ErrnoException {
        sourceRequest6(sys, fd, block ? LinuxUapi.MCAST_BLOCK_SOURCE
                : LinuxUapi.MCAST_UNBLOCK_SOURCE, group, ifindex, source);
    }

    private static void sourceRequest6(LinuxSyscalls sys, int fd, int optname,
            Inet6Address group, int ifindex, Inet6Address source) throws ErrnoException {
        ByteBuffer req = acquire(StructGroupSourceReq.SIZEOF);
        try {
            StructGroupSourceReq.put(req, 0, LinuxUapi.AF_INET6, ifindex, group, source);
            sys.setsockopt(fd, LinuxUapi.IPPROTO_IPV6, optname, req);
        } finally {
            DirectBufferCache.release(req);
        }
    }

    private static ByteBuffer acquire(int size) {
        return DirectBufferCache.acquire(size).order(ByteOrder.nativeOrder());
    }
}
