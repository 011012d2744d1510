package io.mptcp.nio.internal.net;

import io.mptcp.ffi.Errno;
import io.mptcp.ffi.ErrnoException;
import io.mptcp.ffi.LinuxSyscalls;
import io.mptcp.ffi.LinuxUapi;
import io.mptcp.nio.internal.fd.NioExceptions;
import io.mptcp.nio.internal.fd.Privileged;
import io.mptcp.nio.internal.options.SocketOrigin;

import java.io.IOException;
import java.net.SocketException;
import java.net.StandardProtocolFamily;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Opens INET stream sockets under the {@link MptcpPolicy}: {@code IPPROTO_MPTCP} where the
 * policy asks for it, TCP when the kernel refuses (or a {@link SocketException} in strict mode).
 *
 * <p>The kernel's answers to {@code socket(…, IPPROTO_MPTCP)} (Documentation/networking/mptcp.rst):
 * {@code EINVAL} (kernel older than 5.6) and {@code EPROTONOSUPPORT} (built without MPTCP) are
 * permanent and remembered for the life of the provider; {@code ENOPROTOOPT}
 * ({@code net.mptcp.enabled=0} in this network namespace) can change at run time, so it is
 * asked again for every socket.
 */
public final class InetSockets {
    private static final System.Logger LOG = System.getLogger("io.mptcp.nio");

    /**
     * A newly opened socket: descriptor, {@code AF_INET}/{@code AF_INET6}, MPTCP or TCP, and
     * how that came to be (for {@code MPTCP_FALLBACK_REASON}).
     */
    public record OpenedSocket(int fd, int family, boolean mptcp, SocketOrigin origin) {
    }

    // The origin of a socket opened as the mode says, made once: no text built per socket.
    private static final Map<MptcpPolicy.Mode, SocketOrigin> BY_MODE =
            new EnumMap<>(MptcpPolicy.Mode.class);
    private static final Map<MptcpPolicy.Mode, SocketOrigin> CLIENT_TCP_BY_MODE =
            new EnumMap<>(MptcpPolicy.Mode.class);
    private static final Map<MptcpPolicy.Mode, SocketOrigin> LISTENER_TCP_BY_MODE =
            new EnumMap<>(MptcpPolicy.Mode.class);

    static {
        for (MptcpPolicy.Mode m : MptcpPolicy.Mode.values()) {
            String mode = MptcpPolicy.MODE_PROPERTY + "=" + m.name().toLowerCase(Locale.ROOT);
            BY_MODE.put(m, SocketOrigin.mptcp(mode));
            String off = m == MptcpPolicy.Mode.OFF ? " (plain TCP everywhere)" : null;
            CLIENT_TCP_BY_MODE.put(m, SocketOrigin.tcpChosen(mode
                    + (off != null ? off : " (MPTCP for listening sockets only)")));
            LISTENER_TCP_BY_MODE.put(m, SocketOrigin.tcpChosen(mode
                    + (off != null ? off : " (MPTCP for client sockets only)")));
        }
    }

    // Why MPTCP can never be used by this provider, once the kernel has said so; null until then.
    private volatile SocketOrigin permanentRefusal;
    // AF_INET6 or AF_INET for sockets opened without a protocol family; 0 until probed.
    private volatile int defaultFamily;
    // Refusal reasons already logged, so each is logged once.
    private final Set<String> logged = ConcurrentHashMap.newKeySet();

    /** One per provider: what it learns about the kernel is kept for the provider's life. */
    public InetSockets() {
    }

