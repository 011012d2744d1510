package io.mptcp.nio.internal.netlink;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The {@code MPTCP_PM_ADDR_ATTR_*} nest of the mptcp_pm commands (an endpoint, or the local or
 * remote address of a userspace-PM command). Absent fields are {@link #ABSENT} (-1) or empty.
 *
 * @param family {@code AF_INET} (2) or {@code AF_INET6} (10), or {@link #ABSENT}
 * @param id the address id 0..255, or {@link #ABSENT}
 * @param address the address
 * @param port the port (HOST byte order on the wire, unlike event ports), or {@link #ABSENT}
 * @param flags {@code MPTCP_PM_ADDR_FLAG_*} bits, or {@link #ABSENT}
 * @param ifIndex the interface index, or {@link #ABSENT}
 * @param unknown attributes of the nest this codec does not know, kept
 */
public record PmAddress(int family, int id, Optional<InetAddress> address, int port, long flags,
        int ifIndex, List<NlAttr> unknown) {

    /** The value of a field the kernel did not send (or a request leaves out). */
    public static final int ABSENT = -1;

    private static final int AF_INET = 2;
    private static final int AF_INET6 = 10;

    public PmAddress {
        unknown = List.copyOf(unknown);
    }

    /** An address with its family; other fields absent. */
    public static PmAddress of(InetAddress address) {
        return new PmAddress(address instanceof Inet4Address ? AF_INET : AF_INET6, ABSENT,
                Optional.of(address), ABSENT, ABSENT, ABSENT, List.of());
    }

    public PmAddress withId(int newId) {
        return new PmAddress(family, newId, address, port, flags, ifIndex, unknown);
    }

    public PmAddress withPort(int newPort) {
        return new PmAddress(family, id, address, newPort, flags, ifIndex, unknown);
    }

    public PmAddress withFlags(long newFlags) {
        return new PmAddress(family, id, address, port, newFlags, ifIndex, unknown);
    }

    public PmAddress withIfIndex(int newIfIndex) {
        return new PmAddress(family, id, address, port, flags, newIfIndex, unknown);
    }

    /** Decodes the nest {@code attribute} of {@code parent}. */
    public static PmAddress decode(NlAttrs parent, NlAttr attribute)
            throws NetlinkProtocolException {
        NlAttrs nest = parent.nested(attribute);
        int family = ABSENT;
        int id = ABSENT;
        int port = ABSENT;
        int ifIndex = ABSENT;
        long flags = ABSENT;
        Optional<InetAddress> address = Optional.empty();
        List<NlAttr> unknown = new ArrayList<>();
        for (NlAttr a : nest.all()) {
            switch (a.type()) {
                case MptcpPm.MPTCP_PM_ADDR_ATTR_FAMILY -> family = a.u16();
                case MptcpPm.MPTCP_PM_ADDR_ATTR_ID -> id = a.u8();
                case MptcpPm.MPTCP_PM_ADDR_ATTR_ADDR4 -> address = Optional.of(a.address(4));
                case MptcpPm.MPTCP_PM_ADDR_ATTR_ADDR6 -> address = Optional.of(a.address(16));
                case MptcpPm.MPTCP_PM_ADDR_ATTR_PORT -> port = a.u16();
                case MptcpPm.MPTCP_PM_ADDR_ATTR_FLAGS -> flags = a.u32();
                case MptcpPm.MPTCP_PM_ADDR_ATTR_IF_IDX -> ifIndex = a.s32();
                default -> unknown.add(a);
            }
        }
        return new PmAddress(family, id, address, port, flags, ifIndex, unknown);
    }

    /** Writes this as the nest {@code type} (flagged {@code NLA_F_NESTED}). */
    public void encode(NetlinkWriter w, int type) {
        int nest = w.beginNest(type);
        if (family != ABSENT) {
            w.u16(MptcpPm.MPTCP_PM_ADDR_ATTR_FAMILY, family);
        }
        if (id != ABSENT) {
            w.u8(MptcpPm.MPTCP_PM_ADDR_ATTR_ID, id);
        }
        if (address.isPresent()) {
            byte[] raw = address.get().getAddress();
            w.bytes(raw.length == 4 ? MptcpPm.MPTCP_PM_ADDR_ATTR_ADDR4
                    : MptcpPm.MPTCP_PM_ADDR_ATTR_ADDR6, raw);
        }
        if (port != ABSENT) {
            w.u16(MptcpPm.MPTCP_PM_ADDR_ATTR_PORT, port);
        }
        if (flags != ABSENT) {
            w.u32(MptcpPm.MPTCP_PM_ADDR_ATTR_FLAGS, flags);
        }
        if (ifIndex != ABSENT) {
            w.s32(MptcpPm.MPTCP_PM_ADDR_ATTR_IF_IDX, ifIndex);
        }
        w.endNest(nest);
    }
}
