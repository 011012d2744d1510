package io.mptcp.ffi;

import java.nio.ByteBuffer;

/**
 * Mirror of {@code struct sockaddr_nl} (uapi/linux/netlink.h), the address of a netlink socket:
 * <pre>
 * struct sockaddr_nl {
 *     __kernel_sa_family_t nl_family;  // AF_NETLINK
 *     unsigned short       nl_pad;     // zero
 *     __u32                nl_pid;     // port ID: 0 is the kernel
 *     __u32                nl_groups;  // multicast groups mask (groups 1..32)
 * };
 * </pre>
 * All fields are host byte order. Accessors work at {@code base} of a buffer in native byte
 * order.
 */
public final class StructSockaddrNl {
    private StructSockaddrNl() {
    }

    static final CLayout LAYOUT = CLayout.struct();

    /** {@code __kernel_sa_family_t nl_family}. */
    public static final int NL_FAMILY = LAYOUT.u16();
    /** {@code unsigned short nl_pad}. */
    public static final int NL_PAD = LAYOUT.u16();
    /** {@code __u32 nl_pid}: the port ID; 0 addresses (or comes from) the kernel. */
    public static final int NL_PID = LAYOUT.u32();
    /** {@code __u32 nl_groups}: bit {@code g-1} stands for multicast group {@code g}. */
    public static final int NL_GROUPS = LAYOUT.u32();

    /** {@code sizeof(struct sockaddr_nl)}. */
    public static final int SIZEOF = LAYOUT.size();

    /** Writes an {@code AF_NETLINK} address of {@code pid} and {@code groups} at {@code base}. */
    public static void put(ByteBuffer b, int base, int pid, int groups) {
        b.putShort(base + NL_FAMILY, (short) LinuxUapi.AF_NETLINK);
        b.putShort(base + NL_PAD, (short) 0);
        b.putInt(base + NL_PID, pid);
        b.putInt(base + NL_GROUPS, groups);
    }

    public static int family(ByteBuffer b, int base) {
        return b.getShort(base + NL_FAMILY) & 0xffff;
    }

    public static int pid(ByteBuffer b, int base) {
        return b.getInt(base + NL_PID);
    }

    public static int groups(ByteBuffer b, int base) {
        return b.getInt(base + NL_GROUPS);
    }
}
