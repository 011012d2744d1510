package io.mptcp.ffi;

import java.nio.ByteBuffer;

/**
 * Mirror of {@code struct tcp_info} (uapi/linux/tcp.h): {@code getsockopt(SOL_TCP, TCP_INFO)} of
 * a TCP socket (on an MPTCP socket: of its first subflow), and the per-subflow elements of
 * {@code MPTCP_TCPINFO} and {@code MPTCP_FULL_INFO}.
 *
 * <p>The struct grows at its end with kernel versions and the kernel copies only the prefix it
 * knows: 232 bytes on 5.4 to 6.1, 240 on 6.2 to 6.6, 248 on 6.7 to 6.17, 280 on 6.18. Every
 * accessor takes the {@code length} the kernel returned (for subflow arrays: the clamped element
 * size) and answers -1 for a field that ends beyond it. "Linux 2.6" marks fields older than the
 * kernel's git history; all of them predate MPTCP.
 *
 * <p>Accessors read at {@code base} of a buffer in native byte order. Unsigned fields are
 * widened ({@code u8} and {@code u16} to {@code int}, {@code u32} to {@code long}). Times are in
 * microseconds unless said otherwise.
 */
public final class StructTcpInfo {
    private StructTcpInfo() {
    }

    static final CLayout LAYOUT = CLayout.struct();

