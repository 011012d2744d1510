package io.mptcp.nio.internal.stream;

import io.mptcp.ffi.ErrnoException;
import io.mptcp.ffi.LinuxSyscalls;

import java.io.IOException;
import java.net.SocketAddress;

/**
 * What differs between the address families of stream sockets, for the state machines they
 * share ({@link StreamSocket}, {@link ListeningSocket}): how an address is checked, bound,
 * connected to and read back. Everything else about a stream channel is the same for INET,
 * INET6 and UNIX, as in the JDK, whose {@code SocketChannelImpl} branches on
 * {@code isUnixSocket()} in exactly these places.
 *
 * <p>Implementations are thread-safe; callers hold the channel's state lock where the JDK
 * holds it. {@link UnixStreamFamily} is stateless; an {@link InetStreamFamily} belongs to one
 * socket (a listener's also serves its accepts) and remembers the link-local scope that socket
 * was bound or connected with.
 */
sealed interface StreamFamily permits InetStreamFamily, UnixStreamFamily {

    /** What one connect(2) did. */
    enum ConnectResult {
        /** The connection is complete. */
        CONNECTED,
        /** The connection completes later (poll for writability). */
        IN_PROGRESS,
        /**
         * The listener's backlog is full ({@code EAGAIN} on a UNIX socket): nothing started; a
         * blocking connect tries again later, a non-blocking one fails.
         */
        BACKLOG_FULL
    }

    /**
     * Checks the address given to {@code connect}: null → NullPointerException, another kind
     * of address → UnsupportedAddressTypeException, and the family's own rules.
     *
     * @return the address to connect to and to report as the remote address
     */
    SocketAddress checkRemote(SocketAddress remote);

    /**
     * Binds a client socket ({@code SocketChannel.bind}); the caller has checked that it is
     * open and unbound.
     *
     * @param local the address given, possibly null
     * @return the local address the channel reports from now on
     */
    SocketAddress bind(LinuxSyscalls sys, int fd, SocketAddress local) throws IOException;

    /**
     * Binds and listens ({@code ServerSocketChannel.bind}); the caller has checked that it is
     * open and unbound.
     *
     * @param local the address given, possibly null
     * @param backlog the backlog given (below 1: the JDK's default of 50)
     * @return the bound address
     */
    SocketAddress bindListener(LinuxSyscalls sys, int fd, SocketAddress local, int backlog)
            throws IOException;

    /**
     * connect(2) to an address {@link #checkRemote} returned, on a non-blocking descriptor.
     *
     * @return what the call did
     */
    ConnectResult connect(LinuxSyscalls sys, int fd, SocketAddress remote) throws IOException;

    /** The local address of a connected or accepted socket (getsockname). */
    SocketAddress localAddress(LinuxSyscalls sys, int fd) throws ErrnoException;

    /**
     * accept4(2) on the listener {@code fd}, the peer's address taken from the call itself (as
     * the JDK's): a connection reset while it waited is still accepted.
     *
     * @return the connection, or null when none is pending
     */
    LinuxSyscalls.Accepted<? extends SocketAddress> accept(LinuxSyscalls sys, int fd, int flags)
            throws ErrnoException;
}
