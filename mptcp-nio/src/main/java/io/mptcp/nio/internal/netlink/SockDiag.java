package io.mptcp.nio.internal.netlink;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Constants and requests of {@code NETLINK_SOCK_DIAG} for TCP sockets (what {@code ss -ti}
 * asks), used to read the MPTCP flags of one subflow: {@code include/uapi/linux/sock_diag.h},
 * {@code inet_diag.h}, {@code tcp.h} and, for the subflow attributes, {@code mptcp.h}. Any
 * process may send these requests; what the kernel puts into the answer depends on its
 * version and the caller's privileges (see {@link InetDiagMsg}).
 *
 * <pre>
 * struct inet_diag_sockid { __be16 idiag_sport; __be16 idiag_dport; __be32 idiag_src[4];
 *                           __be32 idiag_dst[4]; __u32 idiag_if; __u32 idiag_cookie[2]; };
 *                                                                            // 48 bytes
 * struct inet_diag_req_v2 { __u8 sdiag_family; __u8 sdiag_protocol; __u8 idiag_ext; __u8 pad;
 *                           __u32 idiag_states; struct inet_diag_sockid id; };  // 56 bytes
 * struct inet_diag_msg    { __u8 idiag_family; __u8 idiag_state; __u8 idiag_timer;
 *                           __u8 idiag_retrans; struct inet_diag_sockid id;
 *                           __u32 idiag_expires, idiag_rqueue, idiag_wqueue, idiag_uid,
 *                           idiag_inode; };                                  // 72 bytes
 * </pre>
 *
 * Ports and addresses are in network byte order, everything else in host order.
 */
public final class SockDiag {
    private SockDiag() {
    }

    /**
     * linux/sock_diag.h, Linux 3.3: the request (and answer) type: one socket by its identity,
     * or a dump of sockets matching a filter.
     */
    public static final int SOCK_DIAG_BY_FAMILY = 20;

    /** linux/socket.h: IPv4 ({@code sdiag_family}, {@code idiag_family}). */
    public static final int AF_INET = 2;
    /** linux/socket.h: IPv6. */
    public static final int AF_INET6 = 10;
    /** linux/in.h: {@code sdiag_protocol} of TCP; MPTCP subflows are TCP sockets. */
    public static final int IPPROTO_TCP = 6;

    /** linux/inet_diag.h: {@code sizeof(struct inet_diag_sockid)}. */
    public static final int SIZEOF_SOCKID = 48;
    /** linux/inet_diag.h, Linux 3.3: {@code sizeof(struct inet_diag_req_v2)}. */
    public static final int SIZEOF_REQ_V2 = 56;
    /** linux/inet_diag.h: {@code sizeof(struct inet_diag_msg)}. */
    public static final int SIZEOF_MSG = 72;
    /** linux/inet_diag.h: {@code INET_DIAG_NOCOOKIE}, both cookie words: any socket. */
    public static final int INET_DIAG_NOCOOKIE = ~0;

    // ---- answer attributes (enum after struct inet_diag_msg); a request asks for the first
    // eight by bit (type - 1) in idiag_ext

    /** linux/inet_diag.h: {@code struct tcp_info}; asking for it also brings the ULP info. */
    public static final int INET_DIAG_INFO = 2;
    /**
     * linux/inet_diag.h, Linux 5.3: the upper-layer protocol of the socket (nest of
     * {@code INET_ULP_INFO_*}), added by {@code tcp_diag} when {@link #INET_DIAG_INFO} is asked
     * for.
     */
    public static final int INET_DIAG_ULP_INFO = 19;
    /** linux/inet_diag.h, Linux 5.3: the ULP's name ("mptcp"). */
    public static final int INET_ULP_INFO_NAME = 1;
    /** linux/inet_diag.h, Linux 5.7: the MPTCP subflow's attributes (nest, not flagged). */
    public static final int INET_ULP_INFO_MPTCP = 3;

    // ---- enum in linux/mptcp.h (Linux 5.7): the attributes in INET_ULP_INFO_MPTCP

