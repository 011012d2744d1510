package io.mptcp.nio.internal.stream;

import io.mptcp.ffi.Errno;
import io.mptcp.ffi.ErrnoException;
import io.mptcp.ffi.IoStatus;
import io.mptcp.ffi.LinuxSyscalls;
import io.mptcp.ffi.LinuxUapi;
import io.mptcp.nio.internal.fd.DirectBufferCache;
import io.mptcp.nio.internal.fd.FdIo;
import io.mptcp.nio.internal.fd.NativeFd;
import io.mptcp.nio.internal.fd.NioExceptions;
import io.mptcp.nio.internal.options.NativeSocketOptions;

import java.io.IOException;
import java.net.SocketAddress;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.channels.AlreadyBoundException;
import java.nio.channels.AlreadyConnectedException;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ConnectionPendingException;
import java.nio.channels.IllegalBlockingModeException;
import java.nio.channels.NoConnectionPendingException;
import java.nio.channels.NotYetConnectedException;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * The JDK's {@code SocketChannelImpl} over one stream descriptor, for every address family:
 * the socket channels of INET ({@link SocketChannelImpl}) and UNIX
 * ({@link UnixSocketChannelImpl}) are thin fronts over one of these, and its
 * {@link StreamFamily} supplies what differs (addresses, bind, connect), in the places where
 * the JDK's class branches on {@code isUnixSocket()}. This class holds the operations;
 * {@link StreamSocketState} the states, locks, blocking brackets and close.
 */
public final class StreamSocket extends StreamSocketState {

    // A blocking connect to a UNIX listener with a full backlog polls for room (poll(2) cannot
    // wait for it), backing off up to this long between attempts.
    private static final long BACKLOG_RETRY_MAX_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    private final StreamFamily family;

    // Guarded by stateLock.
    private SocketAddress localAddress;
    private SocketAddress remoteAddress;

    // Guarded by readLock: once reset, every later read reports it again (as the JDK does).
    private boolean connectionReset;

    /** A new, unconnected socket; its descriptor is non-blocking. */
    StreamSocket(Owner owner, LinuxSyscalls sys, int fd, StreamFamily family,
            NativeSocketOptions options) {
        super(owner, sys, fd, options);
        this.family = family;
    }

    /**
     * Makes this the socket of a connection that already exists (accepted, or inherited), with
     * its descriptor in blocking mode as the channel starts in blocking mode. Called before the
     * channel is handed out.
     */
    void connected(SocketAddress local, SocketAddress remote) {
        stateLock.lock();
        try {
            localAddress = local;
            remoteAddress = remote;
            state = ST_CONNECTED;
            fdBlocking = true;
        } finally {
            stateLock.unlock();
        }
    }

    // ---- reading ------------------------------------------------------------------------

