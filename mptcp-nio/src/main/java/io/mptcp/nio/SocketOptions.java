package io.mptcp.nio;

import io.mptcp.nio.internal.NativeSocketOptions;
import io.mptcp.nio.internal.SocketOptionTable;

import java.io.IOException;
import java.net.SocketException;
import java.net.SocketOption;
import java.util.Collections;
import java.util.HashSet;
import java.util.Objects;
import java.util.Set;

/**
 * The option front end the stream channels share: the JDK's argument checks, then the MPTCP
 * keys of {@link MptcpSocketOptions}, then the kernel options of {@link NativeSocketOptions}.
 */
final class SocketOptions {
    private static final Set<SocketOption<?>> SOCKET = withMptcpKeys(SocketOptionTable.socketOptions());
    private static final Set<SocketOption<?>> SERVER = withMptcpKeys(SocketOptionTable.serverOptions());

    private SocketOptions() {
    }

    private static Set<SocketOption<?>> withMptcpKeys(Set<SocketOption<?>> kernel) {
        Set<SocketOption<?>> all = new HashSet<>(kernel);
        all.add(MptcpSocketOptions.MPTCP_ENABLED);
        return Collections.unmodifiableSet(all);
    }

    static Set<SocketOption<?>> socketChannelOptions() {
        return SOCKET;
    }

    static Set<SocketOption<?>> serverChannelOptions() {
        return SERVER;
    }

    /** {@code setOption} arguments, checked as the JDK's channels check them. */
    static void checkSet(SocketOption<?> name, Object value, Set<SocketOption<?>> supported)
            throws SocketException {
        checkGet(name, supported);
        if (!name.type().isInstance(value)) {
            throw new IllegalArgumentException("Invalid value '" + value + "' for " + name.name()
                    + ": expected a " + name.type().getSimpleName());
        }
        if (name == MptcpSocketOptions.MPTCP_ENABLED) {
            throw new SocketException("setOption(MPTCP_ENABLED): read-only in this release; choose"
                    + " MPTCP or TCP with the system property io.mptcp.nio.mode");
        }
        if (SocketOptionTable.isReadOnly(name)) {
            throw new SocketException("Attempt to set read-only option " + name);
        }
    }

    /** {@code getOption} arguments: null → NPE, unsupported → UnsupportedOperationException. */
    static void checkGet(SocketOption<?> name, Set<SocketOption<?>> supported) {
        Objects.requireNonNull(name, "name");
        if (!supported.contains(name)) {
            throw new UnsupportedOperationException("'" + name + "' not supported");
        }
    }

    /** Reads a checked option of a socket. */
    static Object get(NativeSocketOptions options, SocketOption<?> name) throws IOException {
        if (name == MptcpSocketOptions.MPTCP_ENABLED) {
            return options.isMptcpNow();
        }
        return options.get(name);
    }
}
