package io.mptcp.nio.internal.stream;

import io.mptcp.ffi.ErrnoException;
import io.mptcp.ffi.LinuxSyscalls;
import io.mptcp.ffi.LinuxUapi;
import io.mptcp.nio.internal.fd.Descriptor;
import io.mptcp.nio.internal.fd.NativeFd;
import io.mptcp.nio.internal.fd.NioExceptions;
import io.mptcp.nio.internal.net.InetSockets;
import io.mptcp.nio.internal.net.SecurityChecks;

import java.io.IOException;
import java.net.SocketAddress;
import java.nio.channels.AlreadyBoundException;
import java.nio.channels.IllegalBlockingModeException;
import java.nio.channels.NotYetBoundException;
import java.util.Objects;

/**
 * The JDK's {@code ServerSocketChannelImpl} state machine over a non-blocking listening
 * descriptor, for every address family: the server channels of INET
 * ({@link ServerSocketChannelImpl}) and UNIX ({@link UnixServerSocketChannelImpl}) are thin
 * fronts over one of these; the {@link StreamFamily} binds, and the channel turns each accepted
 * descriptor into its own kind of socket channel. The descriptor's life (locks, blocking
 * brackets, two-phase close) is its {@link Descriptor}'s; an accept is a read operation.
 */
public final class ListeningSocket {
    /** The JDK's backlog when {@code bind} is given one below 1. */
    static final int DEFAULT_BACKLOG = 50;

    /** Makes the channel of an accepted connection; the descriptor is closed if it throws. */
    @FunctionalInterface
    interface AcceptedChannels<C> {
        C create(int fd, SocketAddress local, SocketAddress remote) throws IOException;
    }

    private final Descriptor descriptor;
    private final Descriptor.Owner owner;
    private final LinuxSyscalls sys;
    private final int fd;
    private final StreamFamily family;

    // Guarded by the descriptor's state lock.
    private SocketAddress localAddress;

    // Checks a blocking accept makes under the state lock (made once).
    private final Descriptor.LockedCall<Void> acceptChecks = this::checkBound;

    ListeningSocket(Descriptor.Owner owner, LinuxSyscalls sys, int fd, StreamFamily family) {
        this.owner = owner;
        this.sys = sys;
        this.fd = fd;
        this.family = family;
        this.descriptor = new Descriptor(owner, sys, fd);
    }

    /** The descriptor's life cycle: the channel's close, kill and state-lock idioms. */
    public Descriptor descriptor() {
        return descriptor;
    }

    /** Makes this the socket of a listener that is already bound (inherited). */
    void bound(SocketAddress local) {
        descriptor.locked(() -> localAddress = local);
    }

    int fd() {
        return fd;
    }

    void bind(SocketAddress local, int backlog) throws IOException {
        descriptor.withOpenState(() -> {
            if (localAddress != null) {
                throw new AlreadyBoundException();
            }
            StreamPermissions.checkBind(family, local);
            localAddress = family.bindListener(sys, fd, local, backlog);
            return null;
        });
    }

    /** {@code ServerSocketChannel.accept()}: null if non-blocking and none is pending. */
    <C> C accept(AcceptedChannels<C> channels) throws IOException {
        return accept(channels, false, 0);
    }

    /**
     * The server socket adaptor's accept: blocking mode only, with a timeout of {@code nanos}
     * (0: none).
     */
    <C> C acceptForAdaptor(AcceptedChannels<C> channels, long nanos) throws IOException {
        return accept(channels, true, nanos);
    }

    private <C> C accept(AcceptedChannels<C> channels, boolean adaptor, long nanos)
            throws IOException {
        Objects.requireNonNull(channels);
        descriptor.lockRead();
        try {
            boolean blocking = owner.isBlocking();
            if (adaptor && !blocking) {
                throw new IllegalBlockingModeException();
            }
            if (!adaptor) {
                // The JDK's adaptor checks only within begin, on every release.
                descriptor.ensureOpenFirst(Descriptor.OpenCheck.ACCEPT_CONNECT_PIPE);
            }
            C accepted = null;
            try {
                descriptor.begin(Descriptor.Op.READ, blocking, acceptChecks);
                long start = nanos > 0 ? System.nanoTime() : 0;
                accepted = tryAccept(channels);
                while (blocking && accepted == null && owner.isOpen()) {
                    descriptor.park(LinuxUapi.POLLIN,
                            NativeFd.timeLeft(start, nanos, "Accept timed out"));
                    accepted = tryAccept(channels);
                }
            } catch (ErrnoException e) {
                throw NioExceptions.io(e);
            } finally {
                descriptor.end(Descriptor.Op.READ, blocking, accepted != null);
            }
            return accepted;
        } finally {
            descriptor.unlockRead();
        }
    }

    private Void checkBound() {
        if (localAddress == null) {
            throw new NotYetBoundException();
        }
        return null;
    }

    /**
     * One accept4; null if none is pending. As in the JDK, a connection the client reset
     * while it waited is accepted too (its first read reports the reset); only one the
     * kernel aborted ({@code ECONNABORTED}) is skipped.
     */
    private <C> C tryAccept(AcceptedChannels<C> channels) throws IOException {
        StreamPermissions.checkAcceptAny(family);
        // Blocking, as the accepted channel starts in blocking mode.
        LinuxSyscalls.Accepted<? extends SocketAddress> accepted =
                family.accept(sys, fd, LinuxUapi.SOCK_CLOEXEC);
        if (accepted == null) {
            return null;
        }
        int newfd = accepted.fd();
        try {
            // As the JDK: a peer the caller may not accept from is closed, and the check
            // thrown.
            StreamPermissions.checkAccepted(family, accepted.peer());
            SocketAddress local = family.localAddress(sys, newfd);
            return channels.create(newfd, local, accepted.peer());
        } catch (ErrnoException e) {
            InetSockets.closeQuietly(sys, newfd, e);
            throw NioExceptions.socket(e);
        } catch (IOException | RuntimeException e) {
            InetSockets.closeQuietly(sys, newfd, e);
            throw e;
        }
    }

    /**
     * {@code getLocalAddress()}: checks that the channel is open; the address as the caller
     * may see it ({@link SecurityChecks#revealed(SocketAddress)}).
     */
    SocketAddress getLocalAddress() throws IOException {
        return SecurityChecks.revealed(descriptor.withOpenState(() -> localAddress));
    }

    /** The bound address even when closed (for the adaptor), or null if unbound. */
    SocketAddress localAddress() {
        return descriptor.locked(() -> localAddress);
    }

    /** {@code implConfigureBlocking}: the descriptor stays non-blocking; accept parks. */
    void configureBlocking() throws IOException {
        descriptor.withAllLocks(() -> null);
    }

    /** The JDK's {@code toString}: {@code type[closed]}, {@code type[unbound]} or the address. */
    String describe(String type) {
        StringBuilder sb = new StringBuilder(type).append('[');
        if (!owner.isOpen()) {
            sb.append("closed");
        } else {
            SocketAddress local = localAddress();
            sb.append(local == null ? "unbound" : SecurityChecks.revealedString(local));
        }
        return sb.append(']').toString();
    }
}