    /**
     * One read into {@code dst}, or scattering into {@code dsts[offset..]} when dst is null;
     * for the adaptor ({@code adaptor}), blocking mode only with a timeout ({@code nanos} 0
     * waits without limit).
     */
    @SuppressWarnings("finally") // returning EOF after an input shutdown is the JDK's contract
    long read(ByteBuffer dst, ByteBuffer[] dsts, int offset, int length,
            boolean adaptor, long nanos) throws IOException {
        readLock.lock();
        try {
            boolean blocking = owner.isBlocking();
            if (adaptor && !blocking) {
                throw new IllegalBlockingModeException();
            }
            long n = 0;
            try {
                beginRead(blocking);
                if (blocking) {
                    configureNonBlockingIfVirtualThread();
                }
                if (connectionReset) {
                    throw new SocketException("Connection reset");
                }
                if (isInputClosed) {
                    return IoStatus.EOF;
                }
                long start = nanos > 0 ? System.nanoTime() : 0;
                if (nanos > 0) {
                    // A timed read waits in poll(2), so the descriptor must not block.
                    setFdBlocking(false);
                }
                try {
                    // With a blocking descriptor this read waits in the kernel; the loop is for
                    // a non-blocking one (timed read, or not yet switched).
                    n = dst != null ? FdIo.read(sys, fd, dst)
                            : FdIo.read(sys, fd, dsts, offset, length);
                    while (blocking && n == IoStatus.UNAVAILABLE && owner.isOpen()
                            && !isInputClosed) {
                        park(LinuxUapi.POLLIN, NativeFd.timeLeft(start, nanos, "Read timed out"));
                        n = dst != null ? FdIo.read(sys, fd, dst)
                                : FdIo.read(sys, fd, dsts, offset, length);
                    }
                } finally {
                    if (nanos > 0) {
                        restoreFdBlocking();
                    }
                }
            } catch (ErrnoException e) {
                if (e.errno() == Errno.ECONNRESET) {
                    connectionReset = true;
                }
                throw NioExceptions.io(e);
            } finally {
                endRead(blocking, n > 0);
                if (n <= 0 && isInputClosed) {
                    return IoStatus.EOF;
                }
            }
            return n == IoStatus.UNAVAILABLE ? 0 : n;
        } finally {
            readLock.unlock();
        }
    }

    /** Bytes readable now, for the adaptor's {@code InputStream.available()}. */
    int available() throws IOException {
        stateLock.lock();
        try {
            ensureOpenAndConnected();
            return isInputClosed ? 0 : sys.available(fd);
        } catch (ErrnoException e) {
            throw NioExceptions.io(e);
        } finally {
            stateLock.unlock();
        }
    }

    // ---- writing ------------------------------------------------------------------------

    /**
     * One write from {@code src}, or gathering from {@code srcs[offset..]} when src is null;
     * {@code adaptor}: blocking mode only. In blocking mode this returns only when all is
     * written: the kernel sees to that on a blocking descriptor, and this loop on a
     * non-blocking one.
     */
    long write(ByteBuffer src, ByteBuffer[] srcs, int offset, int length, boolean adaptor)
            throws IOException {
        writeLock.lock();
        try {
            boolean blocking = owner.isBlocking();
            if (adaptor && !blocking) {
                throw new IllegalBlockingModeException();
            }
            long total = 0;
            try {
                beginWrite(blocking);
                if (blocking) {
                    configureNonBlockingIfVirtualThread();
                }
                do {
                    long n = src != null
                            ? FdIo.write(sys, fd, src) : FdIo.write(sys, fd, srcs, offset, length);
                    if (n == IoStatus.UNAVAILABLE) {
                        if (!blocking) {
                            break;
                        }
                        park(LinuxUapi.POLLOUT, 0);
                    } else {
                        total += n;
                    }
                } while (blocking && owner.isOpen()
                        && (src != null ? src.hasRemaining() : FdIo.hasRemaining(srcs, offset, length)));
            } catch (ErrnoException e) {
                throw NioExceptions.io(e);
            } finally {
                endWrite(blocking, total > 0);
                if (total <= 0 && isOutputClosed) {
                    throw new AsynchronousCloseException();
                }
            }
            return total;
        } finally {
            writeLock.unlock();
        }
    }

    /**
     * sendfile(2) from the file descriptor {@code in}, as {@link #write}: in blocking mode until
     * {@code count} bytes are sent or the file ends, else one call. A failure after some bytes
     * were sent returns their count (the next call meets it again), as a blocked write does.
     */
    long sendFile(int in, long position, long count) throws IOException {
        writeLock.lock();
        try {
            boolean blocking = owner.isBlocking();
            long total = 0;
            try {
                beginWrite(blocking);
                if (blocking) {
                    configureNonBlockingIfVirtualThread();
                }
                while (total < count) {
                    long n = sys.sendfile(fd, in, position + total, count - total);
                    if (n == IoStatus.UNAVAILABLE) {
                        if (!blocking || !owner.isOpen()) {
                            break;
                        }
                        park(LinuxUapi.POLLOUT, 0);
                    } else if (n == 0) {
                        break;
                    } else {
                        total += n;
                        if (!blocking) {
                            break;
                        }
                    }
                }
            } catch (ErrnoException e) {
                if (total == 0) {
                    throw NioExceptions.io(e);
                }
            } finally {
                endWrite(blocking, total > 0);
                if (total <= 0 && isOutputClosed) {
                    throw new AsynchronousCloseException();
                }
            }
            return total;
        } finally {
            writeLock.unlock();
        }
    }

