package io.mptcp.nio;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * The MPTCP-level state of a connection: every field of the kernel's {@code struct mptcp_info}
 * ({@code getsockopt(SOL_MPTCP, MPTCP_INFO)}, Linux 5.16), read with
 * {@link MptcpSocketOptions#MPTCP_INFO}. Sequence numbers and byte counters are unsigned 64-bit
 * values held in a {@code long}.
 *
 * <h2>Kernel versions</h2>
 *
 * <p>The struct grows with the kernel. A field that every kernel able to report the struct has
 * (Linux 5.16 and later) is a primitive. A field that later kernels added is an
 * {@link OptionalInt} or {@link OptionalLong}, empty when the running kernel does not report it;
 * each such accessor names the version that added it. When a kernel adds a field, this class
 * gains an accessor of that kind and its {@link Builder} a setter: code written against an older
 * version of this class keeps compiling and running.
 *
 * <p>This is why {@code MptcpInfo} is a final class and not a record: a record's canonical
 * constructor and its deconstruction pattern list every component, so a new field would break
 * every caller of either.
 *
 * <p>Instances are immutable. The library makes them from the kernel's answer; {@link #builder()}
 * is public so that a program can make one for its own tests. Two instances are
 * {@linkplain #equals equal} when every field is (reported or not alike).
 */
public final class MptcpInfo {

    /** {@code MPTCP_INFO_FLAG_REMOTE_KEY_RECEIVED} (uapi/linux/mptcp.h, Linux 5.9). */
    public static final long FLAG_REMOTE_KEY_RECEIVED = 1 << 1;

    private final int extraSubflows;
    private final int addAddrSignal;
    private final int addAddrAccepted;
    private final int extraSubflowsMax;
    private final int addAddrSignalMax;
    private final int addAddrAcceptedMax;
    private final long flags;
    private final MptcpToken token;
    private final long writeSeq;
    private final long sndUna;
    private final long rcvNxt;
    private final int localAddrUsed;
    private final int localAddrMax;
    private final boolean checksumEnabled;
    private final OptionalLong retransmits;
    private final OptionalLong bytesRetransmitted;
    private final OptionalLong bytesSent;
    private final OptionalLong bytesReceived;
    private final OptionalLong bytesAcked;
    private final OptionalInt subflowsTotal;
    private final OptionalInt endpointsLaminarMax;
    private final OptionalLong lastDataSentMillis;
    private final OptionalLong lastDataReceivedMillis;
    private final OptionalLong lastAckReceivedMillis;

    private MptcpInfo(Builder b) {
        this.extraSubflows = b.extraSubflows;
        this.addAddrSignal = b.addAddrSignal;
        this.addAddrAccepted = b.addAddrAccepted;
        this.extraSubflowsMax = b.extraSubflowsMax;
        this.addAddrSignalMax = b.addAddrSignalMax;
        this.addAddrAcceptedMax = b.addAddrAcceptedMax;
        this.flags = b.flags;
        this.token = Objects.requireNonNull(b.token, "token");
        this.writeSeq = b.writeSeq;
        this.sndUna = b.sndUna;
        this.rcvNxt = b.rcvNxt;
        this.localAddrUsed = b.localAddrUsed;
        this.localAddrMax = b.localAddrMax;
        this.checksumEnabled = b.checksumEnabled;
        this.retransmits = b.retransmits;
        this.bytesRetransmitted = b.bytesRetransmitted;
        this.bytesSent = b.bytesSent;
        this.bytesReceived = b.bytesReceived;
        this.bytesAcked = b.bytesAcked;
        this.subflowsTotal = b.subflowsTotal;
        this.endpointsLaminarMax = b.endpointsLaminarMax;
        this.lastDataSentMillis = b.lastDataSentMillis;
        this.lastDataReceivedMillis = b.lastDataReceivedMillis;
        this.lastAckReceivedMillis = b.lastAckReceivedMillis;
    }

    /**
     * A builder with every primitive field 0, no token, and no optional field reported.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /** {@return subflows besides the initial one} ({@code mptcpi_subflows}) */
    public int extraSubflows() {
        return extraSubflows;
    }

    /** {@return ADD_ADDR announcements sent to the peer} ({@code mptcpi_add_addr_signal}) */
    public int addAddrSignal() {
        return addAddrSignal;
    }

    /**
     * {@return ADD_ADDR announcements accepted from the peer}
     * ({@code mptcpi_add_addr_accepted})
     */
    public int addAddrAccepted() {
        return addAddrAccepted;
    }

    /**
     * {@return the extra subflows the in-kernel path manager allows}
     * ({@code mptcpi_subflows_max}; 0 with the userspace path manager)
     */
    public int extraSubflowsMax() {
        return extraSubflowsMax;
    }

    /**
     * {@return the addresses the in-kernel path manager may announce}
     * ({@code mptcpi_add_addr_signal_max}: its {@code signal} endpoints)
     */
    public int addAddrSignalMax() {
        return addAddrSignalMax;
    }

    /**
     * {@return the announcements the in-kernel path manager may accept}
     * ({@code mptcpi_add_addr_accepted_max})
     */
    public int addAddrAcceptedMax() {
        return addAddrAcceptedMax;
    }

    /** {@return the {@code mptcpi_flags} bits} See {@link #remoteKeyReceived()}. */
    public long flags() {
        return flags;
    }

    /**
     * {@return whether the peer's key has been received: the connection is fully MPTCP}
     * ({@link #FLAG_REMOTE_KEY_RECEIVED} in {@link #flags()})
     */
    public boolean remoteKeyReceived() {
        return (flags & FLAG_REMOTE_KEY_RECEIVED) != 0;
    }

    /** {@return this host's connection token} ({@code mptcpi_token}) */
    public MptcpToken token() {
        return token;
    }

    /** {@return the next data sequence number to send} ({@code mptcpi_write_seq}) */
    public long writeSeq() {
        return writeSeq;
    }

    /** {@return the oldest unacknowledged data sequence number} ({@code mptcpi_snd_una}) */
    public long sndUna() {
        return sndUna;
    }

    /** {@return the next data sequence number expected} ({@code mptcpi_rcv_nxt}) */
    public long rcvNxt() {
        return rcvNxt;
    }

    /**
     * {@return the local addresses the in-kernel path manager uses}
     * ({@code mptcpi_local_addr_used}, Linux 5.12)
     */
    public int localAddrUsed() {
        return localAddrUsed;
    }

    /**
     * {@return the in-kernel path manager's {@code subflow} endpoints}
     * ({@code mptcpi_local_addr_max}, Linux 5.12)
     */
    public int localAddrMax() {
        return localAddrMax;
    }

    /** {@return whether DSS checksums are on} ({@code mptcpi_csum_enabled}, Linux 5.14) */
    public boolean checksumEnabled() {
        return checksumEnabled;
    }

    /**
     * {@return MPTCP-level retransmissions} ({@code mptcpi_retransmits}, Linux 6.5; empty
     * before)
     */
    public OptionalLong retransmits() {
        return retransmits;
    }

    /**
     * {@return bytes retransmitted at MPTCP level} ({@code mptcpi_bytes_retrans}, Linux 6.5;
     * empty before)
     */
    public OptionalLong bytesRetransmitted() {
        return bytesRetransmitted;
    }

    /**
     * {@return bytes sent at MPTCP level, all subflows together} ({@code mptcpi_bytes_sent},
     * Linux 6.5; empty before)
     */
    public OptionalLong bytesSent() {
        return bytesSent;
    }

    /**
     * {@return bytes received at MPTCP level, all subflows together}
     * ({@code mptcpi_bytes_received}, Linux 6.5; empty before)
     */
    public OptionalLong bytesReceived() {
        return bytesReceived;
    }

    /**
     * {@return bytes acknowledged at MPTCP level} ({@code mptcpi_bytes_acked}, Linux 6.5; empty
     * before)
     */
    public OptionalLong bytesAcked() {
        return bytesAcked;
    }

    /**
     * {@return all subflows, the initial one included} ({@code mptcpi_subflows_total}, Linux
     * 6.8; empty before)
     */
    public OptionalInt subflowsTotal() {
        return subflowsTotal;
    }

    /**
     * {@return the in-kernel path manager's {@code laminar} endpoints}
     * ({@code mptcpi_endp_laminar_max}, Linux 6.18). Empty before Linux 6.8; on 6.8 to 6.17,
     * which have no laminar endpoints, the kernel reports the byte as 0.
     */
    public OptionalInt endpointsLaminarMax() {
        return endpointsLaminarMax;
    }

    /**
     * {@return milliseconds since data was last sent} ({@code mptcpi_last_data_sent}, Linux
     * 6.10; empty before)
     */
    public OptionalLong lastDataSentMillis() {
        return lastDataSentMillis;
    }

    /**
     * {@return milliseconds since data was last received} ({@code mptcpi_last_data_recv},
     * Linux 6.10; empty before)
     */
    public OptionalLong lastDataReceivedMillis() {
        return lastDataReceivedMillis;
    }

    /**
     * {@return milliseconds since an MPTCP-level acknowledgement was last received}
     * ({@code mptcpi_last_ack_recv}, Linux 6.10; empty before)
     */
    public OptionalLong lastAckReceivedMillis() {
        return lastAckReceivedMillis;
    }

    /**
     * Whether {@code o} is an {@code MptcpInfo} with the same value in every field, the same
     * fields reported.
     *
     * @param o the object to compare with
     * @return whether it is equal to this one
     */
    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof MptcpInfo)) {
            return false;
        }
        MptcpInfo that = (MptcpInfo) o;
        return extraSubflows == that.extraSubflows
                && addAddrSignal == that.addAddrSignal
                && addAddrAccepted == that.addAddrAccepted
                && extraSubflowsMax == that.extraSubflowsMax
                && addAddrSignalMax == that.addAddrSignalMax
                && addAddrAcceptedMax == that.addAddrAcceptedMax
                && flags == that.flags
                && token.equals(that.token)
                && writeSeq == that.writeSeq
                && sndUna == that.sndUna
                && rcvNxt == that.rcvNxt
                && localAddrUsed == that.localAddrUsed
                && localAddrMax == that.localAddrMax
                && checksumEnabled == that.checksumEnabled
                && retransmits.equals(that.retransmits)
                && bytesRetransmitted.equals(that.bytesRetransmitted)
                && bytesSent.equals(that.bytesSent)
                && bytesReceived.equals(that.bytesReceived)
                && bytesAcked.equals(that.bytesAcked)
                && subflowsTotal.equals(that.subflowsTotal)
                && endpointsLaminarMax.equals(that.endpointsLaminarMax)
                && lastDataSentMillis.equals(that.lastDataSentMillis)
                && lastDataReceivedMillis.equals(that.lastDataReceivedMillis)
                && lastAckReceivedMillis.equals(that.lastAckReceivedMillis);
    }

    /** {@return a hash code consistent with {@link #equals}} */
    @Override
    public int hashCode() {
        return Objects.hash(extraSubflows, addAddrSignal, addAddrAccepted, extraSubflowsMax,
                addAddrSignalMax, addAddrAcceptedMax, flags, token, writeSeq, sndUna, rcvNxt,
                localAddrUsed, localAddrMax, checksumEnabled, retransmits, bytesRetransmitted,
                bytesSent, bytesReceived, bytesAcked, subflowsTotal, endpointsLaminarMax,
                lastDataSentMillis, lastDataReceivedMillis, lastAckReceivedMillis);
    }

    /**
     * {@return every field as {@code name=value}, in the kernel's order} A field the kernel did
     * not report is left out. The format is for people and may change.
     */
    @Override
    public String toString() {
        List<String> f = new ArrayList<>(24);
        f.add("extraSubflows=" + extraSubflows);
        f.add("addAddrSignal=" + addAddrSignal);
        f.add("addAddrAccepted=" + addAddrAccepted);
        f.add("extraSubflowsMax=" + extraSubflowsMax);
        f.add("addAddrSignalMax=" + addAddrSignalMax);
        f.add("addAddrAcceptedMax=" + addAddrAcceptedMax);
        f.add("flags=" + flags);
        f.add("token=" + token);
        f.add("writeSeq=" + Long.toUnsignedString(writeSeq));
        f.add("sndUna=" + Long.toUnsignedString(sndUna));
        f.add("rcvNxt=" + Long.toUnsignedString(rcvNxt));
        f.add("localAddrUsed=" + localAddrUsed);
        f.add("localAddrMax=" + localAddrMax);
        f.add("checksumEnabled=" + checksumEnabled);
        add(f, "retransmits", retransmits);
        add(f, "bytesRetransmitted", bytesRetransmitted);
        add(f, "bytesSent", bytesSent);
        add(f, "bytesReceived", bytesReceived);
        add(f, "bytesAcked", bytesAcked);
        if (subflowsTotal.isPresent()) {
            f.add("subflowsTotal=" + subflowsTotal.getAsInt());
        }
        if (endpointsLaminarMax.isPresent()) {
            f.add("endpointsLaminarMax=" + endpointsLaminarMax.getAsInt());
        }
        add(f, "lastDataSentMillis", lastDataSentMillis);
        add(f, "lastDataReceivedMillis", lastDataReceivedMillis);
        add(f, "lastAckReceivedMillis", lastAckReceivedMillis);
        return "MptcpInfo[" + String.join(", ", f) + "]";
    }

    private static void add(List<String> fields, String name, OptionalLong value) {
        if (value.isPresent()) {
            fields.add(name + "=" + Long.toUnsignedString(value.getAsLong()));
        }
    }

    /**
     * Makes {@link MptcpInfo}s. A field whose setter is not called is 0 (a primitive field) or
     * not reported (an optional field); the token must be set. Setters that take a
     * {@code long} for an unsigned 64-bit field take its bits.
     */
    public static final class Builder {
        private int extraSubflows;
        private int addAddrSignal;
        private int addAddrAccepted;
        private int extraSubflowsMax;
        private int addAddrSignalMax;
        private int addAddrAcceptedMax;
        private long flags;
        private MptcpToken token;
        private long writeSeq;
        private long sndUna;
        private long rcvNxt;
        private int localAddrUsed;
        private int localAddrMax;
        private boolean checksumEnabled;
        private OptionalLong retransmits = OptionalLong.empty();
        private OptionalLong bytesRetransmitted = OptionalLong.empty();
        private OptionalLong bytesSent = OptionalLong.empty();
        private OptionalLong bytesReceived = OptionalLong.empty();
        private OptionalLong bytesAcked = OptionalLong.empty();
        private OptionalInt subflowsTotal = OptionalInt.empty();
        private OptionalInt endpointsLaminarMax = OptionalInt.empty();
        private OptionalLong lastDataSentMillis = OptionalLong.empty();
        private OptionalLong lastDataReceivedMillis = OptionalLong.empty();
        private OptionalLong lastAckReceivedMillis = OptionalLong.empty();

        private Builder() {
        }

        /**
         * Sets {@link MptcpInfo#extraSubflows()}.
         *
         * @param value the value
         * @return this builder
         */
        public Builder extraSubflows(int value) {
            this.extraSubflows = value;
            return this;
        }

        /**
         * Sets {@link MptcpInfo#addAddrSignal()}.
         *
         * @param value the value
         * @return this builder
         */
        public Builder addAddrSignal(int value) {
            this.addAddrSignal = value;
            return this;
        }

        /**
         * Sets {@link MptcpInfo#addAddrAccepted()}.
         *
         * @param value the value
         * @return this builder
         */
        public Builder addAddrAccepted(int value) {
            this.addAddrAccepted = value;
            return this;
        }

        /**
         * Sets {@link MptcpInfo#extraSubflowsMax()}.
         *
         * @param value the value
         * @return this builder
         */
        public Builder extraSubflowsMax(int value) {
            this.extraSubflowsMax = value;
            return this;
        }

        /**
         * Sets {@link MptcpInfo#addAddrSignalMax()}.
         *
         * @param value the value
         * @return this builder
         */
        public Builder addAddrSignalMax(int value) {
            this.addAddrSignalMax = value;
            return this;
        }

        /**
         * Sets {@link MptcpInfo#addAddrAcceptedMax()}.
         *
         * @param value the value
         * @return this builder
         */
        public Builder addAddrAcceptedMax(int value) {
            this.addAddrAcceptedMax = value;
            return this;
        }

        /**
         * Sets {@link MptcpInfo#flags()}.
         *
         * @param value the value
         * @return this builder
         */
        public Builder flags(long value) {
            this.flags = value;
            return this;
        }

        /**
         * Sets {@link MptcpInfo#token()}.
         *
         * @param value the value
         * @return this builder
         */
        public Builder token(MptcpToken value) {
            this.token = Objects.requireNonNull(value, "token");
            return this;
        }

        /**
         * Sets {@link MptcpInfo#writeSeq()}.
         *
         * @param value the value
         * @return this builder
         */
        public Builder writeSeq(long value) {
            this.writeSeq = value;
            return this;
        }

        /**
         * Sets {@link MptcpInfo#sndUna()}.
         *
         * @param value the value
         * @return this builder
         */
        public Builder sndUna(long value) {
            this.sndUna = value;
            return this;
        }

        /**
         * Sets {@link MptcpInfo#rcvNxt()}.
         *
         * @param value the value
         * @return this builder
         */
        public Builder rcvNxt(long value) {
            this.rcvNxt = value;
            return this;
        }

        /**
         * Sets {@link MptcpInfo#localAddrUsed()}.
         *
         * @param value the value
         * @return this builder
         */
        public Builder localAddrUsed(int value) {
            this.localAddrUsed = value;
            return this;
        }

        /**
         * Sets {@link MptcpInfo#localAddrMax()}.
         *
         * @param value the value
         * @return this builder
         */
        public Builder localAddrMax(int value) {
            this.localAddrMax = value;
            return this;
        }

        /**
         * Sets {@link MptcpInfo#checksumEnabled()}.
         *
         * @param value the value
         * @return this builder
         */
        public Builder checksumEnabled(boolean value) {
            this.checksumEnabled = value;
            return this;
        }

        /**
         * Sets {@link MptcpInfo#retransmits()}, reported.
         *
         * @param value the value
         * @return this builder
         */
        public Builder retransmits(long value) {
            this.retransmits = OptionalLong.of(value);
            return this;
        }

        /**
         * Sets {@link MptcpInfo#bytesRetransmitted()}, reported.
         *
         * @param value the value
         * @return this builder
         */
        public Builder bytesRetransmitted(long value) {
            this.bytesRetransmitted = OptionalLong.of(value);
            return this;
        }

        /**
         * Sets {@link MptcpInfo#bytesSent()}, reported.
         *
         * @param value the value
         * @return this builder
         */
        public Builder bytesSent(long value) {
            this.bytesSent = OptionalLong.of(value);
            return this;
        }

        /**
         * Sets {@link MptcpInfo#bytesReceived()}, reported.
         *
         * @param value the value
         * @return this builder
         */
        public Builder bytesReceived(long value) {
            this.bytesReceived = OptionalLong.of(value);
            return this;
        }

        /**
         * Sets {@link MptcpInfo#bytesAcked()}, reported.
         *
         * @param value the value
         * @return this builder
         */
        public Builder bytesAcked(long value) {
            this.bytesAcked = OptionalLong.of(value);
            return this;
        }

        /**
         * Sets {@link MptcpInfo#subflowsTotal()}, reported.
         *
         * @param value the value
         * @return this builder
         */
        public Builder subflowsTotal(int value) {
            this.subflowsTotal = OptionalInt.of(value);
            return this;
        }

        /**
         * Sets {@link MptcpInfo#endpointsLaminarMax()}, reported.
         *
         * @param value the value
         * @return this builder
         */
        public Builder endpointsLaminarMax(int value) {
            this.endpointsLaminarMax = OptionalInt.of(value);
            return this;
        }

        /**
         * Sets {@link MptcpInfo#lastDataSentMillis()}, reported.
         *
         * @param value the value
         * @return this builder
         */
        public Builder lastDataSentMillis(long value) {
            this.lastDataSentMillis = OptionalLong.of(value);
            return this;
        }

        /**
         * Sets {@link MptcpInfo#lastDataReceivedMillis()}, reported.
         *
         * @param value the value
         * @return this builder
         */
        public Builder lastDataReceivedMillis(long value) {
            this.lastDataReceivedMillis = OptionalLong.of(value);
            return this;
        }

        /**
         * Sets {@link MptcpInfo#lastAckReceivedMillis()}, reported.
         *
         * @param value the value
         * @return this builder
         */
        public Builder lastAckReceivedMillis(long value) {
            this.lastAckReceivedMillis = OptionalLong.of(value);
            return this;
        }

        /**
         * Makes the {@link MptcpInfo}; the builder can go on to make more.
         *
         * @return an {@code MptcpInfo} of the values set
         * @throws NullPointerException if no token was set
         */
        public MptcpInfo build() {
            return new MptcpInfo(this);
        }
    }
}
