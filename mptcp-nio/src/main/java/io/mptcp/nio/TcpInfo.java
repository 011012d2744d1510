package io.mptcp.nio;

import java.util.Objects;

/**
 * The TCP state of one subflow, from the kernel's {@code struct tcp_info}: the
 * {@link Subflow#tcp()} of each subflow that {@link MptcpSocketOptions#MPTCP_SUBFLOWS} lists.
 * Counters are unsigned 64-bit values held in a {@code long}.
 *
 * <h2>Kernel versions</h2>
 *
 * <p>Every field here is older than the kernels that can list subflows (Linux 5.16 and later),
 * so every field is a primitive and always reported. The struct keeps growing; a figure from a
 * later kernel would be added as an {@link java.util.OptionalInt} or
 * {@link java.util.OptionalLong} accessor, empty where the running kernel does not report it, as
 * in {@link MptcpInfo}. That is why this is a final class and not a record: a new field would
 * change a record's canonical constructor and its deconstruction pattern.
 *
 * <p>Instances are immutable. The library makes them from the kernel's answer; {@link #builder()}
 * is public so that a program can make one for its own tests.
 */
public final class TcpInfo {

    /** {@code TCP_ESTABLISHED} in {@code include/net/tcp_states.h}. */
    public static final int STATE_ESTABLISHED = 1;

    private final int state;
    private final long rttMicros;
    private final long rttVarMicros;
    private final long sndCwnd;
    private final long bytesSent;
    private final long bytesAcked;
    private final long bytesReceived;
    private final long retransmits;
    private final long deliveryRateBytesPerSecond;
    private final long pacingRateBytesPerSecond;

    private TcpInfo(Builder b) {
        this.state = b.state;
        this.rttMicros = b.rttMicros;
        this.rttVarMicros = b.rttVarMicros;
        this.sndCwnd = b.sndCwnd;
        this.bytesSent = b.bytesSent;
        this.bytesAcked = b.bytesAcked;
        this.bytesReceived = b.bytesReceived;
        this.retransmits = b.retransmits;
        this.deliveryRateBytesPerSecond = b.deliveryRateBytesPerSecond;
        this.pacingRateBytesPerSecond = b.pacingRateBytesPerSecond;
    }

    /**
     * A builder with every field 0.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /** {@return the TCP state} ({@code tcpi_state}; {@link #STATE_ESTABLISHED} = 1) */
    public int state() {
        return state;
    }

    /** {@return whether the subflow is established} */
    public boolean isEstablished() {
        return state == STATE_ESTABLISHED;
    }

    /** {@return the smoothed round-trip time in microseconds} ({@code tcpi_rtt}) */
    public long rttMicros() {
        return rttMicros;
    }

    /** {@return the round-trip time variance in microseconds} ({@code tcpi_rttvar}) */
    public long rttVarMicros() {
        return rttVarMicros;
    }

    /** {@return the congestion window in segments} ({@code tcpi_snd_cwnd}) */
    public long sndCwnd() {
        return sndCwnd;
    }

    /**
     * {@return bytes sent, retransmissions included} ({@code tcpi_bytes_sent}, Linux 4.19)
     */
    public long bytesSent() {
        return bytesSent;
    }

    /** {@return bytes acknowledged by the peer} ({@code tcpi_bytes_acked}, Linux 4.1) */
    public long bytesAcked() {
        return bytesAcked;
    }

    /** {@return bytes received} ({@code tcpi_bytes_received}, Linux 4.1) */
    public long bytesReceived() {
        return bytesReceived;
    }

    /** {@return segments retransmitted in total} ({@code tcpi_total_retrans}) */
    public long retransmits() {
        return retransmits;
    }

    /**
     * {@return the most recent delivery rate in bytes per second} ({@code tcpi_delivery_rate},
     * Linux 4.9)
     */
    public long deliveryRateBytesPerSecond() {
        return deliveryRateBytesPerSecond;
    }

    /**
     * {@return the current pacing rate in bytes per second} ({@code tcpi_pacing_rate}, Linux
     * 3.15)
     */
    public long pacingRateBytesPerSecond() {
        return pacingRateBytesPerSecond;
    }

