package io.mptcp.ffi;

import java.nio.ByteBuffer;

/**
 * Mirror of {@code struct mptcp_info} (uapi/linux/mptcp.h, Linux 5.9), the MPTCP-level state of
 * a connection: {@code getsockopt(SOL_MPTCP, MPTCP_INFO)} (Linux 5.16) returns it, and
 * {@code struct mptcp_full_info} embeds it.
 *
 * <p>The struct grew over time and the kernel copies {@code min(optlen, its size)} bytes: 40 on
 * 5.9 to 5.11, 48 on 5.12 to 6.4, 80 on 6.5 to 6.7, 88 on 6.8 and 6.9, 96 since 6.10. Every
 * accessor therefore takes the {@code length} the kernel returned and answers -1 for a field
 * that ends beyond it. Four fields were placed in what had been padding, inside the length an
 * older kernel already returns, and read as 0 there: {@code mptcpi_csum_enabled} (5.14) and
 * {@code mptcpi_retransmits} (6.5) within the 48 bytes of 5.12, {@code mptcpi_endp_laminar_max}
 * (6.18) and {@code mptcpi_last_data_sent} (6.10) within the 88 bytes of 6.8. Only the kernel
 * version tells those apart from a real 0.
 *
 * <p>Accessors read at {@code base} of a buffer in native byte order and never move its
 * position. Unsigned fields are widened ({@code u8} to {@code int}, {@code u32} to
 * {@code long}).
 */
public final class StructMptcpInfo {
    private StructMptcpInfo() {
    }

    static final CLayout LAYOUT = CLayout.struct();

    /** uapi/linux/mptcp.h, Linux 5.9: {@code __u8}. */
    public static final int MPTCPI_SUBFLOWS = LAYOUT.u8();
    /** uapi/linux/mptcp.h, Linux 5.9: {@code __u8}. */
    public static final int MPTCPI_ADD_ADDR_SIGNAL = LAYOUT.u8();
    /** uapi/linux/mptcp.h, Linux 5.9: {@code __u8}. */
    public static final int MPTCPI_ADD_ADDR_ACCEPTED = LAYOUT.u8();
    /** uapi/linux/mptcp.h, Linux 5.9: {@code __u8}. */
    public static final int MPTCPI_SUBFLOWS_MAX = LAYOUT.u8();
    /** uapi/linux/mptcp.h, Linux 5.9: {@code __u8}. */
    public static final int MPTCPI_ADD_ADDR_SIGNAL_MAX = LAYOUT.u8();
    /** uapi/linux/mptcp.h, Linux 5.9: {@code __u8}. */
    public static final int MPTCPI_ADD_ADDR_ACCEPTED_MAX = LAYOUT.u8();
    /** uapi/linux/mptcp.h, Linux 5.9: {@code __u32}, after a 16-bit hole. */
    public static final int MPTCPI_FLAGS = LAYOUT.u32();
    /** uapi/linux/mptcp.h, Linux 5.9: {@code __u32}. */
    public static final int MPTCPI_TOKEN = LAYOUT.u32();
    /** uapi/linux/mptcp.h, Linux 5.9: {@code __u64}. */
    public static final int MPTCPI_WRITE_SEQ = LAYOUT.u64();
    /** uapi/linux/mptcp.h, Linux 5.9: {@code __u64}. */
    public static final int MPTCPI_SND_UNA = LAYOUT.u64();
    /** uapi/linux/mptcp.h, Linux 5.9: {@code __u64}. */
    public static final int MPTCPI_RCV_NXT = LAYOUT.u64();
    /** uapi/linux/mptcp.h, Linux 5.12: {@code __u8}. */
    public static final int MPTCPI_LOCAL_ADDR_USED = LAYOUT.u8();
    /** uapi/linux/mptcp.h, Linux 5.12: {@code __u8}. */
    public static final int MPTCPI_LOCAL_ADDR_MAX = LAYOUT.u8();
    /** uapi/linux/mptcp.h, Linux 5.14: {@code __u8}. */
    public static final int MPTCPI_CSUM_ENABLED = LAYOUT.u8();
    /** uapi/linux/mptcp.h, Linux 6.5: {@code __u32}, after an 8-bit hole. */
    public static final int MPTCPI_RETRANSMITS = LAYOUT.u32();
    /** uapi/linux/mptcp.h, Linux 6.5: {@code __u64}. */
    public static final int MPTCPI_BYTES_RETRANS = LAYOUT.u64();
    /** uapi/linux/mptcp.h, Linux 6.5: {@code __u64}. */
    public static final int MPTCPI_BYTES_SENT = LAYOUT.u64();
    /** uapi/linux/mptcp.h, Linux 6.5: {@code __u64}. */
    public static final int MPTCPI_BYTES_RECEIVED = LAYOUT.u64();
    /** uapi/linux/mptcp.h, Linux 6.5: {@code __u64}. */
    public static final int MPTCPI_BYTES_ACKED = LAYOUT.u64();
    /** uapi/linux/mptcp.h, Linux 6.8: {@code __u8}. */
    public static final int MPTCPI_SUBFLOWS_TOTAL = LAYOUT.u8();
    /** uapi/linux/mptcp.h, Linux 6.18: {@code __u8} (was {@code reserved}). */
    public static final int MPTCPI_ENDP_LAMINAR_MAX = LAYOUT.u8();
    /** uapi/linux/mptcp.h, Linux 6.8: {@code __u8 reserved[2]} (6.19 names the first byte). */
    static final int RESERVED = LAYOUT.array(1, 2);
    /** uapi/linux/mptcp.h, Linux 6.10: {@code __u32}. */
    public static final int MPTCPI_LAST_DATA_SENT = LAYOUT.u32();
    /** uapi/linux/mptcp.h, Linux 6.10: {@code __u32}. */
    public static final int MPTCPI_LAST_DATA_RECV = LAYOUT.u32();
    /** uapi/linux/mptcp.h, Linux 6.10: {@code __u32}. */
    public static final int MPTCPI_LAST_ACK_RECV = LAYOUT.u32();

