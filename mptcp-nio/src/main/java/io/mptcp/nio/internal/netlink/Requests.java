package io.mptcp.nio.internal.netlink;

import java.util.Objects;

/**
 * The requests this library sends: the controller's {@code CTRL_CMD_GETFAMILY}, every
 * {@code mptcp_pm} command, and the rtnetlink link and address dumps. Each asks for an
 * acknowledgement ({@code NLM_F_ACK}), so every request ends with an {@code NLMSG_ERROR} (or a
 * dump's {@code NLMSG_DONE}). {@code token} is the connection's unsigned 32-bit token.
 */
public final class Requests {
    private static final int DO = Netlink.NLM_F_REQUEST | Netlink.NLM_F_ACK;
    private static final int DUMP = DO | Netlink.NLM_F_DUMP;

    private Requests() {
    }

    /** {@code CTRL_CMD_GETFAMILY} of the family {@code name}. */
    public static byte[] getFamily(int seq, String name) {
        return new NetlinkWriter().begin(GenlCtrl.GENL_ID_CTRL, DO, seq)
                .genl(GenlCtrl.CTRL_CMD_GETFAMILY, 1)
                .string(GenlCtrl.CTRL_ATTR_FAMILY_NAME, name).finish();
    }

    private static NetlinkWriter pm(int family, int flags, int seq, int command) {
        return new NetlinkWriter().begin(family, flags, seq).genl(command, MptcpPm.MPTCP_PM_VER);
    }

    /** {@code ADD_ADDR}: a new in-kernel PM endpoint. */
    public static byte[] addAddr(int family, int seq, PmAddress endpoint) {
        NetlinkWriter w = pm(family, DO, seq, MptcpPm.MPTCP_PM_CMD_ADD_ADDR);
        endpoint.encode(w, MptcpPm.MPTCP_PM_ENDPOINT_ADDR);
        return w.finish();
    }

    /** {@code DEL_ADDR}: an endpoint by id (or, for id 0, by address). */
    public static byte[] delAddr(int family, int seq, PmAddress endpoint) {
        NetlinkWriter w = pm(family, DO, seq, MptcpPm.MPTCP_PM_CMD_DEL_ADDR);
        endpoint.encode(w, MptcpPm.MPTCP_PM_ENDPOINT_ADDR);
        return w.finish();
    }

    /** {@code GET_ADDR} of the endpoint {@code id}. */
    public static byte[] getAddr(int family, int seq, int id) {
        NetlinkWriter w = pm(family, DO, seq, MptcpPm.MPTCP_PM_CMD_GET_ADDR);
        int nest = w.beginNest(MptcpPm.MPTCP_PM_ATTR_ADDR);
        w.u8(MptcpPm.MPTCP_PM_ADDR_ATTR_ID, id).endNest(nest);
        return w.finish();
    }

    /**
     * {@code GET_ADDR} dump: all endpoints, or with {@code token} (not -1; Linux 6.9) the
     * userspace PM's local addresses of that connection.
     */
    public static byte[] dumpAddrs(int family, int seq, long token) {
        NetlinkWriter w = pm(family, DUMP, seq, MptcpPm.MPTCP_PM_CMD_GET_ADDR);
        if (token != -1) {
            w.u32(MptcpPm.MPTCP_PM_ATTR_TOKEN, token);
        }
        return w.finish();
    }

    /** {@code FLUSH_ADDRS}: delete every endpoint. */
    public static byte[] flushAddrs(int family, int seq) {
        return pm(family, DO, seq, MptcpPm.MPTCP_PM_CMD_FLUSH_ADDRS).finish();
    }

    /** {@code SET_LIMITS}; a limit of -1 is left out (unchanged). */
    public static byte[] setLimits(int family, int seq, PmLimits limits) {
        NetlinkWriter w = pm(family, DO, seq, MptcpPm.MPTCP_PM_CMD_SET_LIMITS);
        if (limits.addAddrAccepted() != -1) {
            w.u32(MptcpPm.MPTCP_PM_ATTR_RCV_ADD_ADDRS, limits.addAddrAccepted());
        }
        if (limits.subflows() != -1) {
            w.u32(MptcpPm.MPTCP_PM_ATTR_SUBFLOWS, limits.subflows());
        }
        return w.finish();
    }

