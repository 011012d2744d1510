package io.mptcp.nio.internal.stream;

import io.mptcp.ffi.Errno;
import io.mptcp.ffi.ErrnoException;
import io.mptcp.ffi.IoStatus;
import io.mptcp.ffi.LinuxSyscalls;
import io.mptcp.ffi.LinuxUapi;
import io.mptcp.nio.internal.fd.AfterClose;
import io.mptcp.nio.internal.fd.NativeFd;
import io.mptcp.nio.internal.fd.NioExceptions;
import io.mptcp.nio.internal.net.InetSockets;
import io.mptcp.nio.internal.select.NativeChannel;

import java.io.IOException;
import java.net.SocketAddress;
import java.nio.channels.AlreadyBoundException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.IllegalBlockingModeException;
import java.nio.channels.NotYetBoundException;
import java.util.Objects;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The JDK's {@code ServerSocketChannelImpl} state machine over a non-blocking listening
 * descriptor, for every address family: the server channels of INET
 * ({@link ServerSocketChannelImpl}) and UNIX ({@link UnixServerSocketChannelImpl}) are thin
 * fronts over one of these; the {@link StreamFamily} binds, and the channel turns each accepted
 * descriptor into its own kind of socket channel.
 *
 * <p>Close is two-phase as in the JDK: a blocking accept parked in poll(2) is woken through
 * {@link NativeFd#unpark()}, and the descriptor is released when no accept is in progress and
 * no selector holds it.
 */
public final class ListeningSocket {
    /** The JDK's backlog when {@code bind} is given one below 1. */
    static final int DEFAULT_BACKLOG = 50;

    private static final int ST_INUSE = 0;
    private static final int ST_CLOSING = 1;
    private static final int ST_CLOSED = 2;

    /** Makes the channel of an accepted connection; the descriptor is closed if it throws. */
    @FunctionalInterface
    interface AcceptedChannels<C> {
        C create(int fd, SocketAddress local, SocketAddress remote) throws IOException;
    }

    private final StreamSocketState.Owner owner;
    private final LinuxSyscalls sys;
    private final NativeFd nfd;
    private final int fd;
    private final StreamFamily family;

    // Held by the thread accepting.
    private final ReentrantLock acceptLock = new ReentrantLock();
    // Guards the fields below (and the channel's adaptor); never held across a park.
    final ReentrantLock stateLock = new ReentrantLock();
    private volatile int state;
    private boolean acceptorParked;
    private SocketAddress localAddress;
    // Run after the channel is closed (inherited channels detach stdio); set before the
    // channel is handed out.
    private volatile AfterClose afterClose;

    ListeningSocket(StreamSocketState.Owner owner, LinuxSyscalls sys, int fd,
            StreamFamily family) {
        this.owner = owner;
        this.sys = sys;
        this.fd = fd;
        this.family = family;
        this.nfd = new NativeFd(sys, fd);
    }

    /** Makes this the socket of a listener that is already bound (inherited). */
    void bound(SocketAddress local) {
        stateLock.lock();
        try {
            localAddress = local;
        } finally {
            stateLock.unlock();
        }
    }

    /** Runs {@code hook} after the channel is closed (inherited channels detach stdio). */
    public void onClose(AfterClose hook) {
        this.afterClose = hook;
    }

    int fd() {
        return fd;
    }

    private void ensureOpen() throws ClosedChannelException {
        if (!owner.isOpen()) {
            throw new ClosedChannelException();
        }
    }

    void bind(SocketAddress local, int backlog) throws IOException {
        stateLock.lock();
        try {
            ensureOpen();
            if (localAddress != null) {
                throw new AlreadyBoundException();
            }
            localAddress = family.bindListener(sys, fd, local, backlog);
        } finally {
            stateLock.unlock();
        }
    }

    /**
     * Accepts a connection: {@code adaptor} for the socket adaptor, blocking mode only, with a
     * timeout of {@code nanos} (0: none).
     *
     * @return the new channel, or null if non-blocking and none is pending
     */
    <C> C accept(AcceptedChannels<C> channels, boolean adaptor, long nanos) throws IOException {
        Objects.requireNonNull(channels);
        acceptLock.lock();
        try {
            boolean blocking = owner.isBlocking();
            if (adaptor && !blocking) {
                throw new IllegalBlockingModeException();
            }
            C accepted = null;
            try {
                begin(blocking);
                long start = nanos > 0 ? System.nanoTime() : 0;
                accepted = tryAccept(channels);
                while (blocking && accepted == null && owner.isOpen()) {
                    nfd.park(LinuxUapi.POLLIN, NativeFd.timeLeft(start, nanos, "Accept timed out"));
                    accepted = tryAccept(channels);
                }
            } catch (ErrnoException e) {
                throw NioExceptions.io(e);
            } finally {
                end(blocking, accepted != null);
            }
            return accepted;
        } finally {
            acceptLock.unlock();
        }
    }

    /** One accept4; null if none is pending. */
    private <C> C tryAccept(AcceptedChannels<C> channels) throws IOException {
        while (true) {
            // Blocking, as the accepted channel starts in blocking mode.
            int newfd = sys.accept4(fd, LinuxUapi.SOCK_CLOEXEC);
            if (newfd == IoStatus.UNAVAILABLE) {
                return null;
            }
            SocketAddress remote;
            SocketAddress local;
            try {
                remote = family.remoteAddress(sys, newfd);
                local = family.localAddress(sys, newfd);
            } catch (ErrnoException e) {
                InetSockets.closeQuietly(sys, newfd, e);
                if (e.errno() != Errno.ENOTCONN) {
                    throw e;
                }
                // Reset before we could look at it, as ECONNABORTED would be: take the next one.
                continue;
            }
            try {
                return channels.create(newfd, local, remote);
            } catch (IOException | RuntimeException e) {
                InetSockets.closeQuietly(sys, newfd, e);
                throw e;
            }
        }
    }

    private void begin(boolean blocking) throws ClosedChannelException {
        if (blocking) {
            owner.begin();
        }
        stateLock.lock();
        try {
            ensureOpen();
            if (localAddress == null) {
                throw new NotYetBoundException();
            }
            if (blocking) {
                acceptorParked = true;
            }
        } finally {
            stateLock.unlock();
        }
    }

    private void end(boolean blocking, boolean completed) throws IOException {
        if (blocking) {
            stateLock.lock();
            try {
                acceptorParked = false;
                if (state == ST_CLOSING) {
                    tryFinishClose();
                }
            } finally {
                stateLock.unlock();
            }
            owner.end(completed);
        }
    }

    /** {@code getLocalAddress()}: checks that the channel is open. */
    SocketAddress getLocalAddress() throws IOException {
        stateLock.lock();
        try {
            ensureOpen();
            return localAddress;
        } finally {
            stateLock.unlock();
        }
    }

    /** The bound address even when closed (for the adaptor), or null if unbound. */
    SocketAddress localAddress() {
        stateLock.lock();
        try {
            return localAddress;
        } finally {
            stateLock.unlock();
        }
    }

    /** Runs an option call under the state lock once the channel is known to be open. */
    <T> T withOpenState(StreamSocketState.LockedCall<T> call) throws IOException {
        stateLock.lock();
        try {
            ensureOpen();
            return call.run();
        } finally {
            stateLock.unlock();
        }
    }

    // ---- blocking mode and close ----------------------------------------------------------

    /** {@code implConfigureBlocking}: the descriptor stays non-blocking; accept parks. */
    void configureBlocking() throws IOException {
        acceptLock.lock();
        try {
            ensureOpen();
        } finally {
            acceptLock.unlock();
        }
    }

    /** {@code implCloseSelectableChannel}. */
    void implClose() throws IOException {
        closeDescriptor();
        AfterClose hook = afterClose;
        if (hook != null) {
            hook.run();
        }
    }

    private void closeDescriptor() throws IOException {
        boolean blocking = owner.isBlocking();
        stateLock.lock();
        try {
            state = ST_CLOSING;
            if (blocking && !tryClose()) {
                nfd.unpark();
                return;
            }
        } finally {
            stateLock.unlock();
        }
        if (!blocking) {
            // A non-blocking accept is short: wait for one in progress to finish.
            acceptLock.lock();
            acceptLock.unlock();
            stateLock.lock();
            try {
                if (state == ST_CLOSING) {
                    tryClose();
                }
            } finally {
                stateLock.unlock();
            }
        }
    }

    /** Releases the descriptor if nothing uses it any more. Caller holds stateLock. */
    private boolean tryClose() throws IOException {
        if (!acceptorParked && !owner.isRegistered()) {
            state = ST_CLOSED;
            nfd.release();
            return true;
        }
        return false;
    }

    private void tryFinishClose() {
        try {
            tryClose();
        } catch (IOException ignore) {
            // Nobody to report to: the thread finishing the close is not the one that closed.
        }
    }

    /** {@link NativeChannel#kill()}. */
    void kill() {
        stateLock.lock();
        try {
            if (state == ST_CLOSING) {
                tryFinishClose();
            }
        } finally {
            stateLock.unlock();
        }
    }

    /** The JDK's {@code toString}: {@code type[closed]}, {@code type[unbound]} or the address. */
    String describe(String type) {
        StringBuilder sb = new StringBuilder(type).append('[');
        if (!owner.isOpen()) {
            sb.append("closed");
        } else {
            SocketAddress local = localAddress();
            sb.append(local == null ? "unbound" : local.toString());
        }
        return sb.append(']').toString();
    }
}
