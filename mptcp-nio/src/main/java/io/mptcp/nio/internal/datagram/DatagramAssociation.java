package io.mptcp.nio.internal.datagram;

import io.mptcp.ffi.ErrnoException;
import io.mptcp.ffi.LinuxSyscalls;
import io.mptcp.nio.internal.fd.Descriptor;
import io.mptcp.nio.internal.fd.NioExceptions;
import io.mptcp.nio.internal.net.Net;
import io.mptcp.nio.internal.net.SecurityChecks;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketException;

/**
 * The addresses of a {@link DatagramChannelImpl}'s socket and the kernel side of binding,
 * connecting and disconnecting it, as the JDK's {@code DatagramChannelImpl} does them on Linux.
 *
 * <p>Not thread-safe: every method runs under the channel's state lock (and
 * {@code connect} and {@code disconnect} under its read and write locks too, so that no I/O
 * runs meanwhile); each asserts it.
 */
final class DatagramAssociation {
    private final Descriptor descriptor;
    private final LinuxSyscalls sys;
    private final int fd;
    private final int family;

    private InetSocketAddress local;
    private InetSocketAddress remote;
    // The local address before the first connect, which disconnect restores.
    private InetSocketAddress beforeConnect;

    DatagramAssociation(Descriptor descriptor, int family) {
        this.descriptor = descriptor;
        this.sys = descriptor.sys();
        this.fd = descriptor.fd();
        this.family = family;
    }

    /** The local address, or null while unbound. */
    InetSocketAddress local() {
        assert descriptor.holdsStateLock();
        return local;
    }

    /** The connected address (as it was given to connect), or null. */
    InetSocketAddress remote() {
        assert descriptor.holdsStateLock();
        return remote;
    }

    /**
     * Takes the addresses of a socket this channel did not set up (an inherited one): the
     * local one if bound (port not 0), the peer if connected.
     */
    void adopt() throws IOException {
        assert descriptor.holdsStateLock();
        try {
            InetSocketAddress bound = sys.getsockname(fd);
            local = bound.getPort() != 0 ? bound : null;
            try {
                remote = sys.getpeername(fd);
                beforeConnect = local;
            } catch (ErrnoException notConnected) {
                // ENOTCONN: a datagram socket without a peer.
                remote = null;
            }
        } catch (ErrnoException e) {
            throw NioExceptions.socket(e);
        }
    }

    /**
     * Binds to {@code address} (null: the wildcard, ephemeral port), also when an operation
     * binds an unbound socket first (with the security manager's {@code checkListen}, as the
     * JDK's).
     */
    void bind(SocketAddress address) throws IOException {
        assert descriptor.holdsStateLock();
        InetSocketAddress isa = address == null
                ? Net.anyLocal(family) : Net.checkAddress(address, family);
        SecurityChecks.checkListen(isa);
        try {
            sys.bind(fd, family, isa);
            local = sys.getsockname(fd);
        } catch (ErrnoException e) {
            throw NioExceptions.socket(e);
        }
    }

    /**
     * Connects to {@code isa} (checked already), binding first if unbound. Connecting again
     * keeps the address from before the first connect, for disconnect.
     */
    void connect(InetSocketAddress isa) throws IOException {
        assert descriptor.holdsReadLock() && descriptor.holdsWriteLock()
                && descriptor.holdsStateLock();
        if (isa.getPort() == 0) {
            throw new SocketException("Can't connect to port 0");
        }
        if (local == null) {
            bind(null);
        }
        if (remote == null) {
            beforeConnect = local;
        }
        try {
            sys.connect(fd, family, isa);
            remote = isa;
            local = sys.getsockname(fd);
        } catch (ErrnoException e) {
            throw NioExceptions.socket(e);
        }
    }

    /**
     * Dissolves the association (connect(2) with {@code AF_UNSPEC}). Linux then forgets a port
     * that was chosen automatically (the socket was bound to port 0); as the JDK does, the
     * socket is bound again to the address it had before connecting, so that its local address
     * does not change. Rebinding can fail if another socket took the port in between; then
     * this throws, as the JDK's does.
     */
    void disconnect() throws IOException {
        assert descriptor.holdsReadLock() && descriptor.holdsWriteLock()
                && descriptor.holdsStateLock();
        try {
            sys.disconnect(fd);
            remote = null;
            InetSocketAddress restore = beforeConnect;
            beforeConnect = null;
            local = sys.getsockname(fd);
            if (local.getPort() == 0 && !local.equals(restore)) {
                sys.bind(fd, family, restore);
                local = sys.getsockname(fd);
            }
        } catch (ErrnoException e) {
            throw NioExceptions.socket(e);
        }
    }
}