    /** {@code GET_LIMITS}. */
    public static byte[] getLimits(int family, int seq) {
        return pm(family, DO, seq, MptcpPm.MPTCP_PM_CMD_GET_LIMITS).finish();
    }

    /**
     * {@code SET_FLAGS}. In-kernel PM: {@code token} -1 and {@code remote} null, the endpoint
     * by id or address. Userspace PM: token, local address and remote address (mandatory).
     */
    public static byte[] setFlags(int family, int seq, long token, PmAddress local,
            PmAddress remote) {
        NetlinkWriter w = pm(family, DO, seq, MptcpPm.MPTCP_PM_CMD_SET_FLAGS);
        if (token != -1) {
            w.u32(MptcpPm.MPTCP_PM_ATTR_TOKEN, token);
        }
        local.encode(w, MptcpPm.MPTCP_PM_ATTR_ADDR);
        if (remote != null) {
            remote.encode(w, MptcpPm.MPTCP_PM_ATTR_ADDR_REMOTE);
        }
        return w.finish();
    }

    /** {@code ANNOUNCE} (userspace PM): send ADD_ADDR of {@code address} (id, signal flag). */
    public static byte[] announce(int family, int seq, long token, PmAddress address) {
        NetlinkWriter w = pm(family, DO, seq, MptcpPm.MPTCP_PM_CMD_ANNOUNCE)
                .u32(MptcpPm.MPTCP_PM_ATTR_TOKEN, token);
        address.encode(w, MptcpPm.MPTCP_PM_ATTR_ADDR);
        return w.finish();
    }

    /** {@code REMOVE} (userspace PM): send RM_ADDR of local address id {@code localId}. */
    public static byte[] remove(int family, int seq, long token, int localId) {
        return pm(family, DO, seq, MptcpPm.MPTCP_PM_CMD_REMOVE)
                .u32(MptcpPm.MPTCP_PM_ATTR_TOKEN, token)
                .u8(MptcpPm.MPTCP_PM_ATTR_LOC_ID, localId).finish();
    }

    /** {@code SUBFLOW_CREATE} (userspace PM): a subflow from {@code local} to {@code remote}. */
    public static byte[] subflowCreate(int family, int seq, long token, PmAddress local,
            PmAddress remote) {
        return subflow(MptcpPm.MPTCP_PM_CMD_SUBFLOW_CREATE, family, seq, token, local, remote);
    }

    /** {@code SUBFLOW_DESTROY} (userspace PM): both addresses with their ports. */
    public static byte[] subflowDestroy(int family, int seq, long token, PmAddress local,
            PmAddress remote) {
        return subflow(MptcpPm.MPTCP_PM_CMD_SUBFLOW_DESTROY, family, seq, token, local, remote);
    }

    private static byte[] subflow(int command, int family, int seq, long token, PmAddress local,
            PmAddress remote) {
        NetlinkWriter w = pm(family, DO, seq, command).u32(MptcpPm.MPTCP_PM_ATTR_TOKEN, token);
        local.encode(w, MptcpPm.MPTCP_PM_ATTR_ADDR);
        Objects.requireNonNull(remote, "remote").encode(w, MptcpPm.MPTCP_PM_ATTR_ADDR_REMOTE);
        return w.finish();
    }

    /** {@code RTM_GETLINK} dump of every link. */
    public static byte[] dumpLinks(int seq) {
        return new NetlinkWriter().begin(RtNetlink.RTM_GETLINK, DUMP, seq)
                .fixed(new byte[RtNetlink.SIZEOF_IFINFOMSG]).finish();
    }

    /** {@code RTM_GETADDR} dump of the addresses of {@code family} (0: all). */
    public static byte[] dumpAddresses(int seq, int family) {
        byte[] ifaddrmsg = new byte[RtNetlink.SIZEOF_IFADDRMSG];
        ifaddrmsg[0] = (byte) family;
        return new NetlinkWriter().begin(RtNetlink.RTM_GETADDR, DUMP, seq).fixed(ifaddrmsg)
                .finish();
    }
}
