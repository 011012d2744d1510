package io.mptcp.nio.internal.netlink;

import java.nio.ByteBuffer;

/**
 * One message of a received datagram: its header, and where its payload lies in the
 * datagram's private copy. {@link NetlinkReader} makes them; the {@code decode} methods of the
 * message kinds interpret them.
 */
public final class NetlinkMessage {
    private final NlMsgHdr header;
    private final ByteBuffer data;
    private final int offset;

    NetlinkMessage(NlMsgHdr header, ByteBuffer data, int offset) {
        this.header = header;
        this.data = data;
        this.offset = offset;
    }

    public NlMsgHdr header() {
        return header;
    }

    /** Offset of this message's {@code nlmsghdr} in its datagram. */
    public int offset() {
        return offset;
    }

    /** Bytes after the 16-byte header, up to {@code nlmsg_len}. */
    public int payloadLength() {
        return header.length() - Netlink.NLMSG_HDRLEN;
    }

    int payloadOffset() {
        return offset + Netlink.NLMSG_HDRLEN;
    }

    ByteBuffer data() {
        return data;
    }

    /** A read-only view of the whole message, header included (for fuzzing and logs). */
    public ByteBuffer bytes() {
        return data.slice(offset, header.length()).order(data.order());
    }

    /**
     * The attributes after a fixed header of {@code fixedLength} bytes at the payload's start.
     *
     * @throws NetlinkProtocolException if the payload is shorter than the fixed header or the
     *     attributes are malformed
     */
    NlAttrs attributesAfter(int fixedLength, String what) throws NetlinkProtocolException {
        requirePayload(fixedLength, what);
        return NlAttrs.parse(data, payloadOffset() + fixedLength, offset + header.length(), 1);
    }

    void requirePayload(int n, String what) throws NetlinkProtocolException {
        if (payloadLength() < n) {
            throw new NetlinkProtocolException(what + " at offset " + offset + ": nlmsg_len "
                    + header.length() + " leaves " + payloadLength() + " payload bytes, "
                    + n + " needed");
        }
    }

    @Override
    public String toString() {
        return "NetlinkMessage[" + header + " at " + offset + "]";
    }
}
