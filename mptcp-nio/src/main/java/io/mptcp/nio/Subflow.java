package io.mptcp.nio;

import java.net.InetSocketAddress;
import java.util.Objects;
import java.util.OptionalInt;

/**
 * One subflow of an MPTCP connection: the TCP connection between two addresses that carries
 * part of its data (draft-hesmans-mptcp-socket-03 {@code MPTCP_GET_SUB_IDS} and
 * {@code MPTCP_GET_SUB_TUPLE}; RFC 6897 {@code TCP_MULTIPATH_SUBFLOWS}), as
 * {@link MptcpSocketOptions#MPTCP_SUBFLOWS} lists it.
 *
 * <p>What the kernel reports about subflows grows with its versions: as in {@link MptcpInfo}, a
 * figure that not every supported kernel reports is optional ({@link #id()}), and later ones
 * will be added the same way. That is why this is a final class and not a record.
 *
 * <p>Instances are immutable. The library makes them from the kernel's answer; {@link #builder()}
 * is public so that a program can make one for its own tests.
 */
public final class Subflow {
    private final OptionalInt id;
    private final InetSocketAddress local;
    private final InetSocketAddress remote;
    private final TcpInfo tcp;

    private Subflow(Builder b) {
        this.id = b.id;
        this.local = Objects.requireNonNull(b.local, "local");
        this.remote = Objects.requireNonNull(b.remote, "remote");
        this.tcp = Objects.requireNonNull(b.tcp, "tcp");
    }

    /**
     * A builder with no id and nothing else set yet.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * {@return the kernel's subflow id within the connection} 1 for the initial subflow, then
     * 2, 3… never reused (Linux 6.5, {@code MPTCP_FULL_INFO}); empty on 5.16 to 6.4, which
     * number no subflows. It is not the MPTCP address id that path-manager events carry.
     */
    public OptionalInt id() {
        return id;
    }

    /** {@return this host's address of the subflow} */
    public InetSocketAddress local() {
        return local;
    }

    /** {@return the peer's address of the subflow} */
    public InetSocketAddress remote() {
        return remote;
    }

    /** {@return the subflow's TCP figures} */
    public TcpInfo tcp() {
        return tcp;
    }

    /**
     * Whether {@code o} is a {@code Subflow} with the same id (or none), addresses and TCP
     * figures.
     *
     * @param o the object to compare with
     * @return whether it is equal to this one
     */
    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof Subflow)) {
            return false;
        }
        Subflow that = (Subflow) o;
        return id.equals(that.id) && local.equals(that.local) && remote.equals(that.remote)
                && tcp.equals(that.tcp);
    }

    /** {@return a hash code consistent with {@link #equals}} */
    @Override
    public int hashCode() {
        return Objects.hash(id, local, remote, tcp);
    }

    /**
     * {@return the id (where reported), the addresses and the TCP figures} The format is for
     * people and may change.
     */
    @Override
    public String toString() {
        return "Subflow[" + (id.isPresent() ? "id=" + id.getAsInt() + ", " : "")
                + "local=" + local + ", remote=" + remote + ", tcp=" + tcp + "]";
    }

    /**
     * Makes {@link Subflow}s. The addresses and the TCP figures must be set; the id is not
     * reported unless set.
     */
    public static final class Builder {
        private OptionalInt id = OptionalInt.empty();
        private InetSocketAddress local;
        private InetSocketAddress remote;
        private TcpInfo tcp;

        private Builder() {
        }

        /**
         * Sets {@link Subflow#id()}, reported.
         *
         * @param value the kernel's subflow id
         * @return this builder
         */
        public Builder id(int value) {
            this.id = OptionalInt.of(value);
            return this;
        }

        /**
         * Sets {@link Subflow#local()}.
         *
         * @param value this host's address
         * @return this builder
         */
        public Builder local(InetSocketAddress value) {
            this.local = Objects.requireNonNull(value, "local");
            return this;
        }

        /**
         * Sets {@link Subflow#remote()}.
         *
         * @param value the peer's address
         * @return this builder
         */
        public Builder remote(InetSocketAddress value) {
            this.remote = Objects.requireNonNull(value, "remote");
            return this;
        }

        /**
         * Sets {@link Subflow#tcp()}.
         *
         * @param value the subflow's TCP figures
         * @return this builder
         */
        public Builder tcp(TcpInfo value) {
            this.tcp = Objects.requireNonNull(value, "tcp");
            return this;
        }

        /**
         * Makes the {@link Subflow}; the builder can go on to make more.
         *
         * @return a {@code Subflow} of the values set
         * @throws NullPointerException if the local or remote address or the TCP figures were
         *     not set
         */
        public Subflow build() {
            return new Subflow(this);
        }
    }
}
