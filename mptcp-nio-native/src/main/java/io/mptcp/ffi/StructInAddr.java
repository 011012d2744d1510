package io.mptcp.ffi;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;

/**
 * Mirror of {@code struct in_addr} (uapi/linux/in.h): one {@code __be32 s_addr}, network byte
 * order. The value of the {@code IP_MULTICAST_IF} option, and a member of the IPv4 multicast
 * requests.
 */
public final class StructInAddr {
    private StructInAddr() {
    }

    static final CLayout LAYOUT = CLayout.struct();

    /** {@code __be32 s_addr}. */
    public static final int S_ADDR = LAYOUT.u32();

    /** {@code sizeof(struct in_addr)}. */
    public static final int SIZEOF = LAYOUT.size();

    /** Writes {@code address} at {@code base}, or {@code INADDR_ANY} (0) for null. */
    public static void put(ByteBuffer b, int base, Inet4Address address) {
        if (address == null) {
            b.putInt(base + S_ADDR, 0);
            return;
        }
        byte[] bytes = address.getAddress();
        for (int i = 0; i < bytes.length; i++) {
            b.put(base + S_ADDR + i, bytes[i]);
        }
    }

    /** The address at {@code base}, or null for {@code INADDR_ANY}. */
    public static Inet4Address get(ByteBuffer b, int base) {
        byte[] bytes = new byte[4];
        boolean any = true;
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = b.get(base + S_ADDR + i);
            any &= bytes[i] == 0;
        }
        if (any) {
            return null;
        }
        try {
            return (Inet4Address) InetAddress.getByAddress(bytes);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e); // only for a length other than 4
        }
    }
}
