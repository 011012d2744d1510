package io.mptcp.ffi;

/**
 * Linux uapi constants for sockets, epoll, eventfd and fcntl.
 *
 * <p>Values are those of the asm-generic ABI that x86-64 and aarch64 share (the only
 * architectures {@link LinuxSyscalls#system()} accepts); each names the header it comes from.
 * Constants that predate Linux 2.6.27 carry no version: they are older than any kernel with
 * MPTCP.
 */
public final class LinuxUapi {
    private LinuxUapi() {
    }

    // linux/socket.h
    public static final int AF_UNIX = 1;
    public static final int AF_INET = 2;
    public static final int AF_INET6 = 10;
    public static final int AF_NETLINK = 16;

    // asm-generic/socket.h / linux/net.h
    public static final int SOCK_STREAM = 1;
    public static final int SOCK_DGRAM = 2;
    /** linux/net.h, Linux 2.6.27. */
    public static final int SOCK_NONBLOCK = 0x800;
    /** linux/net.h, Linux 2.6.27. */
    public static final int SOCK_CLOEXEC = 0x80000;

    // linux/in.h
    public static final int IPPROTO_IP = 0;
    public static final int IPPROTO_TCP = 6;
    public static final int IPPROTO_IPV6 = 41;
    /** linux/in.h, Linux 5.6: the protocol number that makes a stream socket MPTCP. */
    public static final int IPPROTO_MPTCP = 262;

    // linux/socket.h
    public static final int SOL_IP = 0;
    public static final int SOL_SOCKET = 1;
    public static final int SOL_TCP = 6;
    public static final int SOL_IPV6 = 41;

    // asm-generic/socket.h
    public static final int SO_REUSEADDR = 2;
    public static final int SO_TYPE = 3;
    public static final int SO_ERROR = 4;
    public static final int SO_BROADCAST = 6;
    public static final int SO_SNDBUF = 7;
    public static final int SO_RCVBUF = 8;
    public static final int SO_KEEPALIVE = 9;
    public static final int SO_OOBINLINE = 10;
    public static final int SO_LINGER = 13;
    /** asm-generic/socket.h, Linux 3.9. */
    public static final int SO_REUSEPORT = 15;
    /** asm-generic/socket.h, Linux 2.6.32. */
    public static final int SO_PROTOCOL = 38;
    /** asm-generic/socket.h, Linux 2.6.32. */
    public static final int SO_DOMAIN = 39;
    /** asm-generic/socket.h, Linux 4.12. */
    public static final int SO_INCOMING_NAPI_ID = 56;

    // linux/tcp.h
    public static final int TCP_NODELAY = 1;
    public static final int TCP_MAXSEG = 2;
    public static final int TCP_KEEPIDLE = 4;
    public static final int TCP_KEEPINTVL = 5;
    public static final int TCP_KEEPCNT = 6;
    public static final int TCP_INFO = 11;
    public static final int TCP_QUICKACK = 12;
    /** linux/tcp.h, Linux 2.6.37. */
    public static final int TCP_USER_TIMEOUT = 18;
    /** linux/tcp.h, Linux 6.10: 1 while the socket is MPTCP and has not fallen back to TCP. */
    public static final int TCP_IS_MPTCP = 43;

    // linux/in.h, linux/in6.h
    public static final int IP_TOS = 1;
    public static final int IPV6_V6ONLY = 26;
    public static final int IPV6_TCLASS = 67;

    // linux/net.h (enum sock_shutdown_cmd)
    public static final int SHUT_RD = 0;
    public static final int SHUT_WR = 1;
    public static final int SHUT_RDWR = 2;

    // linux/socket.h
    public static final int MSG_OOB = 0x1;
    public static final int MSG_NOSIGNAL = 0x4000;

    // asm-generic/poll.h
    public static final int POLLIN = 0x001;
    public static final int POLLPRI = 0x002;
    public static final int POLLOUT = 0x004;
    public static final int POLLERR = 0x008;
    public static final int POLLHUP = 0x010;
    public static final int POLLNVAL = 0x020;
    /** asm-generic/poll.h, Linux 2.6.17: the peer shut its side down (or the socket closed). */
    public static final int POLLRDHUP = 0x2000;

    // linux/eventpoll.h
    public static final int EPOLLIN = 0x001;
    public static final int EPOLLPRI = 0x002;
    public static final int EPOLLOUT = 0x004;
    public static final int EPOLLERR = 0x008;
    public static final int EPOLLHUP = 0x010;
    /** linux/eventpoll.h, Linux 2.6.17. */
    public static final int EPOLLRDHUP = 0x2000;
    /** linux/eventpoll.h, Linux 2.6: edge-triggered. */
    public static final int EPOLLET = 1 << 31;
    public static final int EPOLL_CTL_ADD = 1;
    public static final int EPOLL_CTL_DEL = 2;
    public static final int EPOLL_CTL_MOD = 3;
    /** linux/eventpoll.h, Linux 2.6.27. */
    public static final int EPOLL_CLOEXEC = 0x80000;
    /** linux/eventpoll.h, Linux 2.6.2: the entry disarms itself after one event. */
    public static final int EPOLLONESHOT = 1 << 30;

    // linux/eventfd.h, Linux 2.6.27
    public static final int EFD_NONBLOCK = 0x800;
    public static final int EFD_CLOEXEC = 0x80000;

    // asm-generic/fcntl.h
    public static final int O_NONBLOCK = 0x800;
    /** asm-generic/fcntl.h, Linux 2.6.23. */
    public static final int O_CLOEXEC = 0x80000;
    public static final int O_RDONLY = 0;
    public static final int F_GETFL = 3;
    public static final int F_SETFL = 4;

