package io.mptcp.ffi;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

/**
 * Mirror of {@code struct mptcp_subflow_info} (uapi/linux/mptcp.h, Linux 6.5), one element of
 * the subflow array of {@code MPTCP_FULL_INFO}: a per-connection subflow id and the subflow's
 * addresses. Accessors work at {@code base} of a buffer in native byte order.
 */
public final class StructMptcpSubflowInfo {
    private StructMptcpSubflowInfo() {
    }

    static final CLayout LAYOUT = CLayout.struct();

    /**
     * uapi/linux/mptcp.h, Linux 6.5: {@code __u32}, 1 for the initial subflow, then 2, 3...
     * never reused within the connection. Not the MPTCP address id of path-manager events.
     */
    public static final int ID = LAYOUT.u32();
    /** uapi/linux/mptcp.h, Linux 6.5: {@code struct mptcp_subflow_addrs}, 8-byte aligned. */
    public static final int ADDRS = LAYOUT.member(StructMptcpSubflowAddrs.LAYOUT);

    /** {@code sizeof(struct mptcp_subflow_info)}. */
    public static final int SIZEOF = LAYOUT.size();

    /** The subflow id, see {@link #ID}. */
    public static int id(ByteBuffer b, int base) {
        return b.getInt(base + ID);
    }

    /** The subflow's local address. */
    public static InetSocketAddress local(ByteBuffer b, int base) {
        return StructMptcpSubflowAddrs.local(b, base + ADDRS);
    }

    /** The subflow's remote address. */
    public static InetSocketAddress remote(ByteBuffer b, int base) {
        return StructMptcpSubflowAddrs.remote(b, base + ADDRS);
    }
}
