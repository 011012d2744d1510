package io.mptcp.nio.internal.netlink;

/**
 * Constants of the {@code mptcp_pm} generic netlink family as of Linux 6.18:
 * {@code include/uapi/linux/mptcp_pm.h} (generated from
 * {@code Documentation/netlink/specs/mptcp_pm.yaml} since Linux 6.7; before that the same
 * numbers were in {@code include/uapi/linux/mptcp.h}). Each constant gives the kernel that
 * introduced it.
 *
 * <p>Byte orders differ between commands and events: the command attribute
 * {@link #MPTCP_PM_ADDR_ATTR_PORT} is host order, the event ports {@link #MPTCP_ATTR_SPORT} and
 * {@link #MPTCP_ATTR_DPORT} are network order; IPv4 addresses are network order everywhere.
 */
public final class MptcpPm {
    private MptcpPm() {
    }

    /** mptcp_pm.h, Linux 5.7: the family name to resolve with CTRL_CMD_GETFAMILY. */
    public static final String MPTCP_PM_NAME = "mptcp_pm";
    /** mptcp_pm.h, Linux 5.7: the family version requests carry. */
    public static final int MPTCP_PM_VER = 1;
    /** mptcp_pm.h, Linux 5.7: a multicast group nothing is sent on. */
    public static final String MPTCP_PM_CMD_GRP_NAME = "mptcp_pm_cmds";
    /** mptcp_pm.h, Linux 5.12: the events group; joining needs CAP_NET_ADMIN. */
    public static final String MPTCP_PM_EV_GRP_NAME = "mptcp_pm_events";

    // ---- commands (genlmsghdr.cmd of requests)

    /** mptcp_pm.h, Linux 5.7: add an in-kernel PM endpoint. */
    public static final int MPTCP_PM_CMD_ADD_ADDR = 1;
    /** mptcp_pm.h, Linux 5.7: delete an endpoint. */
    public static final int MPTCP_PM_CMD_DEL_ADDR = 2;
    /** mptcp_pm.h, Linux 5.7: get one endpoint, or dump all (with a token: 6.9). */
    public static final int MPTCP_PM_CMD_GET_ADDR = 3;
    /** mptcp_pm.h, Linux 5.7: delete all endpoints. */
    public static final int MPTCP_PM_CMD_FLUSH_ADDRS = 4;
    /** mptcp_pm.h, Linux 5.7: set the in-kernel PM limits. */
    public static final int MPTCP_PM_CMD_SET_LIMITS = 5;
    /** mptcp_pm.h, Linux 5.7: get the in-kernel PM limits. */
    public static final int MPTCP_PM_CMD_GET_LIMITS = 6;
    /** mptcp_pm.h, Linux 5.12: change backup/fullmesh of an endpoint or a subflow. */
    public static final int MPTCP_PM_CMD_SET_FLAGS = 7;
    /** mptcp_pm.h, Linux 5.19: userspace PM, send ADD_ADDR. */
    public static final int MPTCP_PM_CMD_ANNOUNCE = 8;
    /** mptcp_pm.h, Linux 5.19: userspace PM, send RM_ADDR. */
    public static final int MPTCP_PM_CMD_REMOVE = 9;
    /** mptcp_pm.h, Linux 5.19: userspace PM, open a subflow (MP_JOIN). */
    public static final int MPTCP_PM_CMD_SUBFLOW_CREATE = 10;
    /** mptcp_pm.h, Linux 5.19: userspace PM, close a subflow. */
    public static final int MPTCP_PM_CMD_SUBFLOW_DESTROY = 11;

    // ---- command attributes (top level)

    /** mptcp_pm.h, Linux 5.7: nest of MPTCP_PM_ADDR_ATTR_* (the local address). */
    public static final int MPTCP_PM_ATTR_ADDR = 1;
    /** mptcp_pm.h, Linux 5.7: u32 limit of ADD_ADDRs accepted. */
    public static final int MPTCP_PM_ATTR_RCV_ADD_ADDRS = 2;
    /** mptcp_pm.h, Linux 5.7: u32 limit of additional subflows. */
    public static final int MPTCP_PM_ATTR_SUBFLOWS = 3;
    /** mptcp_pm.h, Linux 5.19: u32 connection token (host order). */
    public static final int MPTCP_PM_ATTR_TOKEN = 4;
    /** mptcp_pm.h, Linux 5.19: u8 local address id. */
    public static final int MPTCP_PM_ATTR_LOC_ID = 5;
    /** mptcp_pm.h, Linux 5.19: nest of MPTCP_PM_ADDR_ATTR_* (the remote address). */
    public static final int MPTCP_PM_ATTR_ADDR_REMOTE = 6;
    /** mptcp_pm.h, Linux 6.7 name of slot 1 in ADD/DEL/FLUSH (the same as ATTR_ADDR). */
    public static final int MPTCP_PM_ENDPOINT_ADDR = 1;

