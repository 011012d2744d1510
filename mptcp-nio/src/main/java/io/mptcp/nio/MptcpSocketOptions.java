package io.mptcp.nio;

import java.net.SocketOption;
import java.util.Objects;

/**
 * Socket options of Multipath TCP channels, in the style of {@code jdk.net.ExtendedSocketOptions}:
 * keys for {@link java.nio.channels.NetworkChannel#getOption} and
 * {@link java.nio.channels.NetworkChannel#setOption} on the channels of
 * {@link MptcpSelectorProvider}, listed in their {@code supportedOptions()}.
 *
 * <p>Read-only keys reject {@code setOption} with {@link java.net.SocketException}, as the JDK
 * does for its read-only options.
 */
public final class MptcpSocketOptions {
    private MptcpSocketOptions() {
    }

    /**
     * Whether the connection uses Multipath TCP right now (RFC 6897 {@code TCP_MULTIPATH_ENABLE},
     * read side): {@code true} only while the socket is MPTCP and has not fallen back to TCP. It
     * reads {@code false} for a socket opened as TCP (mode {@code off}, or MPTCP refused by the
     * kernel), for a connection whose peer does not speak MPTCP, and for an accepted connection
     * from a plain TCP client. Before a connection exists it tells whether the socket was opened
     * as MPTCP. Read-only.
     *
     * <p>Kernel: {@code TCP_IS_MPTCP} (Linux 6.10); on 5.16 to 6.9 the socket protocol and
     * {@code MPTCP_INFO} are used instead, which tells the same.
     */
    public static final SocketOption<Boolean> MPTCP_ENABLED =
            new MptcpSocketOption<>("MPTCP_ENABLED", Boolean.class);

    private static final class MptcpSocketOption<T> implements SocketOption<T> {
        private final String name;
        private final Class<T> type;

        MptcpSocketOption(String name, Class<T> type) {
            this.name = Objects.requireNonNull(name);
            this.type = Objects.requireNonNull(type);
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public Class<T> type() {
            return type;
        }

        @Override
        public String toString() {
            return name;
        }
    }
}
