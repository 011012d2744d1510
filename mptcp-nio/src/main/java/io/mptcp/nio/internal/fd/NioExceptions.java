package io.mptcp.nio.internal.fd;

import io.mptcp.ffi.Errno;
import io.mptcp.ffi.ErrnoException;

import java.io.IOException;
import java.net.BindException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.PortUnreachableException;
import java.net.ProtocolException;
import java.net.SocketException;

/**
 * The one place where a failed syscall becomes the exception the JDK throws for the same errno.
 * The {@link ErrnoException} (syscall name and errno) is always kept as the cause.
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
            case 71 /* EPROTO */ -> new ProtocolException(text);
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

    private static IOException withCause(IOException mapped, ErrnoException cause) {
        mapped.initCause(cause);
        return mapped;
    }
}