    /**
     * {@code Socket.sendUrgentData}: one byte with {@code MSG_OOB}; 0 if the buffer is full.
     * A failure keeps its {@link ErrnoException} as the cause, for the caller to explain.
     */
    int sendUrgentByte(byte data) throws IOException {
        writeLock.lock();
        try {
            boolean blocking = owner.isBlocking();
            int n = 0;
            try {
                beginWrite(blocking);
                ByteBuffer one = DirectBufferCache.acquire(1);
                try {
                    one.put(0, data);
                    n = sys.send(fd, one, LinuxUapi.MSG_OOB);
                } catch (ErrnoException e) {
                    throw NioExceptions.io(e);
                } finally {
                    DirectBufferCache.release(one);
                }
            } finally {
                endWrite(blocking, n > 0);
                if (n <= 0 && isOutputClosed) {
                    throw new AsynchronousCloseException();
                }
            }
            return Math.max(n, 0);
        } finally {
            writeLock.unlock();
        }
    }

    // ---- connecting ---------------------------------------------------------------------

    /**
     * {@code connect}, or for the adaptor ({@code adaptor}: blocking mode only) with a timeout
     * ({@code nanos} 0: none). A failed connect closes the channel, as the JDK's does.
     */
    boolean connect(SocketAddress remote, boolean adaptor, long nanos) throws IOException {
        SocketAddress sa = family.checkRemote(remote);
        try {
            readLock.lock();
            try {
                writeLock.lock();
                try {
                    boolean blocking = owner.isBlocking();
                    if (adaptor && !blocking) {
                        throw new IllegalBlockingModeException();
                    }
                    boolean connected = false;
                    try {
                        beginConnect(blocking, sa);
                        if (blocking) {
                            configureNonBlockingIfVirtualThread();
                        }
                        long start = System.nanoTime();
                        int status = family.connect(sys, fd, sa);
                        if (status == StreamFamily.BACKLOG_FULL) {
                            status = blocking ? awaitBacklog(sa)
                                    : throwBacklogFull();
                        }
                        connected = status == StreamFamily.CONNECTED;
                        if (!connected && blocking && owner.isOpen()) {
                            connected = awaitConnect(start, nanos);
                        }
                    } finally {
                        endConnect(blocking, connected);
                    }
                    return connected;
                } finally {
                    writeLock.unlock();
                }
            } finally {
                readLock.unlock();
            }
        } catch (IOException e) {
            owner.close();
            throw e;
        }
    }

    /**
     * A blocking connect to a UNIX listener whose backlog is full: the JDK blocks in
     * connect(2) until there is room; poll(2) cannot wait for that, so this parks (close and
     * interrupt still wake it) and tries again, backing off.
     *
     * @return the status of the attempt that did not find the backlog full, or
     *     {@link StreamFamily#IN_PROGRESS} if the channel was closed meanwhile
     */
    private int awaitBacklog(SocketAddress sa) throws IOException {
        long pause = TimeUnit.MILLISECONDS.toNanos(1);
        while (owner.isOpen()) {
            park(0, pause);
            pause = Math.min(pause * 2, BACKLOG_RETRY_MAX_NANOS);
            if (!owner.isOpen()) {
                break;
            }
            int status = family.connect(sys, fd, sa);
            if (status != StreamFamily.BACKLOG_FULL) {
                return status;
            }
        }
        return StreamFamily.IN_PROGRESS;
    }

