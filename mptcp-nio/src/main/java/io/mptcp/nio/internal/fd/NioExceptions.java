package io.mptcp.nio.internal.fd;

import io.mptcp.ffi.Errno;
import io.mptcp.ffi.ErrnoException;
import io.mptcp.nio.pm.PathManagerException;

import java.io.IOException;
import java.net.BindException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.PortUnreachableException;
import java.net.ProtocolException;
import java.net.SocketException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;

/**
 * The one place where a failed syscall becomes the exception the JDK throws for the same errno,
 * and where an errno is classified ("the kernel does not do this here"). The
 * {@link ErrnoException} (syscall name and errno) is always kept as the cause. Nothing else in
 * the library chooses an exception by errno.
 *
 * <h2>The JDK's mapping, and which method follows it</h2>
 * <p>Audited against the Linux sources of JDK 17.0.15 and 25 ({@code Net.c},
 * {@code SocketDispatcher.c}, {@code IOUtil.c} {@code convertReturnVal},
 * {@code DatagramDispatcher.c}, {@code DatagramChannelImpl.c}, {@code UnixDomainSockets.c},
 * {@code FileChannelImpl.c}, {@code EPoll.c}) and measured on both (loopback, and routes of
 * type {@code unreachable}, {@code prohibit}, {@code blackhole} and none in a network
 * namespace). The two releases agree everywhere below. The message is glibc's text for the
 * errno ({@code strerror}) unless the table says otherwise.
 * <table>
 *   <caption>errno to exception, per kind of call</caption>
 *   <tr><th>calls</th><th>the JDK's path</th><th>exception</th><th>here</th></tr>
 *   <tr><td>socket, bind, listen, connect (at once and through {@code SO_ERROR}), shutdown,
 *       getsockname/getpeername, {@code FIONREAD}, poll; UNIX bind and connect; datagram
 *       connect; multicast block and interface options</td>
 *       <td>{@code handleSocketError}</td>
 *       <td>{@code EPROTO}: {@link ProtocolException}; {@code ECONNREFUSED},
 *       {@code ETIMEDOUT}, {@code ENOTCONN}: {@link ConnectException}; {@code EHOSTUNREACH}:
 *       {@link NoRouteToHostException}; {@code EADDRINUSE}, {@code EADDRNOTAVAIL},
 *       {@code EACCES}: {@link BindException}; any other, {@code ENETUNREACH} ("Network is
 *       unreachable") included: {@link SocketException}</td><td>{@link #socket}</td></tr>
 *   <tr><td>getsockopt/setsockopt of a standard option</td>
 *       <td>{@code Net.get/setIntOption0}</td><td>{@link SocketException}, any errno</td>
 *       <td>{@link #option}</td></tr>
 *   <tr><td>multicast join (IPv4 and IPv6)</td><td>{@code handleSocketErrorWithMessage}</td>
 *       <td>as {@code handleSocketError}, the message followed by
 *       {@code " (setsockopt failed)"}; {@code ENOPROTOOPT}/{@code EOPNOTSUPP}:
 *       {@link UnsupportedOperationException}</td><td>{@link #multicast}</td></tr>
 *   <tr><td>read, readv of a stream socket (INET and UNIX)</td>
 *       <td>{@code SocketDispatcher.read0}</td>
 *       <td>{@code ECONNRESET}, {@code EPIPE}: {@link SocketException} "Connection reset"
 *       (and every later read of the channel fails so); any other: {@link IOException}</td>
 *       <td>{@link #read}</td></tr>
 *   <tr><td>write, writev, {@code MSG_OOB} send of a stream socket; sendfile; accept (after
 *       skipping {@code ECONNABORTED}); pipes; epoll and eventfd</td>
 *       <td>{@code convertReturnVal} and {@code JNU_ThrowIOExceptionWithLastError}</td>
 *       <td>{@link IOException}, any errno: {@code ECONNRESET} is "Connection reset by
 *       peer", {@code EPIPE} "Broken pipe"</td><td>{@link #io}</td></tr>
 *   <tr><td>read, readv, write, writev of a connected datagram socket (a connected
 *       {@code send} too)</td><td>{@code DatagramDispatcher}</td>
 *       <td>{@code ECONNREFUSED}: {@link PortUnreachableException} (no message); any other:
 *       {@link IOException}</td><td>{@link #datagramIo}</td></tr>
 *   <tr><td>send, receive of a datagram (sendmsg, recvmsg)</td>
 *       <td>{@code DatagramChannelImpl.c}</td>
 *       <td>{@code ECONNREFUSED}: {@link PortUnreachableException} (skipped by a receive on
 *       an unconnected socket); any other as {@code handleSocketError}</td>
 *       <td>{@link #datagram}</td></tr>
 * </table>
 */
