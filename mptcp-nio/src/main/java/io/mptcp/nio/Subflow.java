package io.mptcp.nio;

import java.net.InetSocketAddress;
import java.util.Objects;
import java.util.Optional;
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
 * <p>The backup flags and {@link #fullyEstablished()} come from the kernel's socket diagnostics
 * ({@code NETLINK_SOCK_DIAG}, the MPTCP part of {@code INET_DIAG_ULP_INFO} of the subflow's TCP
 * socket, what {@code ss -ti} prints as {@code tcp-ulp-mptcp flags:}), not from the MPTCP
 * socket, which does not report them. Linux 6.15 and later tell any process; older kernels only
 * a process with {@code CAP_NET_ADMIN}. They are empty where the kernel does not tell: see
 * {@link #localBackup()}.
 *
 * <p>Instances are immutable. The library makes them from the kernel's answer; {@link #builder()}
 * is public so that a program can make one for its own tests.
 */
public final class Subflow {
    private final OptionalInt id;
    private final InetSocketAddress local;
    private final InetSocketAddress remote;
    private final TcpInfo tcp;
    private final Optional<Boolean> localBackup;
    private final Optional<Boolean> remoteBackup;
    private final Optional<Boolean> fullyEstablished;

    private Subflow(Builder b) {
        this.id = b.id;
        this.local = Objects.requireNonNull(b.local, "local");
        this.remote = Objects.requireNonNull(b.remote, "remote");
        this.tcp = Objects.requireNonNull(b.tcp, "tcp");
        this.localBackup = b.localBackup;
        this.remoteBackup = b.remoteBackup;
        this.fullyEstablished = b.fullyEstablished;
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
     * Whether this host marked the subflow backup: it asked the peer to use it only when no
     * other subflow is usable, with the backup bit of the {@code MP_JOIN} it sent (an in-kernel
     * endpoint flagged {@code backup}, a userspace path manager's backup flag) or with an
     * {@code MP_PRIO} it sent later. The kernel's {@code MPTCP_SUBFLOW_FLAG_BKUP_LOC}
     * ({@code ss}: {@code b}).
     *
     * <p>Empty, like {@link #remoteBackup()} and {@link #fullyEstablished()}, when the kernel
     * does not tell this process: a kernel without socket diagnostics for TCP
     * ({@code CONFIG_INET_DIAG} and {@code CONFIG_INET_TCP_DIAG}, modules {@code inet_diag} and
     * {@code tcp_diag}), a kernel before 6.15 and a process without {@code CAP_NET_ADMIN}, the
     * list read from a thread in another network namespace than the socket's (the query goes
     * to the calling thread's), or a subflow that closed between the two reads. The library
     * logs the first reason it meets ({@code System.Logger} {@code io.mptcp.nio}, INFO).
     *
     * @return whether this host marked the subflow backup, if the kernel says
     */
    public Optional<Boolean> localBackup() {
        return localBackup;
    }

    /**
     * Whether the peer marked the subflow backup: the backup bit of its {@code MP_JOIN}, or
     * its {@code MP_PRIO}. The kernel's {@code MPTCP_SUBFLOW_FLAG_BKUP_REM} ({@code ss}:
     * {@code B}). This host's kernel then sends on the subflow only when no other subflow is
     * usable. Empty when the kernel does not tell, as {@link #localBackup()} says.
     *
     * @return whether the peer marked the subflow backup, if the kernel says
     */
    public Optional<Boolean> remoteBackup() {
        return remoteBackup;
    }

    /**
     * Whether the subflow's MPTCP handshake completed: for the initial subflow, the peer
     * confirmed the keys (the third {@code MP_CAPABLE} ACK, or data acknowledged); for a join,
     * the fourth {@code MP_JOIN} ACK was acknowledged. A join this host opened carries no data
     * before. The kernel's {@code MPTCP_SUBFLOW_FLAG_FULLY_ESTABLISHED} ({@code ss}:
     * {@code e}). Empty when the kernel does not tell, as {@link #localBackup()} says.
     *
     * @return whether the subflow is fully established, if the kernel says
     */
    public Optional<Boolean> fullyEstablished() {
        return fullyEstablished;
    }

    /**
     * Whether {@code o} is a {@code Subflow} with the same id (or none), addresses, TCP
     * figures and flags (or none).
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
                && tcp.equals(that.tcp) && localBackup.equals(that.localBackup)
                && remoteBackup.equals(that.remoteBackup)
                && fullyEstablished.equals(that.fullyEstablished);
    }

    /** {@return a hash code consistent with {@link #equals}} */
    @Override
    public int hashCode() {
        return Objects.hash(id, local, remote, tcp, localBackup, remoteBackup, fullyEstablished);
    }

    /**
     * {@return the id, the addresses, the flags (where reported) and the TCP figures} The
     * format is for people and may change.
     */
    @Override
    public String toString() {
        return "Subflow[" + (id.isPresent() ? "id=" + id.getAsInt() + ", " : "")
                + "local=" + local + ", remote=" + remote
                + flag(", localBackup=", localBackup) + flag(", remoteBackup=", remoteBackup)
                + flag(", fullyEstablished=", fullyEstablished) + ", tcp=" + tcp + "]";
    }

    private static String flag(String name, Optional<Boolean> value) {
        return value.map(v -> name + v).orElse("");
    }

    /**
     * Makes {@link Subflow}s. The addresses and the TCP figures must be set; the id and the
     * flags are not reported unless set.
     */
    public static final class Builder {
        private OptionalInt id = OptionalInt.empty();
        private InetSocketAddress local;
        private InetSocketAddress remote;
        private TcpInfo tcp;
        private Optional<Boolean> localBackup = Optional.empty();
        private Optional<Boolean> remoteBackup = Optional.empty();
        private Optional<Boolean> fullyEstablished = Optional.empty();

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
         * Sets {@link Subflow#localBackup()}, reported.
         *
         * @param value whether this host marked the subflow backup
         * @return this builder
         */
        public Builder localBackup(boolean value) {
            this.localBackup = Optional.of(value);
            return this;
        }

        /**
         * Sets {@link Subflow#remoteBackup()}, reported.
         *
         * @param value whether the peer marked the subflow backup
         * @return this builder
         */
        public Builder remoteBackup(boolean value) {
            this.remoteBackup = Optional.of(value);
            return this;
        }

        /**
         * Sets {@link Subflow#fullyEstablished()}, reported.
         *
         * @param value whether the subflow's MPTCP handshake completed
         * @return this builder
         */
        public Builder fullyEstablished(boolean value) {
            this.fullyEstablished = Optional.of(value);
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