    /** uapi/linux/tcp.h, Linux 2.6: {@code __u8}, {@code TCP_ESTABLISHED} = 1 ... */
    public static final int TCPI_STATE = LAYOUT.u8();
    /** uapi/linux/tcp.h, Linux 2.6: {@code __u8}. */
    public static final int TCPI_CA_STATE = LAYOUT.u8();
    /** uapi/linux/tcp.h, Linux 2.6: {@code __u8}. */
    public static final int TCPI_RETRANSMITS = LAYOUT.u8();
    /** uapi/linux/tcp.h, Linux 2.6: {@code __u8}. */
    public static final int TCPI_PROBES = LAYOUT.u8();
    /** uapi/linux/tcp.h, Linux 2.6: {@code __u8}. */
    public static final int TCPI_BACKOFF = LAYOUT.u8();
    /** uapi/linux/tcp.h, Linux 2.6: {@code __u8}. */
    public static final int TCPI_OPTIONS = LAYOUT.u8();
    /** uapi/linux/tcp.h, Linux 2.6: {@code tcpi_snd_wscale : 4, tcpi_rcv_wscale : 4}. */
    static final int TCPI_WSCALE_BITS = LAYOUT.u8();
    /**
     * uapi/linux/tcp.h, Linux 4.9 and 5.5: {@code tcpi_delivery_rate_app_limited:1,
     * tcpi_fastopen_client_fail:2}.
     */
    static final int TCPI_FLAG_BITS = LAYOUT.u8();
    /** uapi/linux/tcp.h, Linux 2.6: {@code __u32}. */
    public static final int TCPI_RTO = LAYOUT.u32();
    /** uapi/linux/tcp.h, Linux 2.6: {@code __u32}. */
    public static final int TCPI_ATO = LAYOUT.u32();
    /** uapi/linux/tcp.h, Linux 2.6: {@code __u32}. */
    public static final int TCPI_SND_MSS = LAYOUT.u32();
    /** uapi/linux/tcp.h, Linux 2.6: {@code __u32}. */
    public static final int TCPI_RCV_MSS = LAYOUT.u32();
    /** uapi/linux/tcp.h, Linux 2.6: {@code __u32}. */
    public static final int TCPI_UNACKED = LAYOUT.u32();
    /** uapi/linux/tcp.h, Linux 2.6: {@code __u32}. */
    public static final int TCPI_SACKED = LAYOUT.u32();
    /** uapi/linux/tcp.h, Linux 2.6: {@code __u32}. */
    public static final int TCPI_LOST = LAYOUT.u32();
    /** uapi/linux/tcp.h, Linux 2.6: {@code __u32}. */
    public static final int TCPI_RETRANS = LAYOUT.u32();
    /** uapi/linux/tcp.h, Linux 2.6: {@code __u32}. */
    public static final int TCPI_FACKETS = LAYOUT.u32();
    /** uapi/linux/tcp.h, Linux 2.6: {@code __u32}, milliseconds. */
    public static final int TCPI_LAST_DATA_SENT = LAYOUT.u32();
    /** uapi/linux/tcp.h, Linux 2.6: {@code __u32}, never set by Linux. */
    public static final int TCPI_LAST_ACK_SENT = LAYOUT.u32();
    /** uapi/linux/tcp.h, Linux 2.6: {@code __u32}, milliseconds. */
    public static final int TCPI_LAST_DATA_RECV = LAYOUT.u32();
    /** uapi/linux/tcp.h, Linux 2.6: {@code __u32}, milliseconds. */
    public static final int TCPI_LAST_ACK_RECV = LAYOUT.u32();
    /** uapi/linux/tcp.h, Linux 2.6: {@code __u32}. */
    public static final int TCPI_PMTU = LAYOUT.u32();
    /** uapi/linux/tcp.h, Linux 2.6: {@code __u32}. */
    public static final int TCPI_RCV_SSTHRESH = LAYOUT.u32();
    /** uapi/linux/tcp.h, Linux 2.6: {@code __u32}. */
    public static final int TCPI_RTT = LAYOUT.u32();
    /** uapi/linux/tcp.h, Linux 2.6: {@code __u32}. */
    public static final int TCPI_RTTVAR = LAYOUT.u32();
    /** uapi/linux/tcp.h, Linux 2.6: {@code __u32}. */
    public static final int TCPI_SND_SSTHRESH = LAYOUT.u32();
    /** uapi/linux/tcp.h, Linux 2.6: {@code __u32}. */
    public static final int TCPI_SND_CWND = LAYOUT.u32();
    /** uapi/linux/tcp.h, Linux 2.6: {@code __u32}. */
    public static final int TCPI_ADVMSS = LAYOUT.u32();
    /** uapi/linux/tcp.h, Linux 2.6: {@code __u32}. */
    public static final int TCPI_REORDERING = LAYOUT.u32();
    /** uapi/linux/tcp.h, Linux 2.6: {@code __u32}. */
    public static final int TCPI_RCV_RTT = LAYOUT.u32();
    /** uapi/linux/tcp.h, Linux 2.6: {@code __u32}. */
    public static final int TCPI_RCV_SPACE = LAYOUT.u32();
    /** uapi/linux/tcp.h, Linux 2.6: {@code __u32}. */
    public static final int TCPI_TOTAL_RETRANS = LAYOUT.u32();
    /** uapi/linux/tcp.h, Linux 3.15: {@code __u64}, bytes per second. */
    public static final int TCPI_PACING_RATE = LAYOUT.u64();
    /** uapi/linux/tcp.h, Linux 3.15: {@code __u64}, bytes per second. */
    public static final int TCPI_MAX_PACING_RATE = LAYOUT.u64();
    /** uapi/linux/tcp.h, Linux 4.1: {@code __u64}. */
    public static final int TCPI_BYTES_ACKED = LAYOUT.u64();
    /** uapi/linux/tcp.h, Linux 4.1: {@code __u64}. */
    public static final int TCPI_BYTES_RECEIVED = LAYOUT.u64();
    /** uapi/linux/tcp.h, Linux 4.2: {@code __u32}. */
    public static final int TCPI_SEGS_OUT = LAYOUT.u32();
    /** uapi/linux/tcp.h, Linux 4.2: {@code __u32}. */
    public static final int TCPI_SEGS_IN = LAYOUT.u32();
    /** uapi/linux/tcp.h, Linux 4.6: {@code __u32}. */
    public static final int TCPI_NOTSENT_BYTES = LAYOUT.u32();
    /** uapi/linux/tcp.h, Linux 4.6: {@code __u32}. */
    public static final int TCPI_MIN_RTT = LAYOUT.u32();
    /** uapi/linux/tcp.h, Linux 4.6: {@code __u32}. */
    public static final int TCPI_DATA_SEGS_IN = LAYOUT.u32();
    /** uapi/linux/tcp.h, Linux 4.6: {@code __u32}. */
    public static final int TCPI_DATA_SEGS_OUT = LAYOUT.u32();
    /** uapi/linux/tcp.h, Linux 4.9: {@code __u64}, bytes per second. */
    public static final int TCPI_DELIVERY_RATE = LAYOUT.u64();
    /** uapi/linux/tcp.h, Linux 4.10: {@code __u64}. */
    public static final int TCPI_BUSY_TIME = LAYOUT.u64();
    /** uapi/linux/tcp.h, Linux 4.10: {@code __u64}. */
    public static final int TCPI_RWND_LIMITED = LAYOUT.u64();
    /** uapi/linux/tcp.h, Linux 4.10: {@code __u64}. */
    public static final int TCPI_SNDBUF_LIMITED = LAYOUT.u64();
    /** uapi/linux/tcp.h, Linux 4.18: {@code __u32}. */
    public static final int TCPI_DELIVERED = LAYOUT.u32();
    /** uapi/linux/tcp.h, Linux 4.18: {@code __u32}. */
    public static final int TCPI_DELIVERED_CE = LAYOUT.u32();
    /** uapi/linux/tcp.h, Linux 4.19: {@code __u64}. */
    public static final int TCPI_BYTES_SENT = LAYOUT.u64();
    /** uapi/linux/tcp.h, Linux 4.19: {@code __u64}. */
    public static final int TCPI_BYTES_RETRANS = LAYOUT.u64();
    /** uapi/linux/tcp.h, Linux 4.19: {@code __u32}. */
    public static final int TCPI_DSACK_DUPS = LAYOUT.u32();
    /** uapi/linux/tcp.h, Linux 4.19: {@code __u32}. */
    public static final int TCPI_REORD_SEEN = LAYOUT.u32();
    /** uapi/linux/tcp.h, Linux 5.4: {@code __u32}. */
    public static final int TCPI_RCV_OOOPACK = LAYOUT.u32();
    /** uapi/linux/tcp.h, Linux 5.4: {@code __u32}. */
    public static final int TCPI_SND_WND = LAYOUT.u32();
    /** uapi/linux/tcp.h, Linux 6.2: {@code __u32}. */
    public static final int TCPI_RCV_WND = LAYOUT.u32();
    /** uapi/linux/tcp.h, Linux 6.2: {@code __u32}. */
    public static final int TCPI_REHASH = LAYOUT.u32();
    /** uapi/linux/tcp.h, Linux 6.7: {@code __u16}. */
    public static final int TCPI_TOTAL_RTO = LAYOUT.u16();
    /** uapi/linux/tcp.h, Linux 6.7: {@code __u16}. */
    public static final int TCPI_TOTAL_RTO_RECOVERIES = LAYOUT.u16();
    /** uapi/linux/tcp.h, Linux 6.7: {@code __u32}, milliseconds. */
    public static final int TCPI_TOTAL_RTO_TIME = LAYOUT.u32();
    /** uapi/linux/tcp.h, Linux 6.18: {@code __u32}. */
    public static final int TCPI_RECEIVED_CE = LAYOUT.u32();
    /** uapi/linux/tcp.h, Linux 6.18: {@code __u32}. */
    public static final int TCPI_DELIVERED_E1_BYTES = LAYOUT.u32();
    /** uapi/linux/tcp.h, Linux 6.18: {@code __u32}. */
    public static final int TCPI_DELIVERED_E0_BYTES = LAYOUT.u32();
    /** uapi/linux/tcp.h, Linux 6.18: {@code __u32}. */
    public static final int TCPI_DELIVERED_CE_BYTES = LAYOUT.u32();
    /** uapi/linux/tcp.h, Linux 6.18: {@code __u32}. */
    public static final int TCPI_RECEIVED_E1_BYTES = LAYOUT.u32();
    /** uapi/linux/tcp.h, Linux 6.18: {@code __u32}. */
    public static final int TCPI_RECEIVED_E0_BYTES = LAYOUT.u32();
    /** uapi/linux/tcp.h, Linux 6.18: {@code __u32}. */
    public static final int TCPI_RECEIVED_CE_BYTES = LAYOUT.u32();
    /** uapi/linux/tcp.h, Linux 6.18: {@code __u16}. */
    public static final int TCPI_ACCECN_FAIL_MODE = LAYOUT.u16();
    /** uapi/linux/tcp.h, Linux 6.18: {@code __u16}. */
    public static final int TCPI_ACCECN_OPT_SEEN = LAYOUT.u16();

