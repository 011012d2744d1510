package io.mptcp.ffi;

import java.net.Inet4Address;
import java.nio.ByteBuffer;

/**
 * Mirror of {@code struct ip_mreqn} (uapi/linux/in.h), the argument of
 * {@code IP_ADD_MEMBERSHIP} and {@code IP_DROP_MEMBERSHIP}: an IPv4 group, and the interface by
 * its address and its index. The kernel takes the index when it is not 0, else the address
 * (the older {@code struct ip_mreq} is this without the index).
 *
 * <p>Addresses are {@code struct in_addr}, network byte order; the index is host order.
 */
public final class StructIpMreqn {
    private StructIpMreqn() {
    }

    static final CLayout LAYOUT = CLayout.struct();

    /** {@code struct in_addr imr_multiaddr}: the group. */
    public static final int IMR_MULTIADDR = LAYOUT.u32();
    /** {@code struct in_addr imr_address}: an address of the interface, or 0. */
    public static final int IMR_ADDRESS = LAYOUT.u32();
    /** {@code int imr_ifindex}: the interface index, or 0. */
    public static final int IMR_IFINDEX = LAYOUT.u32();

    /** {@code sizeof(struct ip_mreqn)}. */
    public static final int SIZEOF = LAYOUT.size();

    /**
     * Writes the request at {@code base} of {@code b} (native byte order).
     *
     * @param address an IPv4 address of the interface, or null for {@code INADDR_ANY}
     * @param ifindex the interface index, or 0 to let the kernel choose by {@code address}
     */
    public static void put(ByteBuffer b, int base, Inet4Address group, Inet4Address address,
            int ifindex) {
        StructInAddr.put(b, base + IMR_MULTIADDR, group);
        StructInAddr.put(b, base + IMR_ADDRESS, address);
        b.putInt(base + IMR_IFINDEX, ifindex);
    }
}
