package io.mptcp.nio.internal.netlink;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/**
 * The attributes of one region of a datagram (a message's payload after its fixed header, or
 * a nest's value), in order, all kept, unknown types included.
 *
 * <p>Parsing checks each {@code nla_len} against the region and, for attributes flagged
 * {@link Netlink#NLA_F_NESTED}, their nested attributes too, to at most {@link #MAX_DEPTH}
 * levels: deeper input is refused, so recursion depth and work stay bounded by the input.
 */
public final class NlAttrs {
    /** The deepest nesting accepted; the kernel's mptcp_pm and nlctrl messages use 3. */
    public static final int MAX_DEPTH = 8;

    private final List<NlAttr> attributes;
    private final int depth;

    private NlAttrs(List<NlAttr> attributes, int depth) {
        this.attributes = attributes;
        this.depth = depth;
    }

    /** Parses {@code [from, to)} of {@code data} as attributes at nesting {@code depth}. */
    static NlAttrs parse(ByteBuffer data, int from, int to, int depth)
            throws NetlinkProtocolException {
        if (depth > MAX_DEPTH) {
            throw new NetlinkProtocolException("attributes nested deeper than " + MAX_DEPTH
                    + " levels at offset " + from);
        }
        Region.check(data, from, to - from, "attribute region");
        List<NlAttr> out = new ArrayList<>();
        int at = from;
        while (at < to) {
            if (to - at < Netlink.NLA_HDRLEN) {
                throw new NetlinkProtocolException((to - at) + " trailing bytes at offset " + at
                        + " are too short for an attribute header");
            }
            int length = Region.u16(data, at);
            int rawType = Region.u16(data, at + 2);
            if (length < Netlink.NLA_HDRLEN || length > to - at) {
                throw new NetlinkProtocolException("attribute at offset " + at + ": nla_len "
                        + length + " outside [4, " + (to - at) + "]");
            }
            NlAttr attribute = new NlAttr(data, at, length, rawType);
            if (attribute.isNested()) {
                parse(data, attribute.valueOffset(), at + length, depth + 1);
            }
            out.add(attribute);
            // The last attribute of a region may lack its padding.
            at = Math.min(to, at + Netlink.align(length));
        }
        return new NlAttrs(Collections.unmodifiableList(out), depth);
    }

    /** All attributes, in order. */
    public List<NlAttr> all() {
        return attributes;
    }

    /** The nesting level: 1 for a message's own attributes. */
    public int depth() {
        return depth;
    }

    /** The last attribute of {@code type} (the kernel's parsers also keep the last one). */
    public Optional<NlAttr> find(int type) {
        for (int i = attributes.size() - 1; i >= 0; i--) {
            if (attributes.get(i).type() == type) {
                return Optional.of(attributes.get(i));
            }
        }
        return Optional.empty();
    }

    /** The value of {@code attribute} (one of these) parsed as a nest, one level deeper. */
    public NlAttrs nested(NlAttr attribute) throws NetlinkProtocolException {
        return parse(attribute.data(), attribute.valueOffset(),
                attribute.offset() + Netlink.NLA_HDRLEN + attribute.valueLength(), depth + 1);
    }

    @Override
    public String toString() {
        return attributes.toString();
    }
}