    /** {@code sizeof(struct tcp_info)} in the 6.18 uapi: what a buffer needs today. */
    public static final int SIZEOF = LAYOUT.size();

    /** TCP state ({@code TCP_ESTABLISHED} = 1, as in include/net/tcp_states.h). */
    public static int state(ByteBuffer b, int base, int length) {
        return Fields.u8(b, base, length, TCPI_STATE);
    }

    /** Congestion-avoidance state ({@code TCP_CA_Open} = 0 ... {@code TCP_CA_Loss} = 4). */
    public static int caState(ByteBuffer b, int base, int length) {
        return Fields.u8(b, base, length, TCPI_CA_STATE);
    }

    /** Retransmissions of the current unacknowledged segment (recurring RTOs). */
    public static int retransmits(ByteBuffer b, int base, int length) {
        return Fields.u8(b, base, length, TCPI_RETRANSMITS);
    }

    /** Retransmission timeout. */
    public static long rto(ByteBuffer b, int base, int length) {
        return Fields.u32(b, base, length, TCPI_RTO);
    }

    /** Send maximum segment size, bytes. */
    public static long sndMss(ByteBuffer b, int base, int length) {
        return Fields.u32(b, base, length, TCPI_SND_MSS);
    }

    /** Receive maximum segment size estimate, bytes. */
    public static long rcvMss(ByteBuffer b, int base, int length) {
        return Fields.u32(b, base, length, TCPI_RCV_MSS);
    }

    /** Segments sent and not yet acknowledged. */
    public static long unacked(ByteBuffer b, int base, int length) {
        return Fields.u32(b, base, length, TCPI_UNACKED);
    }