    // ---- address nest

    /** mptcp_pm.h, Linux 5.7: u16 AF_INET or AF_INET6. */
    public static final int MPTCP_PM_ADDR_ATTR_FAMILY = 1;
    /** mptcp_pm.h, Linux 5.7: u8 address id. */
    public static final int MPTCP_PM_ADDR_ATTR_ID = 2;
    /** mptcp_pm.h, Linux 5.7: be32 IPv4 address. */
    public static final int MPTCP_PM_ADDR_ATTR_ADDR4 = 3;
    /** mptcp_pm.h, Linux 5.7: 16-byte IPv6 address. */
    public static final int MPTCP_PM_ADDR_ATTR_ADDR6 = 4;
    /** mptcp_pm.h, Linux 5.7: u16 port, HOST order. */
    public static final int MPTCP_PM_ADDR_ATTR_PORT = 5;
    /** mptcp_pm.h, Linux 5.7: u32 MPTCP_PM_ADDR_FLAG_* bits. */
    public static final int MPTCP_PM_ADDR_ATTR_FLAGS = 6;
    /** mptcp_pm.h, Linux 5.7: s32 interface index. */
    public static final int MPTCP_PM_ADDR_ATTR_IF_IDX = 7;

    /** mptcp.h, Linux 5.7: announce the endpoint to peers. */
    public static final int MPTCP_PM_ADDR_FLAG_SIGNAL = 1;
    /** mptcp.h, Linux 5.7: open subflows from the endpoint. */
    public static final int MPTCP_PM_ADDR_FLAG_SUBFLOW = 1 << 1;
    /** mptcp.h, Linux 5.7: subflows over the endpoint are backups. */
    public static final int MPTCP_PM_ADDR_FLAG_BACKUP = 1 << 2;
    /** mptcp.h, Linux 5.15: a subflow from the endpoint to every known peer address. */
    public static final int MPTCP_PM_ADDR_FLAG_FULLMESH = 1 << 3;
    /** mptcp.h, Linux 5.18: created by the kernel for an incoming join. */
    public static final int MPTCP_PM_ADDR_FLAG_IMPLICIT = 1 << 4;
    /** mptcp.h, Linux 6.18: a subflow from the endpoint to each peer address (laminar). */
    public static final int MPTCP_PM_ADDR_FLAG_LAMINAR = 1 << 5;

    // ---- events (genlmsghdr.cmd on the events group)

    /** mptcp_pm.h, Linux 5.12: a connection was created. */
    public static final int MPTCP_EVENT_CREATED = 1;
    /** mptcp_pm.h, Linux 5.12: a connection is fully established. */
    public static final int MPTCP_EVENT_ESTABLISHED = 2;
    /** mptcp_pm.h, Linux 5.12: a connection was closed. */
    public static final int MPTCP_EVENT_CLOSED = 3;
    /** mptcp_pm.h, Linux 5.12: the peer announced an address. */
    public static final int MPTCP_EVENT_ANNOUNCED = 6;
    /** mptcp_pm.h, Linux 5.12: the peer removed an address. */
    public static final int MPTCP_EVENT_REMOVED = 7;
    /** mptcp_pm.h, Linux 5.12: a subflow was established. */
    public static final int MPTCP_EVENT_SUB_ESTABLISHED = 10;
    /** mptcp_pm.h, Linux 5.12: a subflow was closed. */
    public static final int MPTCP_EVENT_SUB_CLOSED = 11;
    /** mptcp_pm.h, Linux 5.12: the peer changed a subflow's priority (MP_PRIO). */
    public static final int MPTCP_EVENT_SUB_PRIORITY = 13;
    /** mptcp_pm.h, Linux 6.2: an MPTCP listener was created. */
    public static final int MPTCP_EVENT_LISTENER_CREATED = 15;
    /** mptcp_pm.h, Linux 6.2: an MPTCP listener was closed. */
    public static final int MPTCP_EVENT_LISTENER_CLOSED = 16;

    // ---- event attributes

