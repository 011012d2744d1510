package io.mptcp.nio.internal.netlink;

import java.util.Optional;

/**
 * The in-kernel path manager's limits ({@code GET_LIMITS} reply, {@code SET_LIMITS} request).
 *
 * @param addAddrAccepted {@code MPTCP_PM_ATTR_RCV_ADD_ADDRS}, or -1 if absent
 * @param subflows {@code MPTCP_PM_ATTR_SUBFLOWS}, or -1 if absent
 */
public record PmLimits(long addAddrAccepted, long subflows) {

    /** Decodes a {@code GET_LIMITS} reply. */
    public static PmLimits decode(GenlMessage m) throws NetlinkProtocolException {
        return new PmLimits(u32(m.attributes(), MptcpPm.MPTCP_PM_ATTR_RCV_ADD_ADDRS),
                u32(m.attributes(), MptcpPm.MPTCP_PM_ATTR_SUBFLOWS));
    }

    private static long u32(NlAttrs a, int type) throws NetlinkProtocolException {
        Optional<NlAttr> found = a.find(type);
        return found.isPresent() ? found.get().u32() : -1;
    }
}
