package io.mptcp.nio.internal.options;

import io.mptcp.ffi.LinuxUapi;

import java.lang.reflect.Field;
import java.net.SocketOption;
import java.net.StandardSocketOptions;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * The kernel level and name of each socket option the INET stream channels support: the JDK's
 * standard ones plus the {@code jdk.net.ExtendedSocketOptions} that Linux TCP sockets take.
 */
public final class SocketOptionTable {

    /** Where an option lives in the kernel: {@code setsockopt(fd, level, optname, …)}. */
    public record Native(int level, int optname) {
    }

    /** Internal key for {@code SO_OOBINLINE}, which the socket adaptor sets (as the JDK's does). */
    public static final SocketOption<Boolean> SO_OOBINLINE = new SocketOption<>() {
        @Override
        public String name() {
            return "SO_OOBINLINE";
        }

        @Override
        public Class<Boolean> type() {
            return Boolean.class;
        }

        @Override
        public String toString() {
            return name();
        }
    };

    private static final Map<SocketOption<?>, Native> NATIVE = new HashMap<>();
    private static final Set<SocketOption<?>> READ_ONLY = new HashSet<>();
    private static final Set<SocketOption<?>> SOCKET_OPTIONS;
    private static final Set<SocketOption<?>> SERVER_OPTIONS;

    static {
        NATIVE.put(StandardSocketOptions.SO_SNDBUF, sol(LinuxUapi.SO_SNDBUF));
        NATIVE.put(StandardSocketOptions.SO_RCVBUF, sol(LinuxUapi.SO_RCVBUF));
        NATIVE.put(StandardSocketOptions.SO_KEEPALIVE, sol(LinuxUapi.SO_KEEPALIVE));
        NATIVE.put(StandardSocketOptions.SO_REUSEADDR, sol(LinuxUapi.SO_REUSEADDR));
        NATIVE.put(StandardSocketOptions.SO_REUSEPORT, sol(LinuxUapi.SO_REUSEPORT));
        NATIVE.put(StandardSocketOptions.SO_LINGER, sol(LinuxUapi.SO_LINGER));
        NATIVE.put(StandardSocketOptions.TCP_NODELAY, tcp(LinuxUapi.TCP_NODELAY));
        NATIVE.put(StandardSocketOptions.IP_TOS,
                new Native(LinuxUapi.IPPROTO_IP, LinuxUapi.IP_TOS));
        NATIVE.put(SO_OOBINLINE, sol(LinuxUapi.SO_OOBINLINE));

        Set<SocketOption<?>> server = new HashSet<>();
        server.add(StandardSocketOptions.SO_RCVBUF);
        server.add(StandardSocketOptions.SO_REUSEADDR);
        server.add(StandardSocketOptions.SO_REUSEPORT);

        Set<SocketOption<?>> socket = new HashSet<>(NATIVE.keySet());
        // jdk.net is optional in a jlinked runtime: bind its options only where it exists.
        addJdkNet(socket, server, "TCP_KEEPIDLE", tcp(LinuxUapi.TCP_KEEPIDLE));
        addJdkNet(socket, server, "TCP_KEEPINTERVAL", tcp(LinuxUapi.TCP_KEEPINTVL));
        addJdkNet(socket, server, "TCP_KEEPCOUNT", tcp(LinuxUapi.TCP_KEEPCNT));
        addJdkNet(socket, server, "TCP_QUICKACK", tcp(LinuxUapi.TCP_QUICKACK));
        SocketOption<?> napiId =
                addJdkNet(socket, server, "SO_INCOMING_NAPI_ID", sol(LinuxUapi.SO_INCOMING_NAPI_ID));
        if (napiId != null) {
            READ_ONLY.add(napiId);
        }
        SOCKET_OPTIONS = Collections.unmodifiableSet(socket);
        SERVER_OPTIONS = Collections.unmodifiableSet(server);
    }

    private SocketOptionTable() {
    }

    private static Native sol(int optname) {
        return new Native(LinuxUapi.SOL_SOCKET, optname);
    }

    private static Native tcp(int optname) {
        return new Native(LinuxUapi.SOL_TCP, optname);
    }

    /** @return the option, or null where this runtime lacks it */
    private static SocketOption<?> addJdkNet(Set<SocketOption<?>> socket,
            Set<SocketOption<?>> server, String field, Native where) {
        try {
            Field f = Class.forName("jdk.net.ExtendedSocketOptions").getField(field);
            SocketOption<?> option = (SocketOption<?>) f.get(null);
            NATIVE.put(option, where);
            socket.add(option);
            server.add(option);
            return option;
        } catch (ReflectiveOperationException | LinkageError absent) {
            // Runtime without jdk.net, or an older JDK without this option: not offered.
            return null;
        }
    }

    /** Whether {@code option} can only be read ({@code SO_INCOMING_NAPI_ID}). */
    public static boolean isReadOnly(SocketOption<?> option) {
        return READ_ONLY.contains(option);
    }

    /** Kernel options of {@code SocketChannel}s (without the MPTCP keys). */
    public static Set<SocketOption<?>> socketOptions() {
        return SOCKET_OPTIONS;
    }

    /** Kernel options of {@code ServerSocketChannel}s (without the MPTCP keys). */
    public static Set<SocketOption<?>> serverOptions() {
        return SERVER_OPTIONS;
    }

    /** Where {@code option} lives in the kernel, or null if it is not a kernel option here. */
    public static Native nativeOf(SocketOption<?> option) {
        return NATIVE.get(option);
    }
}
