package io.mptcp.ffi;

/**
 * MPTCP socket-level constants from {@code include/uapi/linux/mptcp.h} and the kernel's
 * {@code include/linux/socket.h}, each with the kernel version that introduced it.
 */
public final class MptcpUapi {
    private MptcpUapi() {
    }

    /** linux/socket.h (not uapi), Linux 5.16: getsockopt level of the MPTCP options. */
    public static final int SOL_MPTCP = 284;

    /** uapi/linux/mptcp.h, Linux 5.16: {@code struct mptcp_info}. */
    public static final int MPTCP_INFO = 1;
    /** uapi/linux/mptcp.h, Linux 5.16: {@code struct mptcp_subflow_data} + N {@code tcp_info}. */
    public static final int MPTCP_TCPINFO = 2;
    /** uapi/linux/mptcp.h, Linux 5.16: {@code mptcp_subflow_data} + N {@code mptcp_subflow_addrs}. */
    public static final int MPTCP_SUBFLOW_ADDRS = 3;
    /** uapi/linux/mptcp.h, Linux 6.5: {@code struct mptcp_full_info}. */
    public static final int MPTCP_FULL_INFO = 4;

    /** uapi/linux/mptcp.h, Linux 5.9: {@code mptcpi_flags} bit, connection fell back to TCP. */
    public static final int MPTCP_INFO_FLAG_FALLBACK = 1;
    /** uapi/linux/mptcp.h, Linux 5.9: {@code mptcpi_flags} bit, the peer's key was received. */
    public static final int MPTCP_INFO_FLAG_REMOTE_KEY_RECEIVED = 1 << 1;
}