public final class NioExceptions {
    private NioExceptions() {
    }

    /**
     * For socket calls other than data transfer (connect, bind, listen, shutdown, addresses,
     * poll, ...), mapped as the JDK's {@code Net.c handleSocketError} does.
     */
    public static IOException socket(ErrnoException e) {
        return withCause(socketException(e.errno(), Errno.describe(e.errno())), e);
    }

    private static IOException socketException(int errno, String text) {
        return switch (errno) {
            case Errno.ECONNREFUSED, Errno.ETIMEDOUT, Errno.ENOTCONN -> new ConnectException(text);
            case Errno.EHOSTUNREACH -> new NoRouteToHostException(text);
            case Errno.EADDRINUSE, Errno.EADDRNOTAVAIL, Errno.EACCES -> new BindException(text);
            case Errno.EPROTO -> new ProtocolException(text);
            default -> new SocketException(text);
        };
    }

    /**
     * For getting or setting a standard socket option: a {@link SocketException} whatever the
     * errno, as the JDK's {@code Net.getIntOption0}/{@code setIntOption0}.
     */
    public static SocketException option(ErrnoException e) {
        return withCause(new SocketException(Errno.describe(e.errno())), e);
    }

    /**
     * For read/readv of a stream socket: a reset connection ({@code ECONNRESET}, or
     * {@code EPIPE}) is a {@link SocketException} "Connection reset", as the JDK's
     * {@code SocketDispatcher} reports it; anything else as {@link #io}.
     */
    public static IOException read(ErrnoException e) {
        if (isReset(e)) {
            return withCause(new SocketException("Connection reset"), e);
        }
        return io(e);
    }

    /** Whether a stream read failed because the connection was reset (see {@link #read}). */
    public static boolean isReset(ErrnoException e) {
        return e.errno() == Errno.ECONNRESET || e.errno() == Errno.EPIPE;
    }

    /**
     * For write/writev/sendfile of a stream socket, accept, pipes and the selector's calls: an
     * {@link IOException} with glibc's text whatever the errno, as the JDK's
     * {@code convertReturnVal} ("Connection reset by peer" for {@code ECONNRESET}, "Broken
     * pipe" for {@code EPIPE}).
     */
    public static IOException io(ErrnoException e) {
        return withCause(new IOException(Errno.describe(e.errno())), e);
    }

    /**
     * For read/write of a connected datagram socket, as the JDK's {@code DatagramDispatcher}:
     * a refused datagram (an ICMP port unreachable) is a {@link PortUnreachableException},
     * anything else as {@link #io}.
     */
    public static IOException datagramIo(ErrnoException e) {
        if (e.errno() == Errno.ECONNREFUSED) {
            return withCause(new PortUnreachableException(), e);
        }
        return io(e);
    }

    /**
     * For sendto/recvfrom on a datagram socket, mapped as the JDK's {@code DatagramChannelImpl}
     * does: a refused datagram (an ICMP port unreachable, on a connected socket) is a
     * {@link PortUnreachableException}, anything else as {@link #socket}.
     */
    public static IOException datagram(ErrnoException e) {
        if (e.errno() == Errno.ECONNREFUSED) {
            return withCause(new PortUnreachableException(), e);
        }
        return socket(e);
    }

    /**
     * Whether the kernel refused a request as one it does not do for this socket
     * ({@code EOPNOTSUPP}, {@code ENOPROTOOPT}): an option or multicast request an MPTCP socket
     * or an older kernel lacks, as opposed to a request that failed.
     */
    public static boolean isUnsupported(ErrnoException e) {
        return e.errno() == Errno.EOPNOTSUPP || e.errno() == Errno.ENOPROTOOPT;
    }

