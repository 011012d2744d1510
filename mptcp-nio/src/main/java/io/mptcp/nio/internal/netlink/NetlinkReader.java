package io.mptcp.nio.internal.netlink;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Splits a received datagram into its netlink messages.
 *
 * <p>The datagram's bytes are copied once (the caller's receive buffer is reused for the next
 * datagram), so the messages stay valid. Each {@code nlmsg_len} is checked: at least the
 * 16-byte header and within the datagram; messages follow each other at 4-byte alignment, the
 * last one may lack its padding. Nothing is allocated beyond the copy and one small object per
 * message, whatever the length fields claim.
 */
public final class NetlinkReader {
    private NetlinkReader() {
    }

    /**
     * The messages in {@code datagram}'s remaining bytes (its position does not move).
     *
     * @throws NetlinkProtocolException if the datagram is empty, a header is cut short, or an
     *     {@code nlmsg_len} lies
     */
    public static List<NetlinkMessage> read(ByteBuffer datagram) throws NetlinkProtocolException {
        ByteBuffer data = Region.copy(datagram);
        if (!data.hasRemaining()) {
            throw new NetlinkProtocolException("empty datagram: no netlink message");
        }
        List<NetlinkMessage> out = new ArrayList<>();
        int at = 0;
        int end = data.limit();
        while (at < end) {
            if (end - at < Netlink.NLMSG_HDRLEN) {
                throw new NetlinkProtocolException((end - at) + " bytes at offset " + at
                        + " are too short for a 16-byte nlmsghdr");
            }
            int length = Region.s32(data, at);
            if (length < Netlink.NLMSG_HDRLEN || length > end - at) {
                throw new NetlinkProtocolException("message at offset " + at + ": nlmsg_len "
                        + Integer.toUnsignedString(length) + " outside [16, " + (end - at) + "]");
            }
            NlMsgHdr header = new NlMsgHdr(length, Region.u16(data, at + 4),
                    Region.u16(data, at + 6), Region.s32(data, at + 8), Region.s32(data, at + 12));
            out.add(new NetlinkMessage(header, data, at));
            at = (int) Math.min(end, (long) at + Netlink.align(length));
        }
        return Collections.unmodifiableList(out);
    }

    /**
     * The error code of an {@link Netlink#NLMSG_DONE} message (0 for a complete dump, a
     * negative errno when the dump failed part way).
     */
    public static int doneError(NetlinkMessage done) throws NetlinkProtocolException {
        if (done.header().type() != Netlink.NLMSG_DONE) {
            throw new NetlinkProtocolException("message at offset " + done.offset()
                    + " is type " + done.header().type() + ", not NLMSG_DONE");
        }
        done.requirePayload(4, "NLMSG_DONE");
        return Region.s32(done.data(), done.payloadOffset());
    }
}
