package io.mptcp.nio.internal.netlink;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Decodes a NETLINK_SOCK_DIAG datagram as the library's reader would: answers to
 * {@code InetDiagMsg}, errors to {@code NetlinkError}, the end of a dump to its code; a request
 * (flagged {@code NLM_F_REQUEST}) is left as it is. Used by the fixture and fuzz tests.
 */
final class SockDiagDecode {
    private SockDiagDecode() {
    }

    static Object message(NetlinkMessage m) throws NetlinkProtocolException {
        switch (m.header().type()) {
            case Netlink.NLMSG_ERROR:
                return NetlinkError.decode(m);
            case Netlink.NLMSG_DONE:
                return NetlinkReader.doneError(m);
            case SockDiag.SOCK_DIAG_BY_FAMILY:
                return m.header().has(Netlink.NLM_F_REQUEST) ? m : InetDiagMsg.decode(m);
            default:
                return m;
        }
    }

    static List<Object> all(ByteBuffer datagram) throws NetlinkProtocolException {
        List<Object> out = new ArrayList<>();
        for (NetlinkMessage m : NetlinkReader.read(datagram)) {
            Object decoded = message(m);
            out.add(decoded);
            if (decoded instanceof InetDiagMsg d && d.subflow().isPresent()) {
                // What the library does next with an answer: read the flags, compare.
                d.subflow().get().has(SockDiag.MPTCP_SUBFLOW_FLAG_BKUP_LOC);
                d.matches(d.local(), d.remote());
            }
        }
        return out;
    }
}