    /** linux/mptcp.h, Linux 5.7: u32, the peer's token of the connection. */
    public static final int MPTCP_SUBFLOW_ATTR_TOKEN_REM = 1;
    /** linux/mptcp.h, Linux 5.7: u32, this host's token of the connection. */
    public static final int MPTCP_SUBFLOW_ATTR_TOKEN_LOC = 2;
    /** linux/mptcp.h, Linux 5.7: u32, the {@code MPTCP_SUBFLOW_FLAG_*} bits. */
    public static final int MPTCP_SUBFLOW_ATTR_FLAGS = 8;
    /** linux/mptcp.h, Linux 5.7: u8, the peer's address id of the subflow. */
    public static final int MPTCP_SUBFLOW_ATTR_ID_REM = 9;
    /** linux/mptcp.h, Linux 5.7: u8, this host's address id of the subflow. */
    public static final int MPTCP_SUBFLOW_ATTR_ID_LOC = 10;

    // ---- MPTCP_SUBFLOW_FLAG_* (linux/mptcp.h, Linux 5.7), as net/mptcp/diag.c sets them

    /** linux/mptcp.h: the peer sent MP_CAPABLE (the initial subflow). */
    public static final int MPTCP_SUBFLOW_FLAG_MCAP_REM = 1 << 0;
    /** linux/mptcp.h: this host asked for MP_CAPABLE. */
    public static final int MPTCP_SUBFLOW_FLAG_MCAP_LOC = 1 << 1;
    /** linux/mptcp.h: the peer sent MP_JOIN (a join it opened, or answered). */
    public static final int MPTCP_SUBFLOW_FLAG_JOIN_REM = 1 << 2;
    /** linux/mptcp.h: this host sent MP_JOIN. */
    public static final int MPTCP_SUBFLOW_FLAG_JOIN_LOC = 1 << 3;
    /**
     * linux/mptcp.h: the peer marked the subflow backup (the B bit of its MP_JOIN, or its
     * MP_PRIO): {@code subflow->backup}.
     */
    public static final int MPTCP_SUBFLOW_FLAG_BKUP_REM = 1 << 4;
    /**
     * linux/mptcp.h: this host marked the subflow backup (a backup endpoint or userspace-PM
     * flag sent in MP_JOIN or MP_PRIO): {@code subflow->request_bkup}.
     */
    public static final int MPTCP_SUBFLOW_FLAG_BKUP_LOC = 1 << 5;
    /** linux/mptcp.h: the MPTCP handshake of the subflow completed. */
    public static final int MPTCP_SUBFLOW_FLAG_FULLY_ESTABLISHED = 1 << 6;
    /** linux/mptcp.h: the TCP handshake completed ({@code conn_finished}). */
    public static final int MPTCP_SUBFLOW_FLAG_CONNECTED = 1 << 7;
    /** linux/mptcp.h: a DSS mapping is in use. */
    public static final int MPTCP_SUBFLOW_FLAG_MAPVALID = 1 << 8;

    // ---- TCP states (include/net/tcp_states.h, the numbers idiag_state carries)

    /** net/tcp_states.h: established. */
    public static final int TCP_ESTABLISHED = 1;
    /** net/tcp_states.h: time-wait (a mini socket without ULP). */
    public static final int TCP_TIME_WAIT = 6;
    /** net/tcp_states.h: listening. */
    public static final int TCP_LISTEN = 10;
    /** net/tcp_states.h, Linux 4.4: a request socket (half-open passive connection). */
    public static final int TCP_NEW_SYN_RECV = 12;

    /**
     * The states a dump asks for: every state of a full TCP socket (a subflow carries its ULP
     * info in all of them) but listeners, time-wait and request sockets, which have none.
     */
    public static final int STATES = ((1 << 12) - 1) & ~(1 << TCP_LISTEN) & ~(1 << TCP_TIME_WAIT)
            & ~1;

    /** Asks only for {@link #INET_DIAG_INFO}, which brings the ULP info with it. */
    private static final int EXT = 1 << (INET_DIAG_INFO - 1);