    private static int throwBacklogFull() throws IOException {
        throw NioExceptions.socket(new ErrnoException("connect", Errno.EAGAIN));
    }

    /** Parks until the pending connect completes or fails ({@code nanos} 0: no time limit). */
    private boolean awaitConnect(long start, long nanos) throws IOException {
        boolean polled = false;
        while (!polled && owner.isOpen()) {
            park(LinuxUapi.POLLOUT, NativeFd.timeLeft(start, nanos, "Connect timed out"));
            polled = pollConnectNow();
        }
        return polled && owner.isOpen();
    }

    boolean finishConnect() throws IOException {
        try {
            readLock.lock();
            try {
                writeLock.lock();
                try {
                    if (isConnected()) {
                        return true;
                    }
                    boolean blocking = owner.isBlocking();
                    boolean connected = false;
                    try {
                        beginFinishConnect(blocking);
                        if (blocking) {
                            configureNonBlockingIfVirtualThread();
                        }
                        connected = pollConnectNow();
                        if (!connected && blocking) {
                            connected = awaitConnect(0, 0);
                        }
                        connected = connected && owner.isOpen();
                    } finally {
                        endConnect(blocking, connected);
                    }
                    return connected;
                } finally {
                    writeLock.unlock();
                }
            } finally {
                readLock.unlock();
            }
        } catch (IOException e) {
            owner.close();
            throw e;
        }
    }

    private void beginConnect(boolean blocking, SocketAddress sa) throws IOException {
        if (blocking) {
            owner.begin();
        }
        stateLock.lock();
        try {
            ensureOpen();
            if (state == ST_CONNECTED) {
                throw new AlreadyConnectedException();
            }
            if (state == ST_CONNECTIONPENDING) {
                throw new ConnectionPendingException();
            }
            state = ST_CONNECTIONPENDING;
            remoteAddress = sa;
            if (blocking) {
                readerParked = true;
            }
        } finally {
            stateLock.unlock();
        }
    }

    private void beginFinishConnect(boolean blocking) throws ClosedChannelException {
        if (blocking) {
            owner.begin();
        }
        stateLock.lock();
        try {
            ensureOpen();
            if (state != ST_CONNECTIONPENDING) {
                throw new NoConnectionPendingException();
            }
            if (blocking) {
                readerParked = true;
            }
        } finally {
            stateLock.unlock();
        }
    }

    private void endConnect(boolean blocking, boolean completed) throws IOException {
        endRead(blocking, completed);
        if (completed) {
            stateLock.lock();
            try {
                if (state == ST_CONNECTIONPENDING) {
                    localAddress = family.localAddress(sys, fd);
                    state = ST_CONNECTED;
                }
                restoreFdBlocking();
            } catch (ErrnoException e) {
                throw NioExceptions.socket(e);
            } finally {
                stateLock.unlock();
            }
        }
    }

    /** Whether a pending connect has completed now; throws its error if it failed. */
    private boolean pollConnectNow() throws IOException {
        try {
            if (sys.poll(fd, LinuxUapi.POLLOUT, -1, 0) == 0) {
                return false;
            }
            int error = sys.getsockoptInt(fd, LinuxUapi.SOL_SOCKET, LinuxUapi.SO_ERROR);
            if (error != 0) {
                throw new ErrnoException("connect", error);
            }
            return true;
        } catch (ErrnoException e) {
            throw NioExceptions.socket(e);
        }
    }

    // ---- addresses, binding, shutdown ----------------------------------------------------

    void bind(SocketAddress local) throws IOException {
        readLock.lock();
        try {
            writeLock.lock();
            try {
                stateLock.lock();
                try {
                    ensureOpen();
                    if (state == ST_CONNECTIONPENDING) {
                        throw new ConnectionPendingException();
                    }
                    if (localAddress != null) {
                        throw new AlreadyBoundException();
                    }
                    localAddress = family.bind(sys, fd, local);
                } finally {
                    stateLock.unlock();
                }
            } finally {
                writeLock.unlock();
            }
        } finally {
            readLock.unlock();
        }
    }

