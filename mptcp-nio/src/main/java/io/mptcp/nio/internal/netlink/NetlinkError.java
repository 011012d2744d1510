package io.mptcp.nio.internal.netlink;

import java.util.Optional;

/**
 * A decoded {@link Netlink#NLMSG_ERROR}: the kernel's answer to a request, an acknowledgement
 * when {@link #error} is 0. With {@code NETLINK_EXT_ACK} the kernel adds a text, the offset of
 * the offending attribute, or the type of a missing one.
 *
 * @param error 0, or a negative errno ({@code -EINVAL})
 * @param request the echoed header of the failed request (its type, sequence, port id)
 * @param message {@code NLMSGERR_ATTR_MSG}, the kernel's explanation
 * @param attributeOffset {@code NLMSGERR_ATTR_OFFS}: where in the request the offending
 *     attribute starts, or -1
 * @param missingType {@code NLMSGERR_ATTR_MISS_TYPE}: a required attribute that was absent,
 *     or -1
 * @param missingNest {@code NLMSGERR_ATTR_MISS_NEST}: offset of the nest it was absent from,
 *     or -1
 * @param attributes all extended-ack attributes, known or not
 */
public record NetlinkError(int error, NlMsgHdr request, Optional<String> message,
        long attributeOffset, long missingType, long missingNest, NlAttrs attributes) {

    /** Whether this is an acknowledgement rather than an error. */
    public boolean isAck() {
        return error == 0;
    }

    /** Decodes {@code m}, which must be an {@link Netlink#NLMSG_ERROR}. */
    public static NetlinkError decode(NetlinkMessage m) throws NetlinkProtocolException {
        if (m.header().type() != Netlink.NLMSG_ERROR) {
            throw new NetlinkProtocolException("message at offset " + m.offset() + " is type "
                    + m.header().type() + ", not NLMSG_ERROR");
        }
        m.requirePayload(4 + Netlink.NLMSG_HDRLEN, "NLMSG_ERROR");
        int at = m.payloadOffset();
        int error = Region.s32(m.data(), at);
        int echoed = Region.s32(m.data(), at + 4);
        NlMsgHdr request = new NlMsgHdr(echoed, Region.u16(m.data(), at + 8),
                Region.u16(m.data(), at + 10), Region.s32(m.data(), at + 12),
                Region.s32(m.data(), at + 16));
        // Capped (NETLINK_CAP_ACK, or any ACK): only the header was echoed; else the request.
        int echoedLength = m.header().has(Netlink.NLM_F_CAPPED) || error == 0
                ? Netlink.NLMSG_HDRLEN : echoed;
        if (echoedLength < Netlink.NLMSG_HDRLEN || echoedLength > m.payloadLength() - 4) {
            throw new NetlinkProtocolException("NLMSG_ERROR at offset " + m.offset()
                    + ": echoed request of nlmsg_len " + Integer.toUnsignedString(echoedLength)
                    + " exceeds the " + (m.payloadLength() - 4) + " bytes left");
        }
        int tlvs = 4 + Netlink.align(echoedLength);
        NlAttrs attributes = m.header().has(Netlink.NLM_F_ACK_TLVS) && tlvs < m.payloadLength()
                ? m.attributesAfter(tlvs, "NLMSG_ERROR")
                : m.attributesAfter(m.payloadLength(), "NLMSG_ERROR");
        Optional<String> text = Optional.empty();
        Optional<NlAttr> msg = attributes.find(Netlink.NLMSGERR_ATTR_MSG);
        if (msg.isPresent()) {
            text = Optional.of(msg.get().string());
        }
        return new NetlinkError(error, request, text,
                u32(attributes, Netlink.NLMSGERR_ATTR_OFFS),
                u32(attributes, Netlink.NLMSGERR_ATTR_MISS_TYPE),
                u32(attributes, Netlink.NLMSGERR_ATTR_MISS_NEST), attributes);
    }

    private static long u32(NlAttrs attributes, int type) throws NetlinkProtocolException {
        Optional<NlAttr> a = attributes.find(type);
        return a.isPresent() ? a.get().u32() : -1;
    }
}
