package io.mptcp.nio.internal.netlink;

import java.util.Optional;

/**
 * A decoded {@code RTM_NEWLINK} or {@code RTM_DELLINK}: {@code struct ifinfomsg} and the
 * attributes this library reads (all are kept).
 *
 * @param type {@code RTM_NEWLINK} or {@code RTM_DELLINK}
 * @param family {@code ifi_family}
 * @param deviceType {@code ifi_type} ({@code ARPHRD_*})
 * @param index {@code ifi_index}
 * @param flags {@code ifi_flags} ({@code IFF_*})
 * @param change {@code ifi_change}: which flags changed
 * @param name {@code IFLA_IFNAME}
 * @param operState {@code IFLA_OPERSTATE} ({@code IF_OPER_*}), or -1 if absent
 * @param attributes all attributes, known or not
 */
public record RtLink(int type, int family, int deviceType, int index, long flags, long change,
        Optional<String> name, int operState, NlAttrs attributes) {

    /** Up for data: administratively up, running and with carrier. */
    public boolean isUp() {
        long up = RtNetlink.IFF_UP | RtNetlink.IFF_RUNNING | RtNetlink.IFF_LOWER_UP;
        return type == RtNetlink.RTM_NEWLINK && (flags & up) == up;
    }

    /** Decodes {@code m}, an {@code RTM_NEWLINK} or {@code RTM_DELLINK}. */
    public static RtLink decode(NetlinkMessage m) throws NetlinkProtocolException {
        int type = m.header().type();
        if (type != RtNetlink.RTM_NEWLINK && type != RtNetlink.RTM_DELLINK) {
            throw new NetlinkProtocolException("message at offset " + m.offset() + " is type "
                    + type + ", not RTM_NEWLINK/RTM_DELLINK");
        }
        NlAttrs a = m.attributesAfter(RtNetlink.SIZEOF_IFINFOMSG, "ifinfomsg");
        int at = m.payloadOffset();
        Optional<NlAttr> state = a.find(RtNetlink.IFLA_OPERSTATE);
        return new RtLink(type, Region.u8(m.data(), at), Region.u16(m.data(), at + 2),
                Region.s32(m.data(), at + 4), Integer.toUnsignedLong(Region.s32(m.data(), at + 8)),
                Integer.toUnsignedLong(Region.s32(m.data(), at + 12)),
                a.find(RtNetlink.IFLA_IFNAME).map(NlAttr::string),
                state.isPresent() ? state.get().u8() : -1, a);
    }
}
