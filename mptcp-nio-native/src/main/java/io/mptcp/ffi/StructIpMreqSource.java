package io.mptcp.ffi;

import java.net.Inet4Address;
import java.nio.ByteBuffer;

/**
 * Mirror of {@code struct ip_mreq_source} (uapi/linux/in.h), the argument of
 * {@code IP_ADD_SOURCE_MEMBERSHIP}, {@code IP_DROP_SOURCE_MEMBERSHIP}, {@code IP_BLOCK_SOURCE}
 * and {@code IP_UNBLOCK_SOURCE}: an IPv4 group, the interface by its address, and one source.
 *
 * <p>All three are {@code __be32}, network byte order.
 */
public final class StructIpMreqSource {
    private StructIpMreqSource() {
    }

    static final CLayout LAYOUT = CLayout.struct();

    /** {@code __be32 imr_multiaddr}: the group. */
    public static final int IMR_MULTIADDR = LAYOUT.u32();
    /** {@code __be32 imr_interface}: an address of the interface, or 0. */
    public static final int IMR_INTERFACE = LAYOUT.u32();
    /** {@code __be32 imr_sourceaddr}: the source to include or block. */
    public static final int IMR_SOURCEADDR = LAYOUT.u32();

    /** {@code sizeof(struct ip_mreq_source)}. */
    public static final int SIZEOF = LAYOUT.size();

    /**
     * Writes the request at {@code base} of {@code b}.
     *
     * @param interfaceAddress an IPv4 address of the interface, or null for {@code INADDR_ANY}
     */
    public static void put(ByteBuffer b, int base, Inet4Address group,
            Inet4Address interfaceAddress, Inet4Address source) {
        StructInAddr.put(b, base + IMR_MULTIADDR, group);
        StructInAddr.put(b, base + IMR_INTERFACE, interfaceAddress);
        StructInAddr.put(b, base + IMR_SOURCEADDR, source);
    }
}
