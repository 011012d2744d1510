package io.mptcp.nio;

/**
 * The TCP state of one subflow, from the kernel's {@code struct tcp_info}. A figure the running
 * kernel does not report is -1 (the struct grew over the years; see the README).
 *
 * @param state TCP state ({@code tcpi_state}; 1 = established)
 * @param rttMicros smoothed round-trip time in microseconds ({@code tcpi_rtt})
 * @param rttVarMicros round-trip time variance in microseconds ({@code tcpi_rttvar})
 * @param sndCwnd congestion window in segments ({@code tcpi_snd_cwnd})
 * @param bytesSent bytes sent, retransmissions included ({@code tcpi_bytes_sent}, Linux 4.19)
 * @param bytesAcked bytes acknowledged by the peer ({@code tcpi_bytes_acked}, Linux 4.1)
 * @param bytesReceived bytes received ({@code tcpi_bytes_received}, Linux 4.1)
 * @param retransmits segments retransmitted in total ({@code tcpi_total_retrans})
 * @param deliveryRateBytesPerSecond recent delivery rate ({@code tcpi_delivery_rate}, Linux 4.9)
 * @param pacingRateBytesPerSecond current pacing rate ({@code tcpi_pacing_rate}, Linux 3.15)
 */
public record TcpInfo(int state, long rttMicros, long rttVarMicros, long sndCwnd,
        long bytesSent, long bytesAcked, long bytesReceived, long retransmits,
        long deliveryRateBytesPerSecond, long pacingRateBytesPerSecond) {

    /** {@code TCP_ESTABLISHED} in {@code include/net/tcp_states.h}. */
    public static final int STATE_ESTABLISHED = 1;

    /** Whether the subflow is established. */
    public boolean isEstablished() {
        return state == STATE_ESTABLISHED;
    }
}
