package io.mptcp.ffi;

import java.nio.ByteBuffer;

/**
 * Mirror of {@code struct mptcp_full_info} (uapi/linux/mptcp.h, Linux 6.5), the consistent
 * snapshot of {@code getsockopt(SOL_MPTCP, MPTCP_FULL_INFO)}: the connection's
 * {@code mptcp_info} plus, through two user pointers, arrays of {@code mptcp_subflow_info} and
 * {@code tcp_info}, one entry of each per subflow.
 *
 * <p>The caller {@link #prepare}s the request (how many entries, of which sizes) and calls
 * {@link LinuxSyscalls#getsockoptMptcpFullInfo}, which fills in the pointers. The kernel fills
 * at most {@code size_arrays_user} entries, strided by the user sizes clamped to its own (read
 * them back), reports the real subflow count and its own element sizes, and appends
 * {@code min(optlen - 40, sizeof(mptcp_info))} bytes of {@code mptcp_info} at
 * {@link #MPTCP_INFO}. Accessors work at {@code base} of a buffer in native byte order.
 */
public final class StructMptcpFullInfo {
    private StructMptcpFullInfo() {
    }

    static final CLayout LAYOUT = CLayout.struct();

    /** uapi/linux/mptcp.h, Linux 6.5: {@code __u32}, must be 0, set by the kernel. */
    public static final int SIZE_TCPINFO_KERNEL = LAYOUT.u32();
    /** uapi/linux/mptcp.h, Linux 6.5: {@code __u32}, stride of the {@code tcp_info} array. */
    public static final int SIZE_TCPINFO_USER = LAYOUT.u32();
    /** uapi/linux/mptcp.h, Linux 6.5: {@code __u32}, must be 0, set by the kernel. */
    public static final int SIZE_SFINFO_KERNEL = LAYOUT.u32();
    /** uapi/linux/mptcp.h, Linux 6.5: {@code __u32}, stride of the subflow-info array. */
    public static final int SIZE_SFINFO_USER = LAYOUT.u32();
    /** uapi/linux/mptcp.h, Linux 6.5: {@code __u32}, must be 0, set to the real subflow count. */
    public static final int NUM_SUBFLOWS = LAYOUT.u32();
    /** uapi/linux/mptcp.h, Linux 6.5: {@code __u32}, entries each array has room for. */
    public static final int SIZE_ARRAYS_USER = LAYOUT.u32();
    /** uapi/linux/mptcp.h, Linux 6.5: {@code __aligned_u64} user pointer to the subflow infos. */
    public static final int SUBFLOW_INFO = LAYOUT.u64();
    /** uapi/linux/mptcp.h, Linux 6.5: {@code __aligned_u64} user pointer to the tcp_infos. */
    public static final int TCP_INFO = LAYOUT.u64();
    /**
     * uapi/linux/mptcp.h, Linux 6.5: {@code struct mptcp_info}. Also the shortest
     * {@code optlen} the kernel accepts ({@code MIN_FULL_INFO_OPTLEN_SIZE}).
     */
    public static final int MPTCP_INFO = LAYOUT.member(StructMptcpInfo.LAYOUT);

    /** {@code sizeof(struct mptcp_full_info)} with the 6.18 {@code mptcp_info}. */
    public static final int SIZEOF = LAYOUT.size();

    /**
     * Writes a request at {@code base}: arrays of {@code sizeArraysUser} entries of
     * {@code sizeSfinfoUser} and {@code sizeTcpinfoUser} bytes, zero for what the kernel sets,
     * and null pointers until the system call fills them in.
     */
    public static void prepare(ByteBuffer b, int base, int sizeArraysUser, int sizeSfinfoUser,
            int sizeTcpinfoUser) {
        b.putInt(base + SIZE_TCPINFO_KERNEL, 0);
        b.putInt(base + SIZE_TCPINFO_USER, sizeTcpinfoUser);
        b.putInt(base + SIZE_SFINFO_KERNEL, 0);
        b.putInt(base + SIZE_SFINFO_USER, sizeSfinfoUser);
        b.putInt(base + NUM_SUBFLOWS, 0);
        b.putInt(base + SIZE_ARRAYS_USER, sizeArraysUser);
        putArrays(b, base, 0, 0);
    }

    /** The kernel's {@code sizeof(struct tcp_info)} (280 on Linux 6.18). */
    public static int sizeTcpinfoKernel(ByteBuffer b, int base) {
        return b.getInt(base + SIZE_TCPINFO_KERNEL);
    }

    /** The stride of the {@code tcp_info} array, as the kernel clamped it. */
    public static int sizeTcpinfoUser(ByteBuffer b, int base) {
        return b.getInt(base + SIZE_TCPINFO_USER);
    }

    /** The kernel's {@code sizeof(struct mptcp_subflow_info)} (264). */
    public static int sizeSfinfoKernel(ByteBuffer b, int base) {
        return b.getInt(base + SIZE_SFINFO_KERNEL);
    }

    /** The stride of the subflow-info array, as the kernel clamped it. */
    public static int sizeSfinfoUser(ByteBuffer b, int base) {
        return b.getInt(base + SIZE_SFINFO_USER);
    }

    /** The connection's subflow count, including entries that did not fit. */
    public static int numSubflows(ByteBuffer b, int base) {
        return b.getInt(base + NUM_SUBFLOWS);
    }

    /** Entries each array has room for, as requested. */
    public static int sizeArraysUser(ByteBuffer b, int base) {
        return b.getInt(base + SIZE_ARRAYS_USER);
    }

    /**
     * Points the request at {@code info}'s position to the arrays at the positions of
     * {@code subflowInfo} and {@code tcpInfo}, after checking that each can hold what the
     * request lets the kernel write there.
     *
     * @throws IllegalArgumentException if {@code info} is shorter than the kernel accepts, an
     *     array is too small, or a buffer is not direct and writable
     */
    static void pointAt(ByteBuffer info, ByteBuffer subflowInfo, ByteBuffer tcpInfo) {
        int base = info.position();
        if (info.remaining() < MPTCP_INFO) {
            throw new IllegalArgumentException(
                    "mptcp_full_info needs " + MPTCP_INFO + " bytes, got " + info.remaining());
        }
        long entries = Integer.toUnsignedLong(sizeArraysUser(info, base));
        requireRoom("subflow_info", subflowInfo, entries, sizeSfinfoUser(info, base));
        requireRoom("tcp_info", tcpInfo, entries, sizeTcpinfoUser(info, base));
        putArrays(info, base, NativeMemory.writableAddress(subflowInfo),
                NativeMemory.writableAddress(tcpInfo));
    }

    /** The kernel writes at most {@code entries} times {@code entrySize} bytes (u32 each). */
    private static void requireRoom(String array, ByteBuffer b, long entries, int entrySize) {
        long size = Integer.toUnsignedLong(entrySize);
        if (entries != 0 && size > b.remaining() / entries) {
            throw new IllegalArgumentException(array + " array of " + b.remaining()
                    + " bytes cannot hold " + entries + " entries of " + size + " bytes");
        }
    }

    private static void putArrays(ByteBuffer b, int base, long subflowInfo, long tcpInfo) {
        b.putLong(base + SUBFLOW_INFO, subflowInfo);
        b.putLong(base + TCP_INFO, tcpInfo);
    }
}
