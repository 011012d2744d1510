package io.mptcp.nio.internal.netlink;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The {@code SOCK_DESTROY} request of {@code NETLINK_SOCK_DIAG} for one TCP socket by its
 * 4-tuple: the kernel aborts it ({@code tcp_abort}: a RST to the peer, {@code ECONNABORTED}
 * locally). Subflow control uses it on an MPTCP subflow, which is a TCP socket of its own in
 * the kernel's tables. Needs {@code CONFIG_INET_DIAG_DESTROY} and {@code CAP_NET_ADMIN} in the
 * user namespace owning the network namespace.
 *
 * <pre>
 * // linux/inet_diag.h
 * struct inet_diag_sockid { __be16 idiag_sport; __be16 idiag_dport; __be32 idiag_src[4];
 *                           __be32 idiag_dst[4]; __u32 idiag_if; __u32 idiag_cookie[2]; };
 * struct inet_diag_req_v2 { __u8 sdiag_family; __u8 sdiag_protocol; __u8 idiag_ext;
 *                           __u8 pad; __u32 idiag_states; struct inet_diag_sockid id; };
 * </pre>
 */
public final class SockDestroy {
    private SockDestroy() {
    }

    /** linux/sock_diag.h, Linux 4.5: the message type that destroys a socket. */
    public static final int SOCK_DESTROY = 21;
    /** linux/inet_diag.h: {@code sizeof(struct inet_diag_req_v2)}. */
    public static final int SIZEOF_INET_DIAG_REQ_V2 = 56;
    /** linux/inet_diag.h: {@code INET_DIAG_NOCOOKIE}, match any cookie. */
    public static final int INET_DIAG_NOCOOKIE = 0xffffffff;
    /** linux/in.h: the TCP protocol number. */
    private static final int IPPROTO_TCP = 6;
    /** linux/socket.h. */
    private static final int AF_INET = 2;
    /** linux/socket.h. */
    private static final int AF_INET6 = 10;
    /** All TCP states ({@code TCPF_ALL}); the lookup of one socket ignores them. */
    private static final int ALL_STATES = 0xfff;

    /**
     * The request destroying the TCP socket {@code local} - {@code remote} (both of one family;
     * an IPv4 pair is looked up as AF_INET). {@code ifIndex} 0 matches sockets not bound to a
     * device.
     */
    public static byte[] request(int seq, InetSocketAddress local, InetSocketAddress remote,
            int ifIndex) {
        InetAddress l = local.getAddress();
        InetAddress r = remote.getAddress();
        boolean v4 = l instanceof Inet4Address;
        if (v4 != r instanceof Inet4Address) {
            throw new IllegalArgumentException("SOCK_DESTROY: " + local + " and " + remote
                    + " are of different families");
        }
        byte[] req = new byte[SIZEOF_INET_DIAG_REQ_V2];
        req[0] = (byte) (v4 ? AF_INET : AF_INET6);
        req[1] = (byte) IPPROTO_TCP;
        putNative32(req, 4, ALL_STATES);
        putBe16(req, 8, local.getPort());
        putBe16(req, 10, remote.getPort());
        System.arraycopy(l.getAddress(), 0, req, 12, l.getAddress().length);
        System.arraycopy(r.getAddress(), 0, req, 28, r.getAddress().length);
        putNative32(req, 44, ifIndex);
        putNative32(req, 48, INET_DIAG_NOCOOKIE);
        putNative32(req, 52, INET_DIAG_NOCOOKIE);
        return new NetlinkWriter().begin(SOCK_DESTROY, Netlink.NLM_F_REQUEST | Netlink.NLM_F_ACK,
                seq).fixed(req).finish();
    }

    private static void putBe16(byte[] b, int at, int v) {
        b[at] = (byte) (v >>> 8);
        b[at + 1] = (byte) v;
    }

    private static void putNative32(byte[] b, int at, int v) {
        ByteBuffer.wrap(b, at, 4).order(ByteOrder.nativeOrder()).putInt(v);
    }
}