    /** {@code sizeof(struct mptcp_info)} in the 6.18 uapi: what a buffer needs today. */
    public static final int SIZEOF = LAYOUT.size();

    /**
     * Additional subflows, not counting the initial one (the kernel's
     * {@code mptcpi_extra_subflows}); prefer {@link #subflowsTotal} where present.
     */
    public static int subflows(ByteBuffer b, int base, int length) {
        return Fields.u8(b, base, length, MPTCPI_SUBFLOWS);
    }

    /** ADD_ADDR options sent to the peer. */
    public static int addAddrSignal(ByteBuffer b, int base, int length) {
        return Fields.u8(b, base, length, MPTCPI_ADD_ADDR_SIGNAL);
    }

    /** ADD_ADDR options accepted from the peer. */
    public static int addAddrAccepted(ByteBuffer b, int base, int length) {
        return Fields.u8(b, base, length, MPTCPI_ADD_ADDR_ACCEPTED);
    }

    /** In-kernel path manager: limit of additional subflows (0 with the userspace one). */
    public static int subflowsMax(ByteBuffer b, int base, int length) {
        return Fields.u8(b, base, length, MPTCPI_SUBFLOWS_MAX);
    }

    /** In-kernel path manager: number of {@code signal} endpoints. */
    public static int addAddrSignalMax(ByteBuffer b, int base, int length) {
        return Fields.u8(b, base, length, MPTCPI_ADD_ADDR_SIGNAL_MAX);
    }

    /** In-kernel path manager: limit of ADD_ADDR accepted from the peer. */
    public static int addAddrAcceptedMax(ByteBuffer b, int base, int length) {
        return Fields.u8(b, base, length, MPTCPI_ADD_ADDR_ACCEPTED_MAX);
    }

    /**
     * {@code MPTCP_INFO_FLAG_*} bits. {@code FALLBACK} never shows through getsockopt: a
     * fallen-back socket answers MPTCP_INFO with an error instead.
     */
    public static long flags(ByteBuffer b, int base, int length) {
        return Fields.u32(b, base, length, MPTCPI_FLAGS);
    }

