package io.mptcp.nio.pm;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * A subflow to open on a live connection with
 * {@link io.mptcp.nio.MptcpSocketChannel#openSubflow}: from a local address (and optionally a
 * local port and an interface) to a remote address and port, as a regular or a backup path.
 * This is draft-hesmans-mptcp-socket-03's {@code MPTCP_OPEN_SUB_TUPLE}.
 *
 * <pre>{@code
 * SubflowRequest request = SubflowRequest.builder()
 *         .local(InetAddress.getByName("10.0.2.1"))
 *         .remote(new InetSocketAddress("10.0.2.2", 8080))
 *         .backup(true)
 *         .build();
 * }</pre>
 */
public final class SubflowRequest {
    private final InetAddress local;
    private final int localPort;
    private final NetworkInterface networkInterface;
    private final InetSocketAddress remote;
    private final boolean backup;

    private SubflowRequest(Builder b) {
        this.local = b.local;
        this.localPort = b.localPort;
        this.networkInterface = b.networkInterface;
        this.remote = b.remote;
        this.backup = b.backup;
    }

    /**
     * Starts a request; {@link Builder#local} and {@link Builder#remote} are required.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The local address the subflow starts from.
     *
     * @return the local address
     */
    public InetAddress local() {
        return local;
    }

    /**
     * The local port, if one was asked for; otherwise the kernel picks an ephemeral one.
     *
     * @return the local port, 1 to 65535, or empty
     */
    public OptionalInt localPort() {
        return localPort == 0 ? OptionalInt.empty() : OptionalInt.of(localPort);
    }

    /**
     * The interface the subflow is bound to, if one was asked for.
     *
     * @return the interface, or empty
     */
    public Optional<NetworkInterface> networkInterface() {
        return Optional.ofNullable(networkInterface);
    }

    /**
     * The remote address and port the subflow joins.
     *
     * @return the remote endpoint
     */
    public InetSocketAddress remote() {
        return remote;
    }

    /**
     * Whether the subflow opens as a backup path (MP_JOIN with the backup bit).
     *
     * @return true for a backup subflow
     */
    public boolean backup() {
        return backup;
    }

    @Override
    public String toString() {
        return "SubflowRequest[" + local.getHostAddress() + (localPort == 0 ? "" : ":" + localPort)
                + (networkInterface == null ? "" : "%" + networkInterface.getName()) + " -> "
                + remote + (backup ? ", backup" : "") + "]";
    }

    /** Collects a {@link SubflowRequest}. Not thread-safe. */
    public static final class Builder {
        private InetAddress local;
        private int localPort;
        private NetworkInterface networkInterface;
        private InetSocketAddress remote;
        private boolean backup;

        private Builder() {
        }

        /**
         * @param value the local address the subflow starts from; must be an address of this host
         * @return this builder
         */
        public Builder local(InetAddress value) {
            this.local = Objects.requireNonNull(value, "SubflowRequest.local: null address");
            return this;
        }

        /**
         * @param value the local port, 1 to 65535, or 0 for an ephemeral port
         * @return this builder
         * @throws IllegalArgumentException if the port is outside 0 to 65535
         */
        public Builder localPort(int value) {
            if (value < 0 || value > 0xFFFF) {
                throw new IllegalArgumentException("SubflowRequest.localPort: " + value
                        + " is outside 0..65535 (0 lets the kernel choose)");
            }
            this.localPort = value;
            return this;
        }

        /**
         * @param value the interface to bind the subflow to, or null for none
         * @return this builder
         */
        public Builder networkInterface(NetworkInterface value) {
            this.networkInterface = value;
            return this;
        }

        /**
         * @param value the remote address and port; must be resolved and its port not 0
         * @return this builder
         * @throws IllegalArgumentException if the address is unresolved or the port is 0
         */
        public Builder remote(InetSocketAddress value) {
            Objects.requireNonNull(value, "SubflowRequest.remote: null address");
            if (value.isUnresolved()) {
                throw new IllegalArgumentException("SubflowRequest.remote: " + value
                        + " is unresolved; resolve the host name first");
            }
            if (value.getPort() == 0) {
                throw new IllegalArgumentException("SubflowRequest.remote: " + value
                        + " has port 0; a subflow joins a listening port");
            }
            this.remote = value;
            return this;
        }

        /**
         * @param value true to open the subflow as a backup path
         * @return this builder
         */
        public Builder backup(boolean value) {
            this.backup = value;
            return this;
        }

        /**
         * @return the request
         * @throws IllegalStateException if the local or the remote address is missing, or
         *     their address families differ
         */
        public SubflowRequest build() {
            if (local == null || remote == null) {
                throw new IllegalStateException("SubflowRequest.build: "
                        + (local == null ? "local" : "remote") + " address is missing");
            }
            if (local.getClass() != remote.getAddress().getClass()) {
                throw new IllegalStateException("SubflowRequest.build: local " + local
                        + " and remote " + remote + " are of different address families");
            }
            return new SubflowRequest(this);
        }
    }
}