    /**
     * Opens a non-blocking, close-on-exec stream socket.
     *
     * @param family INET, INET6, or null for the JDK's default (IPv6 dual-stack unless
     *     {@code java.net.preferIPv4Stack} is true or IPv6 is unavailable)
     * @param listening whether it will listen (the policy may treat servers differently)
     */
    public OpenedSocket openStream(LinuxSyscalls sys, MptcpPolicy policy,
            StandardProtocolFamily family, boolean listening) throws IOException {
        int af = family == null ? defaultFamily(sys)
                : family == StandardProtocolFamily.INET6 ? LinuxUapi.AF_INET6 : LinuxUapi.AF_INET;
        boolean wanted = listening ? policy.mptcpForServers() : policy.mptcpForClients();
        int type = LinuxUapi.SOCK_STREAM | LinuxUapi.SOCK_NONBLOCK | LinuxUapi.SOCK_CLOEXEC;
        SocketOrigin origin;
        if (wanted) {
            SocketOrigin known = permanentRefusal;
            if (known == null) {
                try {
                    return finish(sys, sys.socket(af, type, LinuxUapi.IPPROTO_MPTCP), af,
                            BY_MODE.get(policy.mode()));
                } catch (ErrnoException e) {
                    origin = refused(policy, e);
                }
            } else if (policy.strict()) {
                throw new SocketException(strictMessage(known.detail()));
            } else {
                logOnce(known.detail());
                origin = known;
            }
        } else {
            origin = (listening ? LISTENER_TCP_BY_MODE : CLIENT_TCP_BY_MODE).get(policy.mode());
        }
        try {
            return finish(sys, sys.socket(af, type, 0), af, origin);
        } catch (ErrnoException e) {
            throw NioExceptions.socket(e);
        }
    }

    /**
     * Opens a non-blocking, close-on-exec stream socket of exactly the protocol asked for, as an
     * application's explicit choice ({@code MPTCP_ENABLED}): no policy, no fallback; a refusal
     * is a {@link SocketException} that says why.
     *
     * @param af {@code AF_INET} or {@code AF_INET6}
     */
    public OpenedSocket openExactly(LinuxSyscalls sys, int af, boolean mptcp) throws IOException {
        int type = LinuxUapi.SOCK_STREAM | LinuxUapi.SOCK_NONBLOCK | LinuxUapi.SOCK_CLOEXEC;
        try {
            return finish(sys, sys.socket(af, type, mptcp ? LinuxUapi.IPPROTO_MPTCP : 0), af,
                    SocketOrigin.byOption(mptcp));
        } catch (ErrnoException e) {
            String refusal = mptcp ? refusalReason(e) : null;
            if (refusal == null) {
                throw NioExceptions.socket(e);
            }
            SocketException refused = new SocketException(
                    "setOption(MPTCP_ENABLED, true): " + refusal);
            refused.initCause(e);
            throw refused;
        }
    }

    /**
     * Opens a non-blocking, close-on-exec UDP socket, set up as the JDK sets up the socket of a
     * {@code DatagramChannel} on Linux: dual stack when IPv6; multicast delivered only for the
     * groups the socket joins itself ({@code IP_MULTICAST_ALL} / {@code IPV6_MULTICAST_ALL} 0,
     * the latter as JDK 18+ does); IPv6 multicast hop limit 1, as for IPv4, instead of the
     * route's default.
     *
     * @param family INET, INET6, or null for the default (as for {@link #openStream})
     * @throws UnsupportedOperationException for INET6 where this kernel has no IPv6, as the
     *     JDK throws it
     */
    public OpenedSocket openDatagram(LinuxSyscalls sys, StandardProtocolFamily family)
            throws IOException {
        int af = family == null ? defaultFamily(sys)
                : family == StandardProtocolFamily.INET6 ? LinuxUapi.AF_INET6 : LinuxUapi.AF_INET;
        int type = LinuxUapi.SOCK_DGRAM | LinuxUapi.SOCK_NONBLOCK | LinuxUapi.SOCK_CLOEXEC;
        int fd;
        try {
            fd = sys.socket(af, type, 0);
        } catch (ErrnoException e) {
            throw af == LinuxUapi.AF_INET6 ? NioExceptions.ipv6DatagramSocket(e)
                    : NioExceptions.socket(e);
        }
        OpenedSocket s = finish(sys, fd, af, SocketOrigin.UNKNOWN);
        try {
            if (af == LinuxUapi.AF_INET) {
                setUnlessUnknown(sys, fd, LinuxUapi.IPPROTO_IP, LinuxUapi.IP_MULTICAST_ALL, 0);
            } else {
                sys.setsockoptInt(fd, LinuxUapi.IPPROTO_IPV6, LinuxUapi.IPV6_MULTICAST_HOPS, 1);
                setUnlessUnknown(sys, fd, LinuxUapi.IPPROTO_IPV6, LinuxUapi.IPV6_MULTICAST_ALL, 0);
            }
        } catch (ErrnoException e) {
            closeQuietly(sys, fd, e);
            throw NioExceptions.socket(e);
        }
        return s;
    }

