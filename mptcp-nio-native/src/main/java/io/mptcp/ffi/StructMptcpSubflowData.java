package io.mptcp.ffi;

import java.nio.ByteBuffer;

/**
 * Mirror of {@code struct mptcp_subflow_data} (uapi/linux/mptcp.h, Linux 5.16), the header of
 * the {@code MPTCP_TCPINFO} and {@code MPTCP_SUBFLOW_ADDRS} getsockopt buffers: the caller sets
 * the header size and the element size it wants, the kernel answers with the subflow count and
 * its own element size, then the elements follow at {@code size_subflow_data}, each
 * {@code size_user} bytes apart.
 *
 * <p>The kernel fills as many whole elements as the buffer holds and always reports the real
 * count, so a buffer of just this header learns how many subflows there are. Accessors work at
 * {@code base} of a buffer in native byte order.
 */
public final class StructMptcpSubflowData {
    private StructMptcpSubflowData() {
    }

    /** The struct is {@code __attribute__((aligned(8)))}. */
    static final CLayout LAYOUT = CLayout.struct().aligned(8);

    /** uapi/linux/mptcp.h, Linux 5.16: {@code __u32}, size of this struct as userspace knows it. */
    public static final int SIZE_SUBFLOW_DATA = LAYOUT.u32();
    /** uapi/linux/mptcp.h, Linux 5.16: {@code __u32}, must be 0, set by the kernel. */
    public static final int NUM_SUBFLOWS = LAYOUT.u32();
    /** uapi/linux/mptcp.h, Linux 5.16: {@code __u32}, must be 0, set by the kernel. */
    public static final int SIZE_KERNEL = LAYOUT.u32();
    /** uapi/linux/mptcp.h, Linux 5.16: {@code __u32}, element size, clamped by the kernel. */
    public static final int SIZE_USER = LAYOUT.u32();

    /** {@code sizeof(struct mptcp_subflow_data)}. */
    public static final int SIZEOF = LAYOUT.size();

    /**
     * Writes a request header at {@code base}: this struct's size, zero for the fields the
     * kernel sets, and elements of {@code sizeUser} bytes.
     */
    public static void prepare(ByteBuffer b, int base, int sizeUser) {
        b.putInt(base + SIZE_SUBFLOW_DATA, SIZEOF);
        b.putInt(base + NUM_SUBFLOWS, 0);
        b.putInt(base + SIZE_KERNEL, 0);
        b.putInt(base + SIZE_USER, sizeUser);
    }

    /** How many subflows the connection has, including those that did not fit. */
    public static int numSubflows(ByteBuffer b, int base) {
        return b.getInt(base + NUM_SUBFLOWS);
    }

    /** The kernel's size of one element ({@code tcp_info} or {@code mptcp_subflow_addrs}). */
    public static int sizeKernel(ByteBuffer b, int base) {
        return b.getInt(base + SIZE_KERNEL);
    }

    /** The stride of the elements: what was asked, clamped to {@link #sizeKernel}. */
    public static int sizeUser(ByteBuffer b, int base) {
        return b.getInt(base + SIZE_USER);
    }
}