    /**
     * Whether {@code o} is a {@code TcpInfo} with the same value in every field.
     *
     * @param o the object to compare with
     * @return whether it is equal to this one
     */
    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof TcpInfo)) {
            return false;
        }
        TcpInfo that = (TcpInfo) o;
        return state == that.state
                && rttMicros == that.rttMicros
                && rttVarMicros == that.rttVarMicros
                && sndCwnd == that.sndCwnd
                && bytesSent == that.bytesSent
                && bytesAcked == that.bytesAcked
                && bytesReceived == that.bytesReceived
                && retransmits == that.retransmits
                && deliveryRateBytesPerSecond == that.deliveryRateBytesPerSecond
                && pacingRateBytesPerSecond == that.pacingRateBytesPerSecond;
    }

    /** {@return a hash code consistent with {@link #equals}} */
    @Override
    public int hashCode() {
        return Objects.hash(state, rttMicros, rttVarMicros, sndCwnd, bytesSent, bytesAcked,
                bytesReceived, retransmits, deliveryRateBytesPerSecond,
                pacingRateBytesPerSecond);
    }

    /** {@return every field as {@code name=value}} The format is for people and may change. */
    @Override
    public String toString() {
        return "TcpInfo[state=" + state
                + ", rttMicros=" + rttMicros
                + ", rttVarMicros=" + rttVarMicros
                + ", sndCwnd=" + sndCwnd
                + ", bytesSent=" + Long.toUnsignedString(bytesSent)
                + ", bytesAcked=" + Long.toUnsignedString(bytesAcked)
                + ", bytesReceived=" + Long.toUnsignedString(bytesReceived)
                + ", retransmits=" + retransmits
                + ", deliveryRateBytesPerSecond="
                + Long.toUnsignedString(deliveryRateBytesPerSecond)
                + ", pacingRateBytesPerSecond=" + Long.toUnsignedString(pacingRateBytesPerSecond)
                + "]";
    }

    /**
     * Makes {@link TcpInfo}s. A field whose setter is not called is 0. Setters that take a
     * {@code long} for an unsigned 64-bit field take its bits.
     */
    public static final class Builder {
        private int state;
        private long rttMicros;
        private long rttVarMicros;
        private long sndCwnd;
        private long bytesSent;
        private long bytesAcked;
        private long bytesReceived;
        private long retransmits;
        private long deliveryRateBytesPerSecond;
        private long pacingRateBytesPerSecond;

        private Builder() {
        }

        /**
         * Sets {@link TcpInfo#state()}.
         *
         * @param value the value
         * @return this builder
         */
        public Builder state(int value) {
            this.state = value;
            return this;
        }

        /**
         * Sets {@link TcpInfo#rttMicros()}.
         *
         * @param value the value
         * @return this builder
         */
        public Builder rttMicros(long value) {
            this.rttMicros = value;
            return this;
        }

        /**
         * Sets {@link TcpInfo#rttVarMicros()}.
         *
         * @param value the value
         * @return this builder
         */
        public Builder rttVarMicros(long value) {
            this.rttVarMicros = value;
            return this;
        }

        /**
         * Sets {@link TcpInfo#sndCwnd()}.
         *
         * @param value the value
         * @return this builder
         */
        public Builder sndCwnd(long value) {
            this.sndCwnd = value;
            return this;
        }

        /**
         * Sets {@link TcpInfo#bytesSent()}.
         *
         * @param value the value
         * @return this builder
         */
        public Builder bytesSent(long value) {
            this.bytesSent = value;
            return this;
        }

        /**
         * Sets {@link TcpInfo#bytesAcked()}.
         *
         * @param value the value
         * @return this builder
         */
        public Builder bytesAcked(long value) {
            this.bytesAcked = value;
            return this;
        }

        /**
         * Sets {@link TcpInfo#bytesReceived()}.
         *
         * @param value the value
         * @return this builder
         */
        public Builder bytesReceived(long value) {
            this.bytesReceived = value;
            return this;
        }

        /**
         * Sets {@link TcpInfo#retransmits()}.
         *
         * @param value the value
         * @return this builder
         */
        public Builder retransmits(long value) {
            this.retransmits = value;
            return this;
        }

        /**
         * Sets {@link TcpInfo#deliveryRateBytesPerSecond()}.
         *
         * @param value the value
         * @return this builder
         */
        public Builder deliveryRateBytesPerSecond(long value) {
            this.deliveryRateBytesPerSecond = value;
            return this;
        }

        /**
         * Sets {@link TcpInfo#pacingRateBytesPerSecond()}.
         *
         * @param value the value
         * @return this builder
         */
        public Builder pacingRateBytesPerSecond(long value) {
            this.pacingRateBytesPerSecond = value;
            return this;
        }

        /**
         * Makes the {@link TcpInfo}; the builder can go on to make more.
         *
         * @return a {@code TcpInfo} of the values set
         */
        public TcpInfo build() {
            return new TcpInfo(this);
        }
    }
}