    /**
     * For a multicast request ({@code call}: join, block): one the kernel does not do
     * ({@link #isUnsupported}) throws the JDK's {@link UnsupportedOperationException};
     * anything else is returned mapped as {@link #socket} (for a join, the message followed
     * by {@code " (setsockopt failed)"}, as the JDK's), for the caller to throw.
     */
    public static IOException multicast(ErrnoException e, String call) {
        if (isUnsupported(e)) {
            throw withCause(new UnsupportedOperationException(call + ": " + e.getMessage()), e);
        }
        if (call.equals("join")) {
            // The JDK's join says which call failed, after the errno's text.
            return withCause(socketException(e.errno(),
                    Errno.describe(e.errno()) + " (setsockopt failed)"), e);
        }
        return socket(e);
    }

    /**
     * For getting {@code SO_PEERCRED}: a socket that has none ({@code ENOPROTOOPT}) throws the
     * JDK's {@link UnsupportedOperationException}; anything else is returned mapped as
     * {@link #socket}, for the caller to throw.
     */
    public static IOException peerCredentials(ErrnoException e) {
        if (e.errno() == Errno.ENOPROTOOPT) {
            throw withCause(new UnsupportedOperationException("unsupported socket option"), e);
        }
        return socket(e);
    }

    /**
     * For socket(2) of an IPv6 datagram socket: IPv6 missing from the kernel
     * ({@code EAFNOSUPPORT}) throws the JDK's {@link UnsupportedOperationException} "IPv6 not
     * available"; anything else is returned mapped as {@link #socket}, for the caller to throw.
     */
    public static IOException ipv6DatagramSocket(ErrnoException e) {
        if (e.errno() == Errno.EAFNOSUPPORT) {
            throw withCause(new UnsupportedOperationException("IPv6 not available"), e);
        }
        return socket(e);
    }

    /**
     * For open(2) of a file to send: the exceptions {@code Files.newByteChannel} throws,
     * {@link NoSuchFileException}, {@link AccessDeniedException}, else
     * {@link FileSystemException} with the errno text.
     */
    public static FileSystemException file(ErrnoException e, String path) {
        FileSystemException mapped = switch (e.errno()) {
            case Errno.ENOENT -> new NoSuchFileException(path);
            case Errno.EACCES, Errno.EPERM -> new AccessDeniedException(path);
            default -> new FileSystemException(path, null, Errno.describe(e.errno()));
        };
        return withCause(mapped, e);
    }

    /**
     * For {@code Socket.sendUrgentData}: an MPTCP socket refuses urgent data
     * ({@code EOPNOTSUPP}), which is said with what to do; anything else stays as it is.
     */
    public static IOException urgentData(IOException e, boolean mptcpSocket) {
        if (mptcpSocket && e.getCause() instanceof ErrnoException errno
                && errno.errno() == Errno.EOPNOTSUPP) {
            return withCause(new SocketException("sendUrgentData: MPTCP sockets do not carry"
                    + " urgent (out-of-band) data; run this program with io.mptcp.nio.mode=off"
                    + " if it needs it"), e);
        }
        return e;
    }

    private static <X extends Exception> X withCause(X mapped, Exception cause) {
        mapped.initCause(cause);
        return mapped;
    }

    /**
     * For a path-manager request ({@code command}: {@code "ADD_ADDR"}, or a group name for a
     * subscription) the kernel refused with {@code errno}: a {@link PathManagerException}
     * with the kernel's explanation ({@code extack}, may be null) and, for {@code EPERM}, the
     * capability and the user-namespace rule that decide it.
     */
    public static PathManagerException pathManager(String command, int errno, String extack,
            int missingAttribute) {
        StringBuilder m = new StringBuilder("mptcp_pm ").append(command).append(": ")
                .append(Errno.describe(errno)).append(" (").append(Errno.name(errno))
                .append(')');
        if (extack != null && !extack.isEmpty()) {
            m.append(": ").append(extack);
        }
        if (missingAttribute >= 0) {
            m.append(" (missing attribute ").append(missingAttribute).append(')');
        }
        if (errno == Errno.EPERM) {
            m.append(" - needs CAP_NET_ADMIN in the user namespace that owns this network "
                    + "namespace (Linux 6.1+; before 6.1 in the initial user namespace): run "
                    + "as root, grant the capability (setcap, systemd AmbientCapabilities), or "
                    + "use a network namespace of a user namespace you own (unshare -Urn)");
        }
        return new PathManagerException(m.toString(), command, errno, extack, missingAttribute,
                new ErrnoException("mptcp_pm " + command, errno));
    }
}
