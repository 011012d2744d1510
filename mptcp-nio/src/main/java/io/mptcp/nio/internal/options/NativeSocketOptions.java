package io.mptcp.nio.internal.options;

import io.mptcp.ffi.Errno;
import io.mptcp.ffi.ErrnoException;
import io.mptcp.ffi.LinuxSyscalls;
import io.mptcp.ffi.LinuxUapi;
import io.mptcp.ffi.MptcpUapi;
import io.mptcp.nio.internal.fd.DirectBufferCache;
import io.mptcp.nio.internal.fd.NioExceptions;
import io.mptcp.nio.internal.net.MptcpPolicy;
import io.mptcp.nio.internal.net.ProtocolSwitch;

import java.io.IOException;
import java.net.SocketOption;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Socket options of one INET stream socket: the JDK's value checks and kernel mapping, the
 * MPTCP state, and tolerance of the options an MPTCP socket refuses.
 *
 * <p>An MPTCP socket refuses options a TCP socket takes (linux-mptcp-api notes §4: e.g.
 * {@code SO_OOBINLINE}, {@code IPV6_TCLASS}, {@code TCP_QUICKACK} → {@code EOPNOTSUPP} or
 * {@code ENOPROTOOPT}). Servers set such options without catching errors (Kafka and ZooKeeper
 * call {@code setTcpNoDelay(true)} bare), so outside strict mode such a refusal on an MPTCP
 * socket is not an error: the value is recorded in {@link #unapplied()}, logged once per option
 * per JVM, and reading the option back returns the recorded value, so that a program sees the
 * option as it set it (as on TCP); {@link #unapplied()} tells the truth. A plain TCP socket (mode
 * {@code off}, a fallback, or an accepted connection from a TCP client) throws as the JDK does.
 *
 * <p>Every value set is also remembered, so that {@link #replayOn} can give a replacement socket
 * (see {@link ProtocolSwitch}) the options the application set on this one.
 *
 * <p>Thread-safe: the owning channel serialises option calls with its state lock, which guards
 * {@code requested}; the record of unapplied options is a concurrent map so it can be read from
 * any thread.
 */
public final class NativeSocketOptions {
    private static final System.Logger LOG = System.getLogger("io.mptcp.nio");
    private static final Set<String> LOGGED = ConcurrentHashMap.newKeySet();

    private final LinuxSyscalls sys;
    private final int fd;
    private final int family;
    private final boolean strict;
    // SO_PROTOCOL, read when first needed (an accepted socket may be MPTCP or TCP); 0 = unknown.
    private volatile int protocol;
    private final Map<SocketOption<?>, Object> unapplied = new ConcurrentHashMap<>();
    // How the socket was opened, for MPTCP_FALLBACK_REASON; set by the opener, then by a switch.
    private volatile SocketOrigin origin = SocketOrigin.UNKNOWN;
    // Every option set on this socket, in the order first set; guarded by the owner's state lock.
    private final Map<SocketOption<?>, Object> requested = new LinkedHashMap<>();

    /**
     * @param knownProtocol {@code IPPROTO_MPTCP} or {@code IPPROTO_TCP} if the opener knows it,
     *     0 to ask the kernel when needed
     */
    public NativeSocketOptions(LinuxSyscalls sys, int fd, int family, boolean strict,
            int knownProtocol) {
        this.sys = sys;
        this.fd = fd;
        this.family = family;
        this.strict = strict;
        this.protocol = knownProtocol;
    }

    /** Options the kernel refused on this MPTCP socket, with the values that were asked for. */
    public Map<SocketOption<?>, Object> unapplied() {
        return Collections.unmodifiableMap(unapplied);
    }

    /** How the socket was opened ({@link SocketOrigin#UNKNOWN} until its opener says). */
    public SocketOrigin origin() {
        return origin;
    }

    /** Records how the socket was opened. */
    public void origin(SocketOrigin how) {
        origin = Objects.requireNonNull(how, "how");
    }

    /** Whether the socket was opened as MPTCP (SO_PROTOCOL 262), whatever happened since. */
    public boolean isMptcpSocket() throws IOException {
        int p = protocol;
        if (p == 0) {
            try {
                p = sys.getsockoptInt(fd, LinuxUapi.SOL_SOCKET, LinuxUapi.SO_PROTOCOL);
            } catch (ErrnoException e) {
                throw NioExceptions.socket(e);
            }
            protocol = p;
        }
        return p == LinuxUapi.IPPROTO_MPTCP;
    }

    /**
     * Whether the connection uses MPTCP now: {@code TCP_IS_MPTCP} (Linux 6.10); before 6.10 an
     * MPTCP socket answers {@code EOPNOTSUPP}, and {@code MPTCP_INFO} with length 0 succeeds
     * only while it has not fallen back (5.16+); a TCP socket answers {@code ENOPROTOOPT}.
     */
    public boolean isMptcpNow() throws IOException {
        if (!isMptcpSocket()) {
            return false;
        }
        try {
            return sys.getsockoptInt(fd, LinuxUapi.SOL_TCP, LinuxUapi.TCP_IS_MPTCP) != 0;
        } catch (ErrnoException e) {
            if (!NioExceptions.isUnsupported(e)) {
                throw NioExceptions.socket(e);
            }
        }
        try {
            sys.getsockopt(fd, MptcpUapi.SOL_MPTCP, MptcpUapi.MPTCP_INFO, EMPTY);
            return true;
        } catch (ErrnoException e) {
            if (NioExceptions.isUnsupported(e)) {
                return false;
            }
            throw NioExceptions.socket(e);
        }
    }

    private static final ByteBuffer EMPTY = ByteBuffer.allocateDirect(0);

    /** Sets a kernel option ({@code name} already checked as supported and of the right type). */
    public void set(SocketOption<?> name, Object value) throws IOException {
        SocketOptionTable.Native where = SocketOptionTable.nativeOf(name);
        int arg = toInt(name, value);
        try {
            if (name == StandardSocketOptions.SO_LINGER) {
                setLinger(arg);
            } else if (name == StandardSocketOptions.IP_TOS && family == LinuxUapi.AF_INET6) {
                setTrafficClass6(arg);
            } else {
                sys.setsockoptInt(fd, where.level(), where.optname(), arg);
            }
            unapplied.remove(name);
            requested.put(name, value);
        } catch (ErrnoException e) {
            if (!tolerated(name, e)) {
                throw NioExceptions.option(e);
            }
            unapplied.put(name, value);
            requested.put(name, value);
            if (LOGGED.add(name.name())) {
                LOG.log(System.Logger.Level.INFO, "mptcp-nio: the kernel refuses " + name.name()
                        + " on MPTCP sockets (" + e.errnoName() + "); not applied, recorded per"
                        + " channel (set " + MptcpPolicy.STRICT_PROPERTY + "=true to fail instead)");
            }
        }
    }

    /**
     * Records an option the opener set with a direct call (the JDK's defaults), so that a
     * replacement socket gets it too.
     */
    public void setByOpener(SocketOption<?> name, Object value) {
        requested.put(name, value);
    }

    /**
     * Applies every option set on this socket to {@code otherFd}, a fresh socket of the same
     * family, under this socket's rules (an MPTCP socket tolerates refusals outside strict mode).
     *
     * @param otherProtocol {@code IPPROTO_MPTCP} or {@code IPPROTO_TCP}
     * @return the options of {@code otherFd}, for {@link #adopt} once it replaced this socket
     */
    public NativeSocketOptions replayOn(int otherFd, int otherProtocol) throws IOException {
        NativeSocketOptions other = new NativeSocketOptions(sys, otherFd, family, strict,
                otherProtocol);
        for (Map.Entry<SocketOption<?>, Object> e : requested.entrySet()) {
            other.set(e.getKey(), e.getValue());
        }
        return other;
    }

    /** Takes over the state of {@code replayed}, whose socket now sits under this descriptor. */
    public void adopt(NativeSocketOptions replayed) {
        protocol = replayed.protocol;
        unapplied.clear();
        unapplied.putAll(replayed.unapplied);
    }

    /** Reads a kernel option ({@code name} already checked as supported). */
    public Object get(SocketOption<?> name) throws IOException {
        Object asked = unapplied.get(name);
        if (asked != null) {
            return asked;
        }
        SocketOptionTable.Native where = SocketOptionTable.nativeOf(name);
        try {
            int raw;
            if (name == StandardSocketOptions.SO_LINGER) {
                raw = getLinger();
            } else if (name == StandardSocketOptions.IP_TOS && family == LinuxUapi.AF_INET6) {
                raw = getTrafficClass6();
            } else {
                raw = sys.getsockoptInt(fd, where.level(), where.optname());
                if (name == StandardSocketOptions.SO_RCVBUF
                        || name == StandardSocketOptions.SO_SNDBUF) {
                    // Linux doubles the size it is given; the JDK halves it back (NET_GetSockOpt)
                    // so that a value reads back as it was set.
                    raw /= 2;
                }
            }
            return name.type() == Boolean.class ? (Object) (raw != 0) : (Object) raw;
        } catch (ErrnoException e) {
            if (!tolerated(name, e)) {
                throw NioExceptions.option(e);
            }
            return unreported(name, where);
        }
    }

    /**
     * What to read for an option this MPTCP socket cannot report and was never set on it: what
     * a TCP socket reads before it carried traffic. In practice only {@code TCP_QUICKACK}
     * (net/mptcp/sockopt.c: getsockopt {@code EOPNOTSUPP}, setsockopt {@code ENOPROTOOPT},
     * until a fallback hands both to the TCP subflow). Linux reads it as "not in delayed-ACK
     * ping-pong mode", true on a fresh socket; the subflows are TCP sockets that start in
     * quick-ack mode and leave it as TCP does, and nothing can set it on them.
     */
    private static Object unreported(SocketOption<?> name, SocketOptionTable.Native where) {
        if (where.level() == LinuxUapi.SOL_TCP && where.optname() == LinuxUapi.TCP_QUICKACK) {
            return true;
        }
        return name.type() == Boolean.class ? (Object) false : 0;
    }

    private boolean tolerated(SocketOption<?> name, ErrnoException e) throws IOException {
        boolean refusal = NioExceptions.isUnsupported(e)
                // SO_REUSEADDR/SO_REUSEPORT go to the first subflow only before connect.
                || (e.errno() == Errno.EINVAL && (name == StandardSocketOptions.SO_REUSEADDR
                        || name == StandardSocketOptions.SO_REUSEPORT));
        return refusal && !strict && isMptcpSocket();
    }

    private static int toInt(SocketOption<?> name, Object value) {
        if (value instanceof Boolean b) {
            return b ? 1 : 0;
        }
        int i = (Integer) value;
        if (name == StandardSocketOptions.SO_RCVBUF || name == StandardSocketOptions.SO_SNDBUF) {
            if (i < 0) {
                throw new IllegalArgumentException("Invalid send/receive buffer size");
            }
        } else if (name == StandardSocketOptions.SO_LINGER) {
            i = i < 0 ? -1 : Math.min(i, 65535);
        } else if (name == StandardSocketOptions.IP_TOS) {
            if (i < 0 || i > 255) {
                throw new IllegalArgumentException("Invalid IP_TOS value");
            }
        }
        return i;
    }

    // struct linger { int l_onoff; int l_linger; }: -1 means off, as in the JDK.
    private void setLinger(int seconds) throws ErrnoException {
        ByteBuffer linger = DirectBufferCache.acquire(8).order(java.nio.ByteOrder.nativeOrder());
        try {
            linger.putInt(0, seconds < 0 ? 0 : 1).putInt(4, Math.max(seconds, 0));
            sys.setsockopt(fd, LinuxUapi.SOL_SOCKET, LinuxUapi.SO_LINGER, linger);
        } finally {
            DirectBufferCache.release(linger);
        }
    }

    private int getLinger() throws ErrnoException {
        ByteBuffer linger = DirectBufferCache.acquire(8).order(java.nio.ByteOrder.nativeOrder());
        try {
            sys.getsockopt(fd, LinuxUapi.SOL_SOCKET, LinuxUapi.SO_LINGER, linger);
            return linger.getInt(0) != 0 ? linger.getInt(4) : -1;
        } finally {
            DirectBufferCache.release(linger);
        }
    }

    // The JDK sets IPV6_TCLASS on an IPv6 socket and IP_TOS too, for its IPv4-mapped traffic.
    // MPTCP implements only IP_TOS, so that one decides success there.
    private void setTrafficClass6(int tos) throws ErrnoException {
        ErrnoException tclassError = null;
        try {
            sys.setsockoptInt(fd, LinuxUapi.IPPROTO_IPV6, LinuxUapi.IPV6_TCLASS, tos);
        } catch (ErrnoException e) {
            tclassError = e;
        }
        try {
            sys.setsockoptInt(fd, LinuxUapi.IPPROTO_IP, LinuxUapi.IP_TOS, tos);
        } catch (ErrnoException e) {
            if (tclassError != null) {
                throw tclassError;
            }
        }
    }

    private int getTrafficClass6() throws ErrnoException {
        try {
            return sys.getsockoptInt(fd, LinuxUapi.IPPROTO_IPV6, LinuxUapi.IPV6_TCLASS);
        } catch (ErrnoException e) {
            if (!NioExceptions.isUnsupported(e)) {
                throw e;
            }
            return sys.getsockoptInt(fd, LinuxUapi.IPPROTO_IP, LinuxUapi.IP_TOS);
        }
    }
}