    /** mptcp_pm.h, Linux 5.12: u32 connection token (host order). */
    public static final int MPTCP_ATTR_TOKEN = 1;
    /** mptcp_pm.h, Linux 5.12: u16 address family. */
    public static final int MPTCP_ATTR_FAMILY = 2;
    /** mptcp_pm.h, Linux 5.12: u8 local address id. */
    public static final int MPTCP_ATTR_LOC_ID = 3;
    /** mptcp_pm.h, Linux 5.12: u8 remote address id. */
    public static final int MPTCP_ATTR_REM_ID = 4;
    /** mptcp_pm.h, Linux 5.12: be32 source IPv4 address. */
    public static final int MPTCP_ATTR_SADDR4 = 5;
    /** mptcp_pm.h, Linux 5.12: 16-byte source IPv6 address. */
    public static final int MPTCP_ATTR_SADDR6 = 6;
    /** mptcp_pm.h, Linux 5.12: be32 destination IPv4 address. */
    public static final int MPTCP_ATTR_DADDR4 = 7;
    /** mptcp_pm.h, Linux 5.12: 16-byte destination IPv6 address. */
    public static final int MPTCP_ATTR_DADDR6 = 8;
    /** mptcp_pm.h, Linux 5.12: be16 source port, NETWORK order. */
    public static final int MPTCP_ATTR_SPORT = 9;
    /** mptcp_pm.h, Linux 5.12: be16 destination port, NETWORK order. */
    public static final int MPTCP_ATTR_DPORT = 10;
    /** mptcp_pm.h, Linux 5.12: u8 backup flag of the subflow as the PEER set it. */
    public static final int MPTCP_ATTR_BACKUP = 11;
    /** mptcp_pm.h, Linux 5.12: u8 the subflow's sk_err (an errno). */
    public static final int MPTCP_ATTR_ERROR = 12;
    /** mptcp_pm.h, Linux 5.12 (defined); u16 MPTCP_PM_EV_FLAG_* bits, emitted since 6.18. */
    public static final int MPTCP_ATTR_FLAGS = 13;
    /** mptcp_pm.h, Linux 5.12: u32; defined but never emitted upstream. */
    public static final int MPTCP_ATTR_TIMEOUT = 14;
    /** mptcp_pm.h, Linux 5.12: s32 interface index the subflow is bound to. */
    public static final int MPTCP_ATTR_IF_IDX = 15;
    /** mptcp_pm.h, Linux 5.13: u32 MP_TCPRST reason the peer sent (MPTCP_RST_*). */
    public static final int MPTCP_ATTR_RESET_REASON = 16;
    /** mptcp_pm.h, Linux 5.13: u32 MP_TCPRST flags the peer sent (bit 0: transient). */
    public static final int MPTCP_ATTR_RESET_FLAGS = 17;
    /** mptcp_pm.h, Linux 5.19: u8 1 on the server side; deprecated by FLAGS in 6.18. */
    public static final int MPTCP_ATTR_SERVER_SIDE = 18;

    /** mptcp.h, Linux 6.18 (a fix, maybe in stable kernels): the peer denies joins to id 0. */
    public static final int MPTCP_PM_EV_FLAG_DENY_JOIN_ID0 = 1;
    /** mptcp.h, Linux 6.18: this end is the server (accepted the connection). */
    public static final int MPTCP_PM_EV_FLAG_SERVER_SIDE = 1 << 1;

    // ---- MP_TCPRST reasons (RFC 8684 3.6), in MPTCP_ATTR_RESET_REASON

    /** mptcp.h, Linux 5.13: unspecified. */
    public static final int MPTCP_RST_EUNSPEC = 0;
    /** mptcp.h, Linux 5.13: MPTCP-specific error. */
    public static final int MPTCP_RST_EMPTCP = 1;
    /** mptcp.h, Linux 5.13: lack of resources. */
    public static final int MPTCP_RST_ERESOURCE = 2;
    /** mptcp.h, Linux 5.13: administratively prohibited. */
    public static final int MPTCP_RST_EPROHIBIT = 3;
    /** mptcp.h, Linux 5.13: too much outstanding data. */
    public static final int MPTCP_RST_EWQ2BIG = 4;
    /** mptcp.h, Linux 5.13: unacceptable performance. */
    public static final int MPTCP_RST_EBADPERF = 5;
    /** mptcp.h, Linux 5.13: middlebox interference. */
    public static final int MPTCP_RST_EMIDDLEBOX = 6;
}