    /** linux/sched.h: the network namespace, for setns(2) (Linux 3.0). */
    public static final int CLONE_NEWNET = 0x40000000;

    // asm-generic/ioctls.h
    public static final int FIONREAD = 0x541B;

    /** linux/uio.h {@code UIO_MAXIOV}: the most iovecs one readv/writev takes. */
    public static final int IOV_MAX = 1024;


    // ---- unix domain and inherited descriptors

    /** asm-generic/socket.h: the {@code struct ucred} of a UNIX-domain socket's peer. */
    public static final int SO_PEERCRED = 17;
    /**
     * asm-generic/socket.h, Linux 5.14: the u64 cookie of the network namespace a socket
     * belongs to; two sockets are in the same namespace exactly when their cookies are equal.
     */
    public static final int SO_NETNS_COOKIE = 71;
    /** asm-generic/fcntl.h. */
    public static final int O_RDWR = 2;
    /** linux/fcntl.h, Linux 2.6.24: duplicate to the lowest free descriptor, close-on-exec. */
    public static final int F_DUPFD_CLOEXEC = 1030;


    // ---- datagrams ------------------------------------------------------------------------
    // Present in Linux 2.6.0 (the source filters and the RFC 3678 MCAST_* options came with
    // IGMPv3/MLDv2 before it), so, as above, these carry no version unless they are newer.

    /** linux/socket.h: the family of a sockaddr that dissolves a datagram association. */
    public static final int AF_UNSPEC = 0;
    /** linux/in.h. */
    public static final int IPPROTO_UDP = 17;

    // linux/in.h: IPPROTO_IP options
    public static final int IP_MTU_DISCOVER = 10;
    public static final int IP_MULTICAST_IF = 32;
    public static final int IP_MULTICAST_TTL = 33;
    public static final int IP_MULTICAST_LOOP = 34;
    /** Takes a {@code struct ip_mreqn} ({@link StructIpMreqn}) or an {@code ip_mreq}. */
    public static final int IP_ADD_MEMBERSHIP = 35;
    public static final int IP_DROP_MEMBERSHIP = 36;
    /** Takes a {@code struct ip_mreq_source} ({@link StructIpMreqSource}). */
    public static final int IP_UNBLOCK_SOURCE = 37;
    public static final int IP_BLOCK_SOURCE = 38;
    public static final int IP_ADD_SOURCE_MEMBERSHIP = 39;
    public static final int IP_DROP_SOURCE_MEMBERSHIP = 40;

    /**
     * linux/in.h, Linux 2.6.31: 0 makes a socket bound to a wildcard address receive only the
     * multicast groups it joined itself (the default, 1, is every group any socket joined).
     */
    public static final int IP_MULTICAST_ALL = 49;

    // linux/in.h: values of IP_MTU_DISCOVER (and IPV6_MTU_DISCOVER)
    public static final int IP_PMTUDISC_DONT = 0;
    public static final int IP_PMTUDISC_DO = 2;

    // linux/in6.h: IPPROTO_IPV6 options
    public static final int IPV6_MULTICAST_IF = 17;
    public static final int IPV6_MULTICAST_HOPS = 18;
    public static final int IPV6_MULTICAST_LOOP = 19;
    /** Takes a {@code struct ipv6_mreq} ({@link StructIpv6Mreq}); glibc's IPV6_JOIN_GROUP. */
    public static final int IPV6_ADD_MEMBERSHIP = 20;
    public static final int IPV6_DROP_MEMBERSHIP = 21;
    public static final int IPV6_MTU_DISCOVER = 23;
    /** linux/in6.h, Linux 4.20: {@link #IP_MULTICAST_ALL} for IPv6. */
    public static final int IPV6_MULTICAST_ALL = 29;

    // linux/in.h: the protocol-independent multicast options (RFC 3678), set at IPPROTO_IP or
    // IPPROTO_IPV6 with a struct group_req or group_source_req ({@link StructGroupSourceReq})
    public static final int MCAST_JOIN_GROUP = 42;
    public static final int MCAST_BLOCK_SOURCE = 43;
    public static final int MCAST_UNBLOCK_SOURCE = 44;
    public static final int MCAST_LEAVE_GROUP = 45;
    public static final int MCAST_JOIN_SOURCE_GROUP = 46;
    public static final int MCAST_LEAVE_SOURCE_GROUP = 47;

    // ---- netlink sockets (see also NetlinkUapi) --------------------------------------------

    /** linux/net.h: a raw socket; netlink sockets are SOCK_RAW (or the equal SOCK_DGRAM). */
    public static final int SOCK_RAW = 3;
    /**
     * asm-generic/socket.h, Linux 2.6.14: {@link #SO_RCVBUF} beyond {@code net.core.rmem_max},
     * with {@code CAP_NET_ADMIN}.
     */
    public static final int SO_RCVBUFFORCE = 33;
    /** linux/socket.h: look at a datagram without taking it off the queue. */
    public static final int MSG_PEEK = 0x2;
    /**
     * linux/socket.h: as a recvmsg(2) flag on netlink, packet and datagram sockets, return the
     * real length of a datagram longer than the buffer; as a returned {@code msg_flags} bit, the
     * datagram was truncated.
     */
    public static final int MSG_TRUNC = 0x20;
    /** linux/socket.h: this call only is non-blocking. */
    public static final int MSG_DONTWAIT = 0x40;
}
