package io.mptcp.ffi;

import java.net.Inet6Address;
import java.nio.ByteBuffer;

/**
 * Mirror of {@code struct ipv6_mreq} (uapi/linux/in6.h), the argument of
 * {@code IPV6_ADD_MEMBERSHIP} and {@code IPV6_DROP_MEMBERSHIP}: an IPv6 group and the
 * interface index (0: the kernel chooses by route).
 */
public final class StructIpv6Mreq {
    private StructIpv6Mreq() {
    }

    static final CLayout LAYOUT = CLayout.struct();

    /** {@code struct in6_addr ipv6mr_multiaddr}: the group, network byte order. */
    public static final int IPV6MR_MULTIADDR = LAYOUT.array(4, 4);
    /** {@code int ipv6mr_ifindex}: the interface index, host order. */
    public static final int IPV6MR_IFINDEX = LAYOUT.u32();

    /** {@code sizeof(struct ipv6_mreq)}. */
    public static final int SIZEOF = LAYOUT.size();

    /** Writes the request at {@code base} of {@code b} (native byte order). */
    public static void put(ByteBuffer b, int base, Inet6Address group, int ifindex) {
        byte[] bytes = group.getAddress();
        for (int i = 0; i < bytes.length; i++) {
            b.put(base + IPV6MR_MULTIADDR + i, bytes[i]);
        }
        b.putInt(base + IPV6MR_IFINDEX, ifindex);
    }
}
