package io.mptcp.ffi;

/**
 * Socket-level constants of AF_NETLINK sockets: protocols, the {@code SOL_NETLINK} options and
 * the multicast groups of rtnetlink this library joins. Message formats (nlmsghdr, attributes,
 * genetlink, mptcp_pm, rtnetlink messages) are not here: the pure codec in
 * {@code io.mptcp.nio.internal.netlink} holds those.
 *
 * <p>Each constant names its header ({@code include/uapi/linux/netlink.h} unless said
 * otherwise) and the kernel that introduced it. All of them predate MPTCP (Linux 5.6) except
 * where a later version is given.
 */
public final class NetlinkUapi {
    private NetlinkUapi() {
    }

    // ---- protocols: socket(AF_NETLINK, SOCK_RAW, protocol)

    /** linux/netlink.h, Linux 2.2: routing and link messages (rtnetlink). */
    public static final int NETLINK_ROUTE = 0;
    /**
     * linux/netlink.h: socket monitoring ({@code NETLINK_INET_DIAG} before Linux 3.3 renamed it
     * {@code NETLINK_SOCK_DIAG}): what {@code ss} asks, open to any process.
     */
    public static final int NETLINK_SOCK_DIAG = 4;
    /** linux/netlink.h, Linux 2.6.15: generic netlink (families such as mptcp_pm). */
    public static final int NETLINK_GENERIC = 16;

    // ---- setsockopt(SOL_NETLINK, ...)

    /** linux/socket.h, Linux 2.6.14: the option level of netlink sockets. */
    public static final int SOL_NETLINK = 270;
    /** linux/netlink.h, Linux 2.6.14: join the multicast group given as an int id. */
    public static final int NETLINK_ADD_MEMBERSHIP = 1;
    /** linux/netlink.h, Linux 2.6.14: leave a multicast group. */
    public static final int NETLINK_DROP_MEMBERSHIP = 2;
    /** linux/netlink.h, Linux 2.6.30: report a broadcast the kernel could not deliver. */
    public static final int NETLINK_BROADCAST_ERROR = 4;
    /** linux/netlink.h, Linux 2.6.30: never report {@code ENOBUFS} on overrun (not used). */
    public static final int NETLINK_NO_ENOBUFS = 5;
    /**
     * linux/netlink.h, Linux 4.3: an error reply carries only the header of the failed request,
     * not the whole request.
     */
    public static final int NETLINK_CAP_ACK = 10;
    /**
     * linux/netlink.h, Linux 4.12: error replies carry extended-ack attributes (a message text,
     * the offending attribute's offset; from Linux 6.0 the missing attribute's type).
     */
    public static final int NETLINK_EXT_ACK = 11;
    /** linux/netlink.h, Linux 4.20: strict checking of dump requests (rtnetlink). */
    public static final int NETLINK_GET_STRICT_CHK = 12;

    // ---- rtnetlink multicast groups (linux/rtnetlink.h enum rtnetlink_groups), joined with
    // NETLINK_ADD_MEMBERSHIP; the RTMGRP_* bit masks of bind(2) cover only groups 1..32

    /** linux/rtnetlink.h, Linux 2.6.14: link (interface) changes, RTM_NEWLINK/RTM_DELLINK. */
    public static final int RTNLGRP_LINK = 1;
    /** linux/rtnetlink.h, Linux 2.6.14: IPv4 address changes, RTM_NEWADDR/RTM_DELADDR. */
    public static final int RTNLGRP_IPV4_IFADDR = 5;
    /** linux/rtnetlink.h, Linux 2.6.14: IPv6 address changes, RTM_NEWADDR/RTM_DELADDR. */
    public static final int RTNLGRP_IPV6_IFADDR = 9;
}
