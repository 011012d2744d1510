package io.mptcp.nio.internal.options;

import io.mptcp.nio.FallbackReason;
import io.mptcp.nio.MptcpInfo;
import io.mptcp.nio.MptcpSocketOptions;

import java.io.IOException;
import java.net.SocketException;
import java.net.SocketOption;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The option front end the stream channels share: the JDK's argument checks, then the MPTCP
 * keys of {@link MptcpSocketOptions}, then the kernel options of {@link NativeSocketOptions}.
 */
public final class SocketOptions {
    // Keys that describe a connection; a listener has none.
    private static final Set<SocketOption<?>> CONNECTION_KEYS = Set.of(
            MptcpSocketOptions.MPTCP_TOKEN, MptcpSocketOptions.MPTCP_INFO,
            MptcpSocketOptions.MPTCP_SUBFLOWS);
    private static final Set<SocketOption<?>> SOCKET =
            withMptcpKeys(SocketOptionTable.socketOptions(), CONNECTION_KEYS);
    private static final Set<SocketOption<?>> SERVER =
            withMptcpKeys(SocketOptionTable.serverOptions(), Set.of());

    private SocketOptions() {
    }

    private static Set<SocketOption<?>> withMptcpKeys(Set<SocketOption<?>> kernel,
            Set<SocketOption<?>> connectionKeys) {
        Set<SocketOption<?>> all = new HashSet<>(kernel);
        all.add(MptcpSocketOptions.MPTCP_ENABLED);
        all.add(MptcpSocketOptions.MPTCP_FALLBACK_REASON);
        all.addAll(connectionKeys);
        return Collections.unmodifiableSet(all);
    }

    public static Set<SocketOption<?>> socketChannelOptions() {
        return SOCKET;
    }

    public static Set<SocketOption<?>> serverChannelOptions() {
        return SERVER;
    }

    /** {@code setOption} arguments, checked as the JDK's channels check them. */
    public static void checkSet(SocketOption<?> name, Object value, Set<SocketOption<?>> supported)
            throws SocketException {
        checkGet(name, supported);
        if (!name.type().isInstance(value)) {
            throw new IllegalArgumentException("Invalid value '" + value + "' for " + name.name()
                    + ": expected a " + name.type().getSimpleName());
        }
        if (CONNECTION_KEYS.contains(name)) {
            throw new SocketException("setOption(" + name + "): read-only, it reports the"
                    + " kernel's state of the connection");
        }
        if (name == MptcpSocketOptions.MPTCP_FALLBACK_REASON) {
            throw new SocketException("setOption(" + name + "): read-only, it reports why the"
                    + " socket is plain TCP (choose MPTCP or TCP with MPTCP_ENABLED)");
        }
        if (SocketOptionTable.isReadOnly(name)) {
            throw new SocketException("Attempt to set read-only option " + name);
        }
    }

    /** Why {@code MPTCP_ENABLED} cannot change on a socket that is already {@code what}. */
    public static SocketException tooLateToSwitch(boolean mptcp, String what) {
        return new SocketException("setOption(MPTCP_ENABLED, " + mptcp + "): the socket is"
                + " already " + what + "; MPTCP or TCP can only be chosen before bind and connect"
                + " (set the option right after open)");
    }

    /** {@code getOption} arguments: null → NPE, unsupported → UnsupportedOperationException. */
    public static void checkGet(SocketOption<?> name, Set<SocketOption<?>> supported) {
        Objects.requireNonNull(name, "name");
        if (!supported.contains(name)) {
            throw new UnsupportedOperationException("'" + name + "' not supported");
        }
    }

    /** Reads a checked option of a listening socket (it has no connection keys). */
    public static Object getListenerOption(NativeSocketOptions options, SocketOption<?> name)
            throws IOException {
        if (name == MptcpSocketOptions.MPTCP_FALLBACK_REASON) {
            return fallbackReason(options, FallbackDiagnosis.Role.LISTENER);
        }
        return name == MptcpSocketOptions.MPTCP_ENABLED ? options.isMptcpNow() : options.get(name);
    }

    private static FallbackReason fallbackReason(NativeSocketOptions options,
            FallbackDiagnosis.Role role) throws IOException {
        boolean mptcpSocket = options.isMptcpSocket();
        return FallbackDiagnosis.diagnose(options.origin(), role, mptcpSocket,
                mptcpSocket && options.isMptcpNow(), NamespaceMptcpState::current);
    }

    /** Reads a checked option of a connecting or connected socket. */
    public static Object get(NativeSocketOptions options, MptcpIntrospection mptcp, boolean connected,
            SocketOption<?> name) throws IOException {
        if (name == MptcpSocketOptions.MPTCP_ENABLED) {
            return options.isMptcpNow();
        }
        if (name == MptcpSocketOptions.MPTCP_INFO) {
            return connected ? mptcp.info("MPTCP_INFO") : Optional.empty();
        }
        if (name == MptcpSocketOptions.MPTCP_TOKEN) {
            return connected ? mptcp.info("MPTCP_TOKEN").map(MptcpInfo::token) : Optional.empty();
        }
        if (name == MptcpSocketOptions.MPTCP_SUBFLOWS) {
            return connected ? mptcp.subflows() : List.of();
        }
        if (name == MptcpSocketOptions.MPTCP_FALLBACK_REASON) {
            return fallbackReason(options, connected ? FallbackDiagnosis.Role.CONNECTED
                    : FallbackDiagnosis.Role.UNCONNECTED);
        }
        return options.get(name);
    }
}
