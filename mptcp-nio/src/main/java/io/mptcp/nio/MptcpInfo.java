package io.mptcp.nio;

import java.util.Objects;

/**
 * The MPTCP-level state of a connection: every field of the kernel's {@code struct mptcp_info}
 * ({@code getsockopt(SOL_MPTCP, MPTCP_INFO)}, Linux 5.16). The struct grew with kernel versions;
 * a field the running kernel does not report is -1. Sequence numbers and byte counters are
 * unsigned 64-bit values held in a {@code long}.
 *
 * @param extraSubflows subflows besides the initial one ({@code mptcpi_subflows})
 * @param addAddrSignal ADD_ADDR announcements sent ({@code mptcpi_add_addr_signal})
 * @param addAddrAccepted ADD_ADDR announcements accepted from the peer
 * @param extraSubflowsMax in-kernel path manager: extra subflows allowed
 *     ({@code mptcpi_subflows_max}; 0 with the userspace path manager)
 * @param addAddrSignalMax in-kernel path manager: addresses it may announce
 * @param addAddrAcceptedMax in-kernel path manager: announcements it may accept
 * @param flags {@code mptcpi_flags}; see {@link #remoteKeyReceived()}
 * @param token this host's connection token ({@code mptcpi_token})
 * @param writeSeq next data sequence number to send ({@code mptcpi_write_seq})
 * @param sndUna oldest unacknowledged data sequence number ({@code mptcpi_snd_una})
 * @param rcvNxt next data sequence number expected ({@code mptcpi_rcv_nxt})
 * @param localAddrUsed in-kernel path manager: local addresses in use (Linux 5.12)
 * @param localAddrMax in-kernel path manager: subflow endpoints (Linux 5.12)
 * @param checksumEnabled 1 if DSS checksums are on, 0 if not (Linux 5.14; reads 0 on 5.12/5.13)
 * @param retransmits MPTCP-level retransmissions (Linux 6.5)
 * @param bytesRetransmitted bytes retransmitted at MPTCP level (Linux 6.5)
 * @param bytesSent bytes sent at MPTCP level (Linux 6.5)
 * @param bytesReceived bytes received at MPTCP level (Linux 6.5)
 * @param bytesAcked bytes acknowledged at MPTCP level (Linux 6.5)
 * @param subflowsTotal all subflows, the initial one included (Linux 6.8)
 * @param endpointsLaminarMax in-kernel path manager: laminar endpoints (Linux 6.18)
 * @param lastDataSentMillis milliseconds since data was last sent (Linux 6.10)
 * @param lastDataReceivedMillis milliseconds since data was last received (Linux 6.10)
 * @param lastAckReceivedMillis milliseconds since an ack was last received (Linux 6.10)
 */
public record MptcpInfo(int extraSubflows, int addAddrSignal, int addAddrAccepted,
        int extraSubflowsMax, int addAddrSignalMax, int addAddrAcceptedMax, long flags,
        MptcpToken token, long writeSeq, long sndUna, long rcvNxt, int localAddrUsed,
        int localAddrMax, int checksumEnabled, long retransmits, long bytesRetransmitted,
        long bytesSent, long bytesReceived, long bytesAcked, int subflowsTotal,
        int endpointsLaminarMax, long lastDataSentMillis, long lastDataReceivedMillis,
        long lastAckReceivedMillis) {

    /** {@code MPTCP_INFO_FLAG_REMOTE_KEY_RECEIVED} (uapi/linux/mptcp.h, Linux 5.9). */
    public static final long FLAG_REMOTE_KEY_RECEIVED = 1 << 1;

    public MptcpInfo {
        Objects.requireNonNull(token, "token");
    }

    /** Whether the peer's key has been received: the connection is fully MPTCP. */
    public boolean remoteKeyReceived() {
        return (flags & FLAG_REMOTE_KEY_RECEIVED) != 0;
    }
}
