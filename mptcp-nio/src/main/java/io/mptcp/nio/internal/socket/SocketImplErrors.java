package io.mptcp.nio.internal.socket;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.SocketException;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.ClosedChannelException;

/**
 * The exceptions of the JDK's {@code NioSocketImpl}, made from those of our channels and their
 * adaptors: a {@code java.net.Socket} reports {@link SocketException}s with the JDK's messages,
 * never the channel exceptions, and each keeps the channel's exception (and so the errno) as
 * its cause.
 */
final class SocketImplErrors {

    private SocketImplErrors() {
    }

    /** {@code NioSocketImpl.ensureOpen}'s message for a closed socket. */
    static SocketException closed(Throwable cause) {
        SocketException e = new SocketException("Socket closed");
        e.initCause(cause);
        return e;
    }

    /**
     * An I/O failure of a read, write, accept or option call as the JDK's impl reports it: a
     * timeout as it is; a close by another thread as "Socket closed"; an interrupt of a virtual
     * thread (which closed the channel, as the JDK's impl closes the socket) as "Closed by
     * interrupt"; any other {@link IOException} as a {@link SocketException} with its message.
     */
    static IOException io(IOException e) {
        if (e instanceof InterruptedIOException) {
            // SocketTimeoutException included: the JDK throws it as it is.
            return e;
        }
        if (e instanceof ClosedByInterruptException) {
            SocketException se = new SocketException("Closed by interrupt");
            se.initCause(e);
            return se;
        }
        if (e instanceof AsynchronousCloseException || e instanceof ClosedChannelException) {
            return closed(e);
        }
        return socket(e);
    }

    /** {@code NioSocketImpl.asSocketException}, keeping the cause. */
    static SocketException socket(Exception e) {
        if (e instanceof SocketException se) {
            return se;
        }
        SocketException se = new SocketException(e.getMessage());
        se.initCause(e);
        return se;
    }
}
