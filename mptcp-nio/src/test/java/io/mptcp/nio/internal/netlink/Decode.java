package io.mptcp.nio.internal.netlink;

import io.mptcp.nio.internal.pm.MptcpEvents;
import io.mptcp.nio.pm.EventSource;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Decodes a datagram as far as the codec goes, by message type: what a receiver does with
 * whatever arrives. Message types overlap between protocols (RTM_NEWLINK is 16, so is the
 * nlctrl family), so the caller says which socket the datagram came from. Events are also
 * mapped to the public {@code MptcpEvent}s. Used by the fixture, hostile and fuzz tests.
 */
final class Decode {
    /** The mptcp_pm family id the fixtures were captured with. */
    static final int MPTCP_PM_FAMILY = 28;

    private Decode() {
    }

    /** Whether fixture {@code name} came from an rtnetlink socket. */
    static boolean isRoute(String name) {
        return name.contains("-rtm-") || name.startsWith("getlink") || name.startsWith("getaddr");
    }

    static List<Object> all(String fixture, ByteBuffer datagram) throws NetlinkProtocolException {
        return all(isRoute(fixture), datagram);
    }

    static List<Object> all(boolean route, ByteBuffer datagram) throws NetlinkProtocolException {
        List<Object> out = new ArrayList<>();
        for (NetlinkMessage m : NetlinkReader.read(datagram)) {
            out.add(route ? route(m) : generic(m));
        }
        return out;
    }

    private static Object control(NetlinkMessage m) throws NetlinkProtocolException {
        return m.header().type() == Netlink.NLMSG_ERROR ? NetlinkError.decode(m)
                : m.header().type() == Netlink.NLMSG_DONE ? NetlinkReader.doneError(m) : m;
    }

    private static Object route(NetlinkMessage m) throws NetlinkProtocolException {
        switch (m.header().type()) {
            case RtNetlink.RTM_NEWLINK:
            case RtNetlink.RTM_DELLINK:
                return MptcpEvents.fromLink(RtLink.decode(m), EventSource.NETLINK);
            case RtNetlink.RTM_NEWADDR:
            case RtNetlink.RTM_DELADDR:
                return MptcpEvents.fromAddress(RtAddress.decode(m), EventSource.NETLINK);
            default:
                return control(m);
        }
    }

    private static Object generic(NetlinkMessage m) throws NetlinkProtocolException {
        if (m.header().type() < Netlink.NLMSG_MIN_TYPE) {
            return control(m);
        }
        GenlMessage g = GenlMessage.decode(m);
        if (m.header().type() == GenlCtrl.GENL_ID_CTRL) {
            // Requests (GETFAMILY) carry only a name; replies and notifications a family.
            return g.command() == GenlCtrl.CTRL_CMD_GETFAMILY ? g : GenlFamily.decode(g);
        }
        List<Object> parts = new ArrayList<>();
        if (m.header().sequence() == 0) {
            PmEvent event = PmEvent.decode(g);
            parts.add(event);
            // The mapping to public events must never fail on what the codec accepted.
            parts.add(MptcpEvents.fromPm(event, EventSource.NETLINK));
            return parts;
        }
        if (g.command() == MptcpPm.MPTCP_PM_CMD_GET_LIMITS
                || g.command() == MptcpPm.MPTCP_PM_CMD_SET_LIMITS) {
            parts.add(PmLimits.decode(g));
        }
        for (NlAttr a : g.attributes().all()) {
            if (a.type() == MptcpPm.MPTCP_PM_ATTR_ADDR
                    || a.type() == MptcpPm.MPTCP_PM_ATTR_ADDR_REMOTE) {
                parts.add(PmAddress.decode(g.attributes(), a));
            }
        }
        return parts;
    }
}