    /** Sets an option a kernel older than it refuses with ENOPROTOOPT; then does nothing. */
    private static void setUnlessUnknown(LinuxSyscalls sys, int fd, int level, int name,
            int value) throws ErrnoException {
        try {
            sys.setsockoptInt(fd, level, name, value);
        } catch (ErrnoException e) {
            if (e.errno() != Errno.ENOPROTOOPT) {
                throw e;
            }
        }
    }

    /**
     * {@code socket(IPPROTO_MPTCP)} was refused with {@code e}: the origin of the TCP socket
     * opened instead, or a {@link SocketException} in strict mode or for an errno that is no
     * refusal the kernel documents. A permanent refusal is remembered; later sockets do not ask
     * again.
     */
    private SocketOrigin refused(MptcpPolicy policy, ErrnoException e) throws IOException {
        String refusal = refusalReason(e);
        if (refusal == null) {
            throw NioExceptions.socket(e);
        }
        SocketOrigin origin = SocketOrigin.refused(e.errno() == Errno.ENOPROTOOPT, refusal);
        if (e.errno() != Errno.ENOPROTOOPT) {
            permanentRefusal = origin;
        }
        if (policy.strict()) {
            SocketException strict = new SocketException(strictMessage(refusal));
            strict.initCause(e);
            throw strict;
        }
        logOnce(refusal);
        return origin;
    }

    private void logOnce(String refusal) {
        if (logged.add(refusal)) {
            LOG.log(System.Logger.Level.INFO, "mptcp-nio: " + refusal + "; using plain TCP");
        }
    }

    private static String strictMessage(String refusal) {
        return "MPTCP socket refused and " + MptcpPolicy.STRICT_PROPERTY + "=true forbids"
                + " falling back to TCP: " + refusal;
    }

    /** The reason to fall back for a refusal the kernel documents, or null for a real error. */
    static String refusalReason(ErrnoException e) {
        return switch (e.errno()) {
            case Errno.EINVAL -> "socket(IPPROTO_MPTCP) failed with EINVAL: this kernel predates"
                    + " MPTCP (needs Linux 5.6)";
            case Errno.EPROTONOSUPPORT -> "socket(IPPROTO_MPTCP) failed with EPROTONOSUPPORT:"
                    + " this kernel is built without MPTCP (CONFIG_MPTCP)";
            case Errno.ENOPROTOOPT -> "socket(IPPROTO_MPTCP) failed with ENOPROTOOPT: MPTCP is"
                    + " disabled in this network namespace (sysctl net.mptcp.enabled=0)";
            default -> null;
        };
    }

    private static OpenedSocket finish(LinuxSyscalls sys, int fd, int af, SocketOrigin origin)
            throws IOException {
        if (af == LinuxUapi.AF_INET6) {
            try {
                // Dual stack, as the JDK makes every IPv6 socket, whatever net.ipv6.bindv6only says.
                sys.setsockoptInt(fd, LinuxUapi.IPPROTO_IPV6, LinuxUapi.IPV6_V6ONLY, 0);
            } catch (ErrnoException e) {
                closeQuietly(sys, fd, e);
                throw NioExceptions.socket(e);
            }
        }
        return new OpenedSocket(fd, af, origin.way() == SocketOrigin.Way.MPTCP, origin);
    }

    private int defaultFamily(LinuxSyscalls sys) {
        int af = defaultFamily;
        if (af == 0) {
            af = Privileged.run(() -> Boolean.getBoolean("java.net.preferIPv4Stack"))
                    || !ipv6Works(sys)
                    ? LinuxUapi.AF_INET : LinuxUapi.AF_INET6;
            defaultFamily = af;
        }
        return af;
    }

    private static boolean ipv6Works(LinuxSyscalls sys) {
        try {
            int fd = sys.socket(LinuxUapi.AF_INET6,
                    LinuxUapi.SOCK_STREAM | LinuxUapi.SOCK_CLOEXEC, 0);
            sys.close(fd);
            return true;
        } catch (ErrnoException e) {
            return false;
        }
    }

    /** Closes {@code fd} after a failure, keeping a close error as suppressed. */
    public static void closeQuietly(LinuxSyscalls sys, int fd, Throwable primary) {
        try {
            sys.close(fd);
        } catch (ErrnoException e) {
            primary.addSuppressed(e);
        }
    }
}
