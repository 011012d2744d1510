package io.mptcp.nio.internal.netlink;

/**
 * A generic netlink message: the {@code nlmsghdr} (whose type is the family id), the
 * {@code struct genlmsghdr} and the attributes.
 *
 * @param header the netlink header
 * @param command {@code genlmsghdr.cmd}; on an event group, the event type
 * @param version {@code genlmsghdr.version}
 * @param attributes the message's attributes, all kept
 */
public record GenlMessage(NlMsgHdr header, int command, int version, NlAttrs attributes) {

    /** Decodes {@code m} as generic netlink (whatever its family). */
    public static GenlMessage decode(NetlinkMessage m) throws NetlinkProtocolException {
        if (m.header().type() < Netlink.NLMSG_MIN_TYPE) {
            throw new NetlinkProtocolException("message at offset " + m.offset() + " is control"
                    + " type " + m.header().type() + ", not a generic netlink family");
        }
        NlAttrs attributes = m.attributesAfter(GenlCtrl.GENL_HDRLEN, "genlmsghdr");
        return new GenlMessage(m.header(), Region.u8(m.data(), m.payloadOffset()),
                Region.u8(m.data(), m.payloadOffset() + 1), attributes);
    }
}
