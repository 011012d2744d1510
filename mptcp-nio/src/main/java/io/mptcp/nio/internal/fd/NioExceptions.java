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
 */
public final class NioExceptions {
    private NioExceptions() {
    }

    /**
     * For socket calls other than data transfer (connect, bind, listen, options, ...), mapped
     * as the JDK's {@code Net.c handleSocketError} does.
     */
    public static IOException socket(ErrnoException e) {
        String text = Errno.describe(e.errno());
        IOException mapped = switch (e.errno()) {
            case Errno.ECONNREFUSED, Errno.ETIMEDOUT, Errno.ENOTCONN -> new ConnectException(text);
            case Errno.EHOSTUNREACH, Errno.ENETUNREACH -> new NoRouteToHostException(text);
            case Errno.EADDRINUSE, Errno.EADDRNOTAVAIL, Errno.EACCES -> new BindException(text);
            case Errno.EPROTO -> new ProtocolException(text);
            default -> new SocketException(text);
        };
        return withCause(mapped, e);
    }

    /**
     * For read/write/accept on a descriptor, mapped as the JDK's dispatchers do: a reset
     * connection is a {@link SocketException} "Connection reset", a refused datagram a
     * {@link PortUnreachableException}, anything else an {@link IOException} with glibc's text.
     */
    public static IOException io(ErrnoException e) {
        IOException mapped = switch (e.errno()) {
            case Errno.ECONNRESET -> new SocketException("Connection reset");
            case Errno.ECONNREFUSED -> new PortUnreachableException();
            default -> new IOException(Errno.describe(e.errno()));
        };
        return withCause(mapped, e);
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
     * anything else is returned mapped as {@link #socket}, for the caller to throw.
     */
    public static IOException multicast(ErrnoException e, String call) {
        if (isUnsupported(e)) {
            throw withCause(new UnsupportedOperationException(call + ": " + e.getMessage()), e);
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
