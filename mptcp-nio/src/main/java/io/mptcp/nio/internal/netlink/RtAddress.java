package io.mptcp.nio.internal.netlink;

import java.net.InetAddress;
import java.util.Optional;

/**
 * A decoded {@code RTM_NEWADDR} or {@code RTM_DELADDR}: {@code struct ifaddrmsg} and its
 * attributes.
 *
 * @param type {@code RTM_NEWADDR} or {@code RTM_DELADDR}
 * @param family {@code ifa_family}
 * @param prefixLength {@code ifa_prefixlen}
 * @param flags {@code IFA_F_*}: {@code IFA_FLAGS} when present (32 bits), else {@code ifa_flags}
 * @param scope {@code ifa_scope}
 * @param index {@code ifa_index}, the interface
 * @param address {@code IFA_ADDRESS}
 * @param local {@code IFA_LOCAL} (IPv4; equals the address except on point-to-point links)
 * @param label {@code IFA_LABEL}
 * @param attributes all attributes, known or not
 */
public record RtAddress(int type, int family, int prefixLength, long flags, int scope,
        int index, Optional<InetAddress> address, Optional<InetAddress> local,
        Optional<String> label, NlAttrs attributes) {

    /** The local address of this entry: {@code IFA_LOCAL} if sent, else {@code IFA_ADDRESS}. */
    public Optional<InetAddress> localAddress() {
        return local.isPresent() ? local : address;
    }

    /** Decodes {@code m}, an {@code RTM_NEWADDR} or {@code RTM_DELADDR}. */
    public static RtAddress decode(NetlinkMessage m) throws NetlinkProtocolException {
        int type = m.header().type();
        if (type != RtNetlink.RTM_NEWADDR && type != RtNetlink.RTM_DELADDR) {
            throw new NetlinkProtocolException("message at offset " + m.offset() + " is type "
                    + type + ", not RTM_NEWADDR/RTM_DELADDR");
        }
        NlAttrs a = m.attributesAfter(RtNetlink.SIZEOF_IFADDRMSG, "ifaddrmsg");
        int at = m.payloadOffset();
        long flags = Region.u8(m.data(), at + 2);
        Optional<NlAttr> wide = a.find(RtNetlink.IFA_FLAGS);
        if (wide.isPresent()) {
            flags = wide.get().u32();
        }
        Optional<NlAttr> label = a.find(RtNetlink.IFA_LABEL);
        return new RtAddress(type, Region.u8(m.data(), at), Region.u8(m.data(), at + 1), flags,
                Region.u8(m.data(), at + 3), Region.s32(m.data(), at + 4),
                address(a, RtNetlink.IFA_ADDRESS), address(a, RtNetlink.IFA_LOCAL),
                label.map(NlAttr::string), a);
    }

    private static Optional<InetAddress> address(NlAttrs a, int type)
            throws NetlinkProtocolException {
        Optional<NlAttr> found = a.find(type);
        return found.isPresent() ? Optional.of(found.get().address()) : Optional.empty();
    }
}