    /** Segments presumed lost. */
    public static long lost(ByteBuffer b, int base, int length) {
        return Fields.u32(b, base, length, TCPI_LOST);
    }

    /** Segments retransmitted and not yet acknowledged. */
    public static long retrans(ByteBuffer b, int base, int length) {
        return Fields.u32(b, base, length, TCPI_RETRANS);
    }

    /** Milliseconds since data was last sent. */
    public static long lastDataSent(ByteBuffer b, int base, int length) {
        return Fields.u32(b, base, length, TCPI_LAST_DATA_SENT);
    }

    /** Milliseconds since data was last received. */
    public static long lastDataRecv(ByteBuffer b, int base, int length) {
        return Fields.u32(b, base, length, TCPI_LAST_DATA_RECV);
    }

    /** Smoothed round-trip time. */
    public static long rtt(ByteBuffer b, int base, int length) {
        return Fields.u32(b, base, length, TCPI_RTT);
    }

    /** Round-trip time variation. */
    public static long rttvar(ByteBuffer b, int base, int length) {
        return Fields.u32(b, base, length, TCPI_RTTVAR);
    }

    /** Slow-start threshold, segments. */
    public static long sndSsthresh(ByteBuffer b, int base, int length) {
        return Fields.u32(b, base, length, TCPI_SND_SSTHRESH);
    }

    /** Congestion window, segments. */
    public static long sndCwnd(ByteBuffer b, int base, int length) {
        return Fields.u32(b, base, length, TCPI_SND_CWND);
    }

    /** Segments retransmitted over the connection's life. */
    public static long totalRetrans(ByteBuffer b, int base, int length) {
        return Fields.u32(b, base, length, TCPI_TOTAL_RETRANS);
    }

    /** Current pacing rate, bytes per second. */
    public static long pacingRate(ByteBuffer b, int base, int length) {
        return Fields.u64(b, base, length, TCPI_PACING_RATE);
    }

    /**
     * Pacing-rate cap ({@code SO_MAX_PACING_RATE}), bytes per second. Unlimited, the default,
     * is 2^64 - 1 and so also reads -1: check {@code length} to tell it from absent.
     */
    public static long maxPacingRate(ByteBuffer b, int base, int length) {
        return Fields.u64(b, base, length, TCPI_MAX_PACING_RATE);
    }

    /** Bytes acknowledged by the peer. */
    public static long bytesAcked(ByteBuffer b, int base, int length) {
        return Fields.u64(b, base, length, TCPI_BYTES_ACKED);
    }

    /** Bytes received in order. */
    public static long bytesReceived(ByteBuffer b, int base, int length) {
        return Fields.u64(b, base, length, TCPI_BYTES_RECEIVED);
    }

    /** Segments sent, retransmissions included. */
    public static long segsOut(ByteBuffer b, int base, int length) {
        return Fields.u32(b, base, length, TCPI_SEGS_OUT);
    }

    /** Segments received. */
    public static long segsIn(ByteBuffer b, int base, int length) {
        return Fields.u32(b, base, length, TCPI_SEGS_IN);
    }

    /** Bytes written by the application and not yet sent. */
    public static long notsentBytes(ByteBuffer b, int base, int length) {
        return Fields.u32(b, base, length, TCPI_NOTSENT_BYTES);
    }

    /** Minimum round-trip time observed. */
    public static long minRtt(ByteBuffer b, int base, int length) {
        return Fields.u32(b, base, length, TCPI_MIN_RTT);
    }

    /** Most recent delivery-rate sample, bytes per second. */
    public static long deliveryRate(ByteBuffer b, int base, int length) {
        return Fields.u64(b, base, length, TCPI_DELIVERY_RATE);
    }

    /** Data bytes sent, retransmissions included. */
    public static long bytesSent(ByteBuffer b, int base, int length) {
        return Fields.u64(b, base, length, TCPI_BYTES_SENT);
    }

    /** Data bytes retransmitted. */
    public static long bytesRetrans(ByteBuffer b, int base, int length) {
        return Fields.u64(b, base, length, TCPI_BYTES_RETRANS);
    }

    /** The peer's advertised receive window after scaling, bytes. */
    public static long sndWnd(ByteBuffer b, int base, int length) {
        return Fields.u32(b, base, length, TCPI_SND_WND);
    }

    /** The local advertised receive window after scaling, bytes. */
    public static long rcvWnd(ByteBuffer b, int base, int length) {
        return Fields.u32(b, base, length, TCPI_RCV_WND);
    }

    /** Retransmission timeouts, SYN and SYN-ACK timeouts included. */
    public static int totalRto(ByteBuffer b, int base, int length) {
        return Fields.u16(b, base, length, TCPI_TOTAL_RTO);
    }
}