    /**
     * The exact lookup of the TCP socket {@code local} to {@code remote}
     * ({@code SOCK_DIAG_BY_FAMILY} without {@code NLM_F_DUMP}, acknowledged): one answer, or
     * {@code ENOENT}. The kernel looks the socket up as a received packet would be, so a
     * socket bound to an interface ({@code SO_BINDTODEVICE}, an endpoint with {@code dev}) is
     * found only with that interface in {@code ifindex}; without it the lookup may find
     * nothing, or a listener on the same local address: check what comes back
     * ({@link InetDiagMsg#matches}).
     *
     * @param family {@link #AF_INET} or {@link #AF_INET6}: the socket's family (an IPv4 address
     *     given to {@link #AF_INET6} is written v4-mapped)
     * @param ifindex the interface the socket is bound to, or 0
     */
    public static byte[] lookup(int seq, int family, InetSocketAddress local,
            InetSocketAddress remote, int ifindex) {
        return request(seq, Netlink.NLM_F_REQUEST | Netlink.NLM_F_ACK, family, local.getPort(),
                remote.getPort(), raw(local, family), raw(remote, family), ifindex);
    }

    /**
     * A dump of the TCP sockets of {@code family} from local port {@code localPort} to remote
     * port {@code remotePort}, whatever their addresses and interface (the kernel filters dumps
     * by ports and family only); ends with {@code NLMSG_DONE}.
     */
    public static byte[] dumpPorts(int seq, int family, int localPort, int remotePort) {
        int size = family == AF_INET6 ? 16 : 4;
        return request(seq, Netlink.NLM_F_REQUEST | Netlink.NLM_F_ACK | Netlink.NLM_F_DUMP,
                family, localPort, remotePort, new byte[size], new byte[size], 0);
    }

    private static byte[] request(int seq, int flags, int family, int localPort, int remotePort,
            byte[] local, byte[] remote, int ifindex) {
        checkPort(localPort);
        checkPort(remotePort);
        ByteBuffer req = ByteBuffer.allocate(SIZEOF_REQ_V2).order(ByteOrder.nativeOrder());
        req.put(0, (byte) family).put(1, (byte) IPPROTO_TCP).put(2, (byte) EXT)
                .putInt(4, STATES);
        int id = 8;
        req.put(id, (byte) (localPort >> 8)).put(id + 1, (byte) localPort)
                .put(id + 2, (byte) (remotePort >> 8)).put(id + 3, (byte) remotePort)
                .put(id + 4, local).put(id + 20, remote)
                .putInt(id + 36, ifindex)
                .putInt(id + 40, INET_DIAG_NOCOOKIE).putInt(id + 44, INET_DIAG_NOCOOKIE);
        return new NetlinkWriter().begin(SOCK_DIAG_BY_FAMILY, flags, seq).fixed(req.array())
                .finish();
    }

    /** The family whose socket an address of this kind lives in, first. */
    public static int familyOf(InetSocketAddress address) {
        return address.getAddress() instanceof Inet6Address ? AF_INET6 : AF_INET;
    }

    private static byte[] raw(InetSocketAddress a, int family) {
        if (a.isUnresolved()) {
            throw new IllegalArgumentException("unresolved address " + a);
        }
        byte[] bytes = a.getAddress().getAddress();
        if (family == AF_INET6 && a.getAddress() instanceof Inet4Address) {
            byte[] mapped = new byte[16];
            mapped[10] = (byte) 0xff;
            mapped[11] = (byte) 0xff;
            System.arraycopy(bytes, 0, mapped, 12, 4);
            return mapped;
        }
        if (family == AF_INET && bytes.length != 4) {
            throw new IllegalArgumentException("IPv6 address " + a + " in an AF_INET lookup");
        }
        return bytes;
    }

    private static void checkPort(int port) {
        if (port < 0 || port > 0xffff) {
            throw new IllegalArgumentException("port " + port + " outside [0, 65535]");
        }
    }
}
