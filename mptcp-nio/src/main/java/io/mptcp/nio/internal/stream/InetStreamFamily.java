package io.mptcp.nio.internal.stream;

import io.mptcp.ffi.ErrnoException;
import io.mptcp.ffi.LinuxSyscalls;
import io.mptcp.ffi.LinuxUapi;
import io.mptcp.nio.internal.fd.NioExceptions;
import io.mptcp.nio.internal.net.InetSockets;
import io.mptcp.nio.internal.net.LinkLocalScopes;
import io.mptcp.nio.internal.net.Net;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;

/**
 * INET and INET6 stream sockets: {@link InetSocketAddress}es, the wildcard address when none
 * is given, a wildcard remote meaning loopback, IPv4 addresses IPv4-mapped on a dual-stack
 * socket (all as the JDK's {@code Net}).
 *
 * <p>One per socket: it remembers the scope of the IPv6 link-local address the socket was
 * bound or connected to, because an MPTCP socket reports its addresses without it (see
 * {@link LinkLocalScopes}); the addresses it returns carry it again, as a TCP socket's do.
 */
final class InetStreamFamily implements StreamFamily {
    private final int af;
    // The scope id of the link-local address the socket was bound to, else of the one it
    // connected to; 0 if neither was scoped. Written under the channel's state lock (bind,
    // connect), read by accept under the read lock only.
    private volatile int scope;

    /**
     * @param af {@code AF_INET} or {@code AF_INET6}: the socket's family, which decides what
     *     addresses it takes
     */
    InetStreamFamily(int af) {
        if (af != LinuxUapi.AF_INET && af != LinuxUapi.AF_INET6) {
            throw new IllegalArgumentException("not an INET family: " + af);
        }
        this.af = af;
    }

    /** The socket's family, {@code AF_INET} or {@code AF_INET6}. */
    int af() {
        return af;
    }

    @Override
    public SocketAddress checkRemote(SocketAddress remote) {
        return Net.checkRemote(remote, af);
    }

    @Override
    public SocketAddress bind(LinuxSyscalls sys, int fd, SocketAddress local) throws IOException {
        InetSocketAddress isa = local == null ? Net.anyLocal(af) : Net.checkAddress(local, af);
        try {
            sys.bind(fd, af, isa);
            scope = LinkLocalScopes.scopeOf(isa);
            return LinkLocalScopes.local(sys.getsockname(fd), scope);
        } catch (ErrnoException e) {
            throw NioExceptions.socket(e);
        }
    }

    @Override
    public SocketAddress bindListener(LinuxSyscalls sys, int fd, SocketAddress local,
            int backlog) throws IOException {
        InetSocketAddress isa = local == null ? Net.anyLocal(af) : Net.checkAddress(local, af);
        try {
            sys.bind(fd, af, isa);
            sys.listen(fd, backlog < 1 ? ListeningSocket.DEFAULT_BACKLOG : backlog);
            scope = LinkLocalScopes.scopeOf(isa);
            return LinkLocalScopes.local(sys.getsockname(fd), scope);
        } catch (ErrnoException e) {
            throw NioExceptions.socket(e);
        }
    }

    @Override
    public ConnectResult connect(LinuxSyscalls sys, int fd, SocketAddress remote)
            throws IOException {
        if (scope == 0) {
            // The local address of a connection to a link-local address is on that link.
            scope = LinkLocalScopes.scopeOf(remote);
        }
        try {
            return sys.connect(fd, af, (InetSocketAddress) remote)
                    ? ConnectResult.CONNECTED : ConnectResult.IN_PROGRESS;
        } catch (ErrnoException e) {
            throw NioExceptions.socket(e);
        }
    }

    @Override
    public InetSocketAddress localAddress(LinuxSyscalls sys, int fd) throws ErrnoException {
        return LinkLocalScopes.local(sys.getsockname(fd), scope);
    }

    /**
     * accept4(2), the peer taken from the call (this is the listener's family): a link-local
     * peer gets the scope of the accepted socket's local address, on the same link.
     */
    @Override
    public LinuxSyscalls.Accepted<InetSocketAddress> accept(LinuxSyscalls sys, int fd,
            int flags) throws ErrnoException {
        LinuxSyscalls.Accepted<InetSocketAddress> accepted = sys.acceptInet(fd, flags);
        if (accepted == null || !LinkLocalScopes.lacksScope(accepted.peer())) {
            return accepted;
        }
        try {
            return new LinuxSyscalls.Accepted<>(accepted.fd(), LinkLocalScopes.peer(
                    accepted.peer(), localAddress(sys, accepted.fd())));
        } catch (ErrnoException e) {
            InetSockets.closeQuietly(sys, accepted.fd(), e);
            throw e;
        }
    }
}