    /**
     * The local connection token, as the path-manager netlink API and events name the
     * connection; 0 before connect. A {@code u32}: cast to {@code int} to keep the bits.
     */
    public static long token(ByteBuffer b, int base, int length) {
        return Fields.u32(b, base, length, MPTCPI_TOKEN);
    }

    /**
     * Next data sequence number to send. A 64-bit sequence number can be 2^64 - 1 itself: when
     * that matters, check {@code length >= MPTCPI_WRITE_SEQ + 8} rather than -1.
     */
    public static long writeSeq(ByteBuffer b, int base, int length) {
        return Fields.u64(b, base, length, MPTCPI_WRITE_SEQ);
    }

    /** Oldest unacknowledged data sequence number (same caveat as {@link #writeSeq}). */
    public static long sndUna(ByteBuffer b, int base, int length) {
        return Fields.u64(b, base, length, MPTCPI_SND_UNA);
    }

    /** Next data sequence number expected (same caveat as {@link #writeSeq}). */
    public static long rcvNxt(ByteBuffer b, int base, int length) {
        return Fields.u64(b, base, length, MPTCPI_RCV_NXT);
    }

    /** In-kernel path manager: local endpoints in use. */
    public static int localAddrUsed(ByteBuffer b, int base, int length) {
        return Fields.u8(b, base, length, MPTCPI_LOCAL_ADDR_USED);
    }

    /** In-kernel path manager: number of {@code subflow} endpoints. */
    public static int localAddrMax(ByteBuffer b, int base, int length) {
        return Fields.u8(b, base, length, MPTCPI_LOCAL_ADDR_MAX);
    }

    /** 1 if DSS checksums are in use. */
    public static int csumEnabled(ByteBuffer b, int base, int length) {
        return Fields.u8(b, base, length, MPTCPI_CSUM_ENABLED);
    }

    /** MPTCP-level retransmissions. */
    public static long retransmits(ByteBuffer b, int base, int length) {
        return Fields.u32(b, base, length, MPTCPI_RETRANSMITS);
    }

    /** Bytes retransmitted at the MPTCP level. */
    public static long bytesRetrans(ByteBuffer b, int base, int length) {
        return Fields.u64(b, base, length, MPTCPI_BYTES_RETRANS);
    }

    /** Bytes sent at the MPTCP level, all subflows together. */
    public static long bytesSent(ByteBuffer b, int base, int length) {
        return Fields.u64(b, base, length, MPTCPI_BYTES_SENT);
    }

    /** Bytes received at the MPTCP level, all subflows together. */
    public static long bytesReceived(ByteBuffer b, int base, int length) {
        return Fields.u64(b, base, length, MPTCPI_BYTES_RECEIVED);
    }

    /** Bytes acknowledged at the MPTCP level. */
    public static long bytesAcked(ByteBuffer b, int base, int length) {
        return Fields.u64(b, base, length, MPTCPI_BYTES_ACKED);
    }

    /** All subflows, the initial one included. */
    public static int subflowsTotal(ByteBuffer b, int base, int length) {
        return Fields.u8(b, base, length, MPTCPI_SUBFLOWS_TOTAL);
    }

    /** In-kernel path manager: number of {@code laminar} endpoints (0 before Linux 6.18). */
    public static int endpLaminarMax(ByteBuffer b, int base, int length) {
        return Fields.u8(b, base, length, MPTCPI_ENDP_LAMINAR_MAX);
    }

    /** Milliseconds since data was last sent. */
    public static long lastDataSent(ByteBuffer b, int base, int length) {
        return Fields.u32(b, base, length, MPTCPI_LAST_DATA_SENT);
    }

    /** Milliseconds since data was last received. */
    public static long lastDataRecv(ByteBuffer b, int base, int length) {
        return Fields.u32(b, base, length, MPTCPI_LAST_DATA_RECV);
    }

    /** Milliseconds since an MPTCP-level acknowledgement was last received. */
    public static long lastAckRecv(ByteBuffer b, int base, int length) {
        return Fields.u32(b, base, length, MPTCPI_LAST_ACK_RECV);
    }
}