    /**
     * Runs {@code call} with every lock held and the channel open, as bind runs: no other
     * thread uses the descriptor meanwhile (an MPTCP/TCP switch replaces it).
     */
    <T> T withAllLocks(LockedCall<T> call) throws IOException {
        readLock.lock();
        try {
            writeLock.lock();
            try {
                return withOpenState(call);
            } finally {
                writeLock.unlock();
            }
        } finally {
            readLock.unlock();
        }
    }

    /**
     * How far the socket is from new: null while unbound and unconnected (its protocol can
     * still be switched), else {@code "connecting"}, {@code "connected"} or {@code "bound"}.
     * Caller holds stateLock.
     */
    String usedAs() {
        int s = state;
        if (s == ST_CONNECTIONPENDING) {
            return "connecting";
        }
        if (s != ST_UNCONNECTED) {
            return "connected";
        }
        return localAddress != null ? "bound" : null;
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

    /** {@code getRemoteAddress()}: checks that the channel is open. */
    SocketAddress getRemoteAddress() throws IOException {
        stateLock.lock();
        try {
            ensureOpen();
            return remoteAddress;
        } finally {
            stateLock.unlock();
        }
    }

    /** The local address even when closed (for the adaptor), or null if unbound. */
    SocketAddress localAddress() {
        stateLock.lock();
        try {
            return localAddress;
        } finally {
            stateLock.unlock();
        }
    }

    /** The remote address even when closed (for the adaptor), or null if never connected. */
    SocketAddress remoteAddress() {
        stateLock.lock();
        try {
            return remoteAddress;
        } finally {
            stateLock.unlock();
        }
    }

    void shutdown(boolean input) throws IOException {
        stateLock.lock();
        try {
            ensureOpen();
            if (!isConnected()) {
                throw new NotYetConnectedException();
            }
            if (input ? isInputClosed : isOutputClosed) {
                return;
            }
            try {
                // A blocked reader or writer wakes by itself: the socket turns readable/writable.
                sys.shutdown(fd, input ? LinuxUapi.SHUT_RD : LinuxUapi.SHUT_WR);
            } catch (ErrnoException e) {
                if (e.errno() != Errno.ENOTCONN) {
                    throw NioExceptions.socket(e);
                }
            }
            if (input) {
                isInputClosed = true;
            } else {
                isOutputClosed = true;
            }
        } finally {
            stateLock.unlock();
        }
    }

    // ---- selector support and description ----------------------------------------------------

    int translateReadyOps(int events, int interestOps) {
        return StreamReadiness.socketReady(events, interestOps, isConnected(),
                isConnectionPending());
    }

    /**
     * The JDK's {@code toString}: {@code type[closed]} or
     * {@code type[connected ishut oshut local=… remote=…]}.
     */
    String describe(String type) {
        Objects.requireNonNull(type);
        StringBuilder sb = new StringBuilder(type).append('[');
        if (!owner.isOpen()) {
            sb.append("closed");
        } else {
            stateLock.lock();
            try {
                switch (state) {
                    case ST_UNCONNECTED -> sb.append("unconnected");
                    case ST_CONNECTIONPENDING -> sb.append("connection-pending");
                    default -> {
                        sb.append("connected");
                        if (isInputClosed) {
                            sb.append(" ishut");
                        }
                        if (isOutputClosed) {
                            sb.append(" oshut");
                        }
                    }
                }
                if (localAddress != null) {
                    sb.append(" local=").append(localAddress);
                }
                if (remoteAddress != null) {
                    sb.append(" remote=").append(remoteAddress);
                }
            } finally {
                stateLock.unlock();
            }
        }
        return sb.append(']').toString();
    }
}
