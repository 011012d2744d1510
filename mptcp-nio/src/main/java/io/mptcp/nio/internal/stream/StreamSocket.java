package io.mptcp.nio.internal.stream;

import io.mptcp.ffi.Errno;
import io.mptcp.ffi.ErrnoException;
import io.mptcp.ffi.IoStatus;
import io.mptcp.ffi.LinuxSyscalls;
import io.mptcp.ffi.LinuxUapi;
import io.mptcp.nio.internal.fd.Descriptor;
import io.mptcp.nio.internal.fd.DirectBufferCache;
import io.mptcp.nio.internal.fd.FdIo;
import io.mptcp.nio.internal.fd.NativeFd;
import io.mptcp.nio.internal.fd.NioExceptions;
import io.mptcp.nio.internal.fd.VirtualThreads;
import io.mptcp.nio.internal.net.SecurityChecks;
import io.mptcp.nio.internal.options.NativeSocketOptions;
import io.mptcp.nio.internal.stream.StreamFamily.ConnectResult;

import java.io.IOException;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.StandardSocketOptions;
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
 * the JDK's class branches on {@code isUnixSocket()}. The descriptor's life (locks, blocking
 * brackets, two-phase close) is its {@link Descriptor}'s; this class adds the connection
 * states and the operations.
 *
 * <p>As in the JDK, the descriptor is blocking exactly while the channel is in blocking mode
 * and connected, so a blocking read or write is one syscall that waits in the kernel. Connect
 * and the adaptor's timed read keep it non-blocking and {@linkplain Descriptor#park park} in
 * poll(2). Close and interrupt wake a thread waiting in the kernel with shutdown(2) and one
 * parked in poll by unparking it (the JDK uses a signal for both).
 */
public final class StreamSocket {

    /** How far a socket is from new, for a protocol switch (which only a new one allows). */
    public enum Use {
        NEW("new"),
        BOUND("bound"),
        CONNECTING("connecting"),
        CONNECTED("connected");

        private final String description;

        Use(String description) {
            this.description = description;
        }

        /** The word for messages: "the socket is already ...". */
        public String description() {
            return description;
        }
    }

    // The most available() peeks at to count the queued bytes of a closing MPTCP connection.
    private static final int AVAILABLE_PEEK_LIMIT = 64 * 1024;

    // A blocking connect to a UNIX listener with a full backlog polls for room (poll(2) cannot
    // wait for it), backing off up to this long between attempts.
    private static final long BACKLOG_RETRY_MAX_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    private static final int ST_UNCONNECTED = 0;
    private static final int ST_CONNECTIONPENDING = 1;
    private static final int ST_CONNECTED = 2;

    private final Descriptor descriptor;
    private final Descriptor.Owner owner;
    private final LinuxSyscalls sys;
    private final int fd;
    private final StreamFamily family;
    private final NativeSocketOptions options;

    // -- the following fields are guarded by the descriptor's state lock (the volatile ones
    //    are also read without it)
    private volatile int state;
    private SocketAddress localAddress;
    private SocketAddress remoteAddress;
    private volatile boolean isInputClosed;
    private volatile boolean isOutputClosed;
    // Whether the descriptor is in blocking mode (O_NONBLOCK clear); changed by a thread that
    // also holds the read or write lock. It is blocking exactly while the channel is in
    // blocking mode and connected (and no virtual thread has used it, see forcedNonBlocking),
    // as the JDK's: a blocking read then waits inside recvmsg, not in poll(2), which matters
    // for MPTCP (a receiver waiting in poll suffers the kernel's 200 ms zero-window stalls
    // about five times as often as one blocked in recvmsg; see the README), and a round trip
    // costs no poll.
    private volatile boolean fdBlocking;
    // Set by the first blocking operation on a virtual thread; from then on the descriptor
    // stays non-blocking (as the JDK's), so that every blocking wait parks where a virtual
    // thread releases its carrier, instead of waiting in the kernel. Under a java.net.Socket
    // (nonBlockingOnceTimed) the first timed read sets it too.
    private volatile boolean forcedNonBlocking;
    // Set once, before use, for the channel under a java.net.Socket: as the JDK's
    // NioSocketImpl, a timed read leaves the descriptor non-blocking for good, instead of
    // switching it there and back around every read (four fcntl(2) per read, which cost a
    // round trip of a Socket with SO_TIMEOUT about 10 %).
    private volatile boolean nonBlockingOnceTimed;
    // Whether the socket was connected when close began (for the close steps).
    private boolean connectedAtClose;
    // Whether close shut the reading side down to wake a blocked reader (end of stream then
    // says nothing about the peer).
    private boolean readShutByClose;
    // -- end of the fields guarded by the state lock

    // Once reset, every later read reports it again (as the JDK). Set by a read (under the
    // read lock) or by available() (under the state lock), which may see the reset first.
    private volatile boolean connectionReset;

    // The checks a blocking read or write makes under the state lock (made once: no
    // allocation per operation).
    private final Descriptor.LockedCall<Void> readChecks = this::checkReadable;
    private final Descriptor.LockedCall<Void> writeChecks = this::checkWritable;

    /** A new, unconnected socket; its descriptor is non-blocking. */
    StreamSocket(Descriptor.Owner owner, LinuxSyscalls sys, int fd, StreamFamily family,
            NativeSocketOptions options) {
        this.owner = owner;
        this.sys = sys;
        this.fd = fd;
        this.family = family;
        this.options = options;
        this.descriptor = new Descriptor(owner, sys, fd, new CloseSteps());
    }

    /**
     * Makes this the socket of a connection that already exists (accepted, or inherited), with
     * its descriptor in blocking mode as the channel starts in blocking mode. Called before the
     * channel is handed out.
     */
    void connected(SocketAddress local, SocketAddress remote) {
        descriptor.locked(() -> {
            localAddress = local;
            remoteAddress = remote;
            state = ST_CONNECTED;
            fdBlocking = true;
            return null;
        });
    }

    /** The descriptor's life cycle: the channel's close, kill and state-lock idioms. */
    public Descriptor descriptor() {
        return descriptor;
    }

    int fd() {
        return fd;
    }

    boolean isInputOpen() {
        return !isInputClosed;
    }

    boolean isOutputOpen() {
        return !isOutputClosed;
    }

    boolean isConnected() {
        return state == ST_CONNECTED && !descriptor.isClosing();
    }

    boolean isConnectionPending() {
        return state == ST_CONNECTIONPENDING && !descriptor.isClosing();
    }

    private void ensureOpenAndConnected() throws ClosedChannelException {
        if (descriptor.isClosing()) {
            throw new ClosedChannelException();
        }
        if (state != ST_CONNECTED) {
            throw new NotYetConnectedException();
        }
    }

    private Void checkReadable() throws ClosedChannelException {
        ensureOpenAndConnected();
        return null;
    }

    private Void checkWritable() throws ClosedChannelException {
        ensureOpenAndConnected();
        if (isOutputClosed) {
            throw new ClosedChannelException();
        }
        return null;
    }

    private void beginRead(boolean blocking) throws IOException {
        if (blocking) {
            descriptor.begin(Descriptor.Op.READ, true, readChecks);
        } else {
            // Nothing to publish for close: it waits for the read lock instead.
            checkReadable();
        }
    }

    private void beginWrite(boolean blocking) throws IOException {
        if (blocking) {
            descriptor.begin(Descriptor.Op.WRITE, true, writeChecks);
        } else {
            checkWritable();
        }
    }

    private void endRead(boolean blocking, boolean completed) throws AsynchronousCloseException {
        descriptor.end(Descriptor.Op.READ, blocking, completed);
    }

    private void endWrite(boolean blocking, boolean completed)
            throws AsynchronousCloseException {
        descriptor.end(Descriptor.Op.WRITE, blocking, completed);
    }

    // ---- reading ------------------------------------------------------------------------

    /** {@code SocketChannel.read(ByteBuffer)}. */
    long read(ByteBuffer dst) throws IOException {
        return read(dst, null, 0, 0, false, 0);
    }

    /** {@code SocketChannel.read(ByteBuffer[], int, int)}. */
    long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
        return read(null, dsts, offset, length, false, 0);
    }

    /**
     * The socket adaptor's read: blocking mode only, with a timeout ({@code nanos} 0 waits
     * without limit).
     */
    long readForAdaptor(ByteBuffer dst, long nanos) throws IOException {
        return read(dst, null, 0, 0, true, nanos);
    }

    /**
     * One read into {@code dst}, or scattering into {@code dsts[offset..]} when dst is null;
     * {@code adaptor}: blocking mode only, with a timeout of {@code nanos} (0: none).
     */
    @SuppressWarnings("finally") // returning EOF after an input shutdown is the JDK's contract
    private long read(ByteBuffer dst, ByteBuffer[] dsts, int offset, int length,
            boolean adaptor, long nanos) throws IOException {
        descriptor.lockRead();
        try {
            // Open and connected are checked before begin, as the JDK does (a thread that
            // closed the channel itself gets ClosedChannelException, not
            // AsynchronousCloseException from end).
            ensureOpenAndConnected();
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
                    if (nonBlockingOnceTimed) {
                        forceNonBlocking();
                    } else {
                        setFdBlocking(false);
                    }
                }
                try {
                    // With a blocking descriptor this read waits in the kernel; the loop is for
                    // a non-blocking one (timed read, or not yet switched).
                    n = readOnce(dst, dsts, offset, length);
                    while (blocking && n == IoStatus.UNAVAILABLE && owner.isOpen()
                            && !isInputClosed) {
                        descriptor.park(LinuxUapi.POLLIN,
                                NativeFd.timeLeft(start, nanos, "Read timed out"));
                        n = readOnce(dst, dsts, offset, length);
                    }
                } finally {
                    if (nanos > 0) {
                        restoreFdBlocking();
                    }
                }
            } catch (ErrnoException e) {
                if (NioExceptions.isReset(e)) {
                    connectionReset = true;
                }
                throw NioExceptions.read(e);
            } finally {
                endRead(blocking, n > 0);
                if (n <= 0 && isInputClosed) {
                    return IoStatus.EOF;
                }
            }
            return n == IoStatus.UNAVAILABLE ? 0 : n;
        } finally {
            descriptor.unlockRead();
        }
    }

    private long readOnce(ByteBuffer dst, ByteBuffer[] dsts, int offset, int length)
            throws ErrnoException {
        return dst != null ? FdIo.read(sys, fd, dst) : FdIo.read(sys, fd, dsts, offset, length);
    }

    /** Bytes readable now, for the adaptor's {@code InputStream.available()}. */
    int available() throws IOException {
        return descriptor.withState(() -> {
            ensureOpenAndConnected();
            if (isInputClosed) {
                return 0;
            }
            try {
                int n = sys.available(fd);
                return n > 0 && options.isMptcpSocket() ? mptcpAvailable(n) : n;
            } catch (ErrnoException e) {
                throw NioExceptions.socket(e);
            }
        });
    }

    /**
     * {@code FIONREAD} of an MPTCP socket, {@code n}, made what TCP's would be. The kernel's
     * hint ({@code mptcp_inq_hint}) counts the end of the stream as a byte once the peer's
     * DATA_FIN is in or the connection is closed or reset, also after a fallback to TCP: 1
     * with nothing queued, the queued bytes plus 1 after a FIN. That can only be so once the
     * peer shut down (POLLRDHUP) or the socket closed (POLLHUP); then the queued bytes are
     * counted by peeking at them, up to {@link #AVAILABLE_PEEK_LIMIT} (a longer queue is
     * taken as counted with its end, which a reset with that much unread data gets wrong by
     * one).
     */
    private int mptcpAvailable(int n) throws ErrnoException {
        int revents = sys.poll(fd, LinuxUapi.POLLRDHUP, -1, 0);
        if ((revents & (LinuxUapi.POLLRDHUP | LinuxUapi.POLLHUP)) == 0) {
            return n;
        }
        int limit = Math.min(n, AVAILABLE_PEEK_LIMIT);
        ByteBuffer peek = DirectBufferCache.acquire(limit);
        try {
            int queued = sys.recv(fd, peek, LinuxUapi.MSG_PEEK | LinuxUapi.MSG_DONTWAIT);
            if (queued < limit) {
                return Math.max(queued, 0);
            }
            return n <= limit ? n : n - 1;
        } catch (ErrnoException e) {
            if (NioExceptions.isReset(e)) {
                // The peek took the pending reset (the queue was empty): the next read must
                // still report it, as on TCP, where FIONREAD leaves it in place.
                connectionReset = true;
                return 0;
            }
            if (e.errno() == Errno.ENOTCONN) {
                // Closed with nothing queued, the error already reported.
                return 0;
            }
            throw e;
        } finally {
            DirectBufferCache.release(peek);
        }
    }

    // ---- writing ------------------------------------------------------------------------

    /** {@code SocketChannel.write(ByteBuffer)}. */
    long write(ByteBuffer src) throws IOException {
        return write(src, null, 0, 0);
    }

    /** {@code SocketChannel.write(ByteBuffer[], int, int)}. */
    long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
        return write(null, srcs, offset, length);
    }

    /**
     * One write(2) from {@code src}, or one writev(2) gathering from {@code srcs[offset..]}
     * (at most {@code IOV_MAX} buffers) when src is null, as the JDK's {@code write}: in
     * blocking mode it waits only while nothing can be written. On a blocking descriptor the
     * kernel writes everything unless the output is shut down or the connection fails
     * meanwhile; then the bytes written so far are returned (the next write meets the error),
     * and {@link AsynchronousCloseException} is thrown if there were none and the output was
     * shut down.
     */
    private long write(ByteBuffer src, ByteBuffer[] srcs, int offset, int length)
            throws IOException {
        descriptor.lockWrite();
        try {
            checkWritableForTransferTo();
            ensureOpenAndConnected();
            boolean blocking = owner.isBlocking();
            long n = 0;
            try {
                beginWrite(blocking);
                if (blocking) {
                    configureNonBlockingIfVirtualThread();
                }
                n = writeOnce(src, srcs, offset, length);
                while (blocking && n == IoStatus.UNAVAILABLE && owner.isOpen()) {
                    descriptor.park(LinuxUapi.POLLOUT, 0);
                    n = writeOnce(src, srcs, offset, length);
                }
            } catch (ErrnoException e) {
                throw NioExceptions.io(e);
            } finally {
                endWrite(blocking, n > 0);
                if (n <= 0 && isOutputClosed) {
                    throw new AsynchronousCloseException();
                }
            }
            return n == IoStatus.UNAVAILABLE ? 0 : n;
        } finally {
            descriptor.unlockWrite();
        }
    }

    /**
     * For {@code FileChannel.transferTo} on JDK 17 to 21: an unconnected socket, or one whose
     * output is shut down, fails as sendfile(2) into the JDK's own channel fails (see
     * {@link FileTransferCaller}).
     */
    private void checkWritableForTransferTo() throws IOException {
        IOException failure = null;
        if (state != ST_CONNECTED && !descriptor.isClosing()) {
            failure = FileTransferCaller.unconnected(family);
        } else if (isOutputClosed && !descriptor.isClosing()) {
            failure = FileTransferCaller.sendfileFailure(Errno.EPIPE);
        }
        if (failure != null) {
            throw failure;
        }
    }

    private long writeOnce(ByteBuffer src, ByteBuffer[] srcs, int offset, int length)
            throws ErrnoException {
        return src != null ? FdIo.write(sys, fd, src) : FdIo.write(sys, fd, srcs, offset, length);
    }

    /**
     * The socket adaptor's write ({@code OutputStream.write}): blocking mode only; returns
     * when all of {@code src} is written, as the JDK's {@code blockingWriteFully}. A failure
     * is thrown even after some bytes were written (a stream cannot report a partial count).
     */
    void writeFullyForAdaptor(ByteBuffer src) throws IOException {
        descriptor.lockWrite();
        try {
            ensureOpenAndConnected();
            if (!owner.isBlocking()) {
                throw new IllegalBlockingModeException();
            }
            try {
                beginWrite(true);
                configureNonBlockingIfVirtualThread();
                while (src.hasRemaining() && owner.isOpen()) {
                    if (FdIo.write(sys, fd, src) == IoStatus.UNAVAILABLE) {
                        descriptor.park(LinuxUapi.POLLOUT, 0);
                    }
                }
            } catch (ErrnoException e) {
                throw NioExceptions.io(e);
            } finally {
                endWrite(true, !src.hasRemaining());
            }
        } finally {
            descriptor.unlockWrite();
        }
    }

    /**
     * sendfile(2) from the file descriptor {@code in}, as {@link #write}: in blocking mode until
     * {@code count} bytes are sent or the file ends, else one call. A failure after some bytes
     * were sent returns their count (the next call meets it again), as a blocked write does.
     */
    long sendFile(int in, long position, long count) throws IOException {
        descriptor.lockWrite();
        try {
            ensureOpenAndConnected();
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
                        descriptor.park(LinuxUapi.POLLOUT, 0);
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
            descriptor.unlockWrite();
        }
    }

    /**
     * {@code Socket.sendUrgentData}: one byte with {@code MSG_OOB}; 0 if the buffer is full.
     * A failure keeps its {@link ErrnoException} as the cause, for the caller to explain.
     */
    int sendUrgentByte(byte data) throws IOException {
        descriptor.lockWrite();
        try {
            ensureOpenAndConnected();
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
            descriptor.unlockWrite();
        }
    }

    // ---- connecting ---------------------------------------------------------------------

    /** {@code SocketChannel.connect}: a failed connect closes the channel, as the JDK's. */
    boolean connect(SocketAddress remote) throws IOException {
        return connect(remote, false, 0);
    }

    /**
     * The socket adaptor's connect: blocking mode only, with a timeout ({@code nanos} 0:
     * none).
     */
    boolean connectForAdaptor(SocketAddress remote, long nanos) throws IOException {
        return connect(remote, true, nanos);
    }

    private boolean connect(SocketAddress remote, boolean adaptor, long nanos)
            throws IOException {
        SocketAddress sa = family.checkRemote(remote);
        StreamPermissions.checkConnect(family, remote);
        try {
            descriptor.lockRead();
            try {
                descriptor.lockWrite();
                try {
                    boolean blocking = owner.isBlocking();
                    if (adaptor && !blocking) {
                        throw new IllegalBlockingModeException();
                    }
                    descriptor.ensureOpenFirst(Descriptor.OpenCheck.ACCEPT_CONNECT_PIPE);
                    boolean connected = false;
                    try {
                        beginConnect(blocking, sa);
                        if (blocking) {
                            configureNonBlockingIfVirtualThread();
                        }
                        long start = System.nanoTime();
                        ConnectResult result = family.connect(sys, fd, sa);
                        if (result == ConnectResult.BACKLOG_FULL) {
                            result = blocking ? awaitBacklog(sa) : throwBacklogFull();
                        }
                        connected = result == ConnectResult.CONNECTED;
                        if (!connected && blocking && owner.isOpen()) {
                            connected = awaitConnect(start, nanos);
                        }
                    } finally {
                        endConnect(blocking, connected);
                    }
                    return connected;
                } finally {
                    descriptor.unlockWrite();
                }
            } finally {
                descriptor.unlockRead();
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
     * @return the result of the attempt that did not find the backlog full, or
     *     {@link ConnectResult#IN_PROGRESS} if the channel was closed meanwhile
     */
    private ConnectResult awaitBacklog(SocketAddress sa) throws IOException {
        long pause = TimeUnit.MILLISECONDS.toNanos(1);
        while (owner.isOpen()) {
            descriptor.park(0, pause);
            pause = Math.min(pause * 2, BACKLOG_RETRY_MAX_NANOS);
            if (!owner.isOpen()) {
                break;
            }
            ConnectResult result = family.connect(sys, fd, sa);
            if (result != ConnectResult.BACKLOG_FULL) {
                return result;
            }
        }
        return ConnectResult.IN_PROGRESS;
    }

    private static ConnectResult throwBacklogFull() throws IOException {
        throw NioExceptions.socket(new ErrnoException("connect", Errno.EAGAIN));
    }

    /** Parks until the pending connect completes or fails ({@code nanos} 0: no time limit). */
    private boolean awaitConnect(long start, long nanos) throws IOException {
        boolean polled = false;
        while (!polled && owner.isOpen()) {
            descriptor.park(LinuxUapi.POLLOUT,
                    NativeFd.timeLeft(start, nanos, "Connect timed out"));
            polled = pollConnectNow();
        }
        return polled && owner.isOpen();
    }

    boolean finishConnect() throws IOException {
        try {
            descriptor.lockRead();
            try {
                descriptor.lockWrite();
                try {
                    if (isConnected()) {
                        return true;
                    }
                    descriptor.ensureOpenFirst(Descriptor.OpenCheck.ACCEPT_CONNECT_PIPE);
                    boolean blocking = owner.isBlocking();
                    boolean connected = false;
                    try {
                        descriptor.begin(Descriptor.Op.READ, blocking, this::checkPending);
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
                    descriptor.unlockWrite();
                }
            } finally {
                descriptor.unlockRead();
            }
        } catch (IOException e) {
            owner.close();
            throw e;
        }
    }

    private void beginConnect(boolean blocking, SocketAddress sa) throws IOException {
        descriptor.begin(Descriptor.Op.READ, blocking, () -> {
            if (state == ST_CONNECTED) {
                throw new AlreadyConnectedException();
            }
            if (state == ST_CONNECTIONPENDING) {
                throw new ConnectionPendingException();
            }
            state = ST_CONNECTIONPENDING;
            remoteAddress = sa;
            return null;
        });
    }

    private Void checkPending() {
        if (state != ST_CONNECTIONPENDING) {
            throw new NoConnectionPendingException();
        }
        return null;
    }

    private void endConnect(boolean blocking, boolean completed) throws IOException {
        endRead(blocking, completed);
        if (completed) {
            descriptor.withState(() -> {
                try {
                    if (state == ST_CONNECTIONPENDING) {
                        localAddress = family.localAddress(sys, fd);
                        state = ST_CONNECTED;
                    }
                } catch (ErrnoException e) {
                    throw NioExceptions.socket(e);
                }
                restoreFdBlocking();
                return null;
            });
        }
    }

    /** Whether a pending connect has completed now; throws its error if it failed. */
    private boolean pollConnectNow() throws IOException {
        try {
            int revents = sys.poll(fd, LinuxUapi.POLLOUT, -1, 0);
            if (revents == 0) {
                return false;
            }
            int error = sys.getsockoptInt(fd, LinuxUapi.SOL_SOCKET, LinuxUapi.SO_ERROR);
            if (error != 0) {
                throw new ErrnoException("connect", error);
            }
            if ((revents & LinuxUapi.POLLHUP) != 0) {
                // Hung up with no error left to report: the JDK's Net.pollConnect says ENOTCONN.
                throw new ErrnoException("connect", Errno.ENOTCONN);
            }
            return true;
        } catch (ErrnoException e) {
            throw NioExceptions.socket(e);
        }
    }

    // ---- addresses, binding, shutdown ----------------------------------------------------

    void bind(SocketAddress local) throws IOException {
        descriptor.withAllLocks(() -> {
            if (state == ST_CONNECTIONPENDING) {
                throw new ConnectionPendingException();
            }
            if (localAddress != null) {
                throw new AlreadyBoundException();
            }
            StreamPermissions.checkBind(family, local);
            localAddress = family.bind(sys, fd, local);
            return null;
        });
    }

    /** How far the socket is from new; a protocol switch needs {@link Use#NEW}. */
    Use use() {
        assert descriptor.holdsStateLock();
        int s = state;
        if (s == ST_CONNECTIONPENDING) {
            return Use.CONNECTING;
        }
        if (s != ST_UNCONNECTED) {
            return Use.CONNECTED;
        }
        return localAddress != null ? Use.BOUND : Use.NEW;
    }

    /**
     * {@code getLocalAddress()}: checks that the channel is open; the address as the caller
     * may see it ({@link SecurityChecks#revealed(SocketAddress)}).
     */
    SocketAddress getLocalAddress() throws IOException {
        return SecurityChecks.revealed(descriptor.withOpenState(() -> localAddress));
    }

    /** {@code getRemoteAddress()}: checks that the channel is open. */
    SocketAddress getRemoteAddress() throws IOException {
        return descriptor.withOpenState(() -> remoteAddress);
    }

    /** The local address even when closed (for the adaptor), or null if unbound. */
    SocketAddress localAddress() {
        return descriptor.locked(() -> localAddress);
    }

    /** The remote address even when closed (for the adaptor), or null if never connected. */
    SocketAddress remoteAddress() {
        return descriptor.locked(() -> remoteAddress);
    }

    /** {@code shutdownInput()} or {@code shutdownOutput()}. */
    void shutdown(Direction direction) throws IOException {
        boolean input = direction == Direction.INPUT;
        descriptor.withOpenState(() -> {
            if (!isConnected()) {
                throw new NotYetConnectedException();
            }
            if (input ? isInputClosed : isOutputClosed) {
                return null;
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
            return null;
        });
    }

    /** Which half of a connection {@link #shutdown} closes. */
    enum Direction {
        INPUT,
        OUTPUT
    }

    // ---- blocking mode ----------------------------------------------------------------------

    /** {@code implConfigureBlocking}. */
    void configureBlocking(boolean block) throws IOException {
        descriptor.withAllLocks(() -> {
            setFdBlocking(block && state == ST_CONNECTED);
            return null;
        });
    }

    /**
     * Puts the descriptor in the mode the channel wants now: blocking while the channel is
     * blocking and connected.
     */
    private void restoreFdBlocking() throws IOException {
        assert descriptor.holdsReadLock() || descriptor.holdsWriteLock();
        setFdBlocking(owner.isBlocking() && state == ST_CONNECTED);
    }

    private void setFdBlocking(boolean block) throws IOException {
        if (fdBlocking != block) {
            descriptor.withState(() -> {
                boolean wanted = block && !forcedNonBlocking;
                if (fdBlocking != wanted) {
                    try {
                        sys.setBlocking(fd, wanted);
                    } catch (ErrnoException e) {
                        throw NioExceptions.socket(e);
                    }
                    fdBlocking = wanted;
                }
                return null;
            });
        }
    }

    /**
     * Before a blocking operation: on a virtual thread, turns the descriptor non-blocking for
     * good, so the operation parks the virtual thread instead of holding its carrier in the
     * kernel. A platform thread pays one check.
     */
    private void configureNonBlockingIfVirtualThread() throws IOException {
        assert descriptor.holdsReadLock() || descriptor.holdsWriteLock();
        if (VirtualThreads.isCurrentVirtual()) {
            forceNonBlocking();
        }
    }

    /** Makes the descriptor non-blocking for the rest of its life (see forcedNonBlocking). */
    private void forceNonBlocking() throws IOException {
        if (!forcedNonBlocking) {
            descriptor.withOpenState(() -> {
                forcedNonBlocking = true;
                setFdBlocking(false);
                return null;
            });
        }
    }

    /**
     * Gives the socket {@code java.net.Socket}'s timed-read rule (see the field): called once,
     * before the socket is used, for the channel under one of our {@code SocketImpl}s.
     */
    void nonBlockingOnceTimed() {
        nonBlockingOnceTimed = true;
    }

    // ---- close ------------------------------------------------------------------------------

    /** What closing a stream socket adds to the descriptor's close. */
    private final class CloseSteps implements Descriptor.CloseSteps {
        @Override
        public void closing() {
            connectedAtClose = state == ST_CONNECTED;
        }

        @Override
        public void wakeBlocked() {
            // No shutdown(SHUT_WR) first, unlike the JDK (which then closes the file under the
            // threads with dup2): the woken threads leave at once and the release closes, and a
            // socket already in FIN_WAIT2 when closed would answer a peer still writing with
            // window probes' ACKs instead of a reset (docs/kernel-traps.md, item 16).
            if (connectedAtClose) {
                wakeThreadsBlockedInKernel();
            }
        }

        @Override
        public void releaseDeferred() {
            if (connectedAtClose && owner.isRegistered()) {
                // The descriptor lives on until the selector lets go: let the peer see EOF now.
                shutdownOutputUnlessLingerZero();
            }
        }

        @Override
        public boolean takeOver(int fd) {
            if (!connectedAtClose || !closesLikeTcpHere()) {
                return false;
            }
            OrphanWatch.of(sys).close(fd, readShutByClose);
            return true;
        }
    }

    /**
     * Whether the release must give this socket TCP's close rules, which the kernel does not
     * give MPTCP: an MPTCP connection that has not fallen back to TCP, with the default
     * linger (a linger of 0 is abortive already; a positive one asks close(2) to wait).
     */
    private boolean closesLikeTcpHere() {
        try {
            return options.isMptcpSocket() && options.isMptcpNow()
                    && (Integer) options.get(StandardSocketOptions.SO_LINGER) < 0;
        } catch (IOException e) {
            // The connection is gone (reset): nothing can hang on it, close as usual.
            return false;
        }
    }

    private void shutdownOutputUnlessLingerZero() {
        try {
            int linger = (Integer) options.get(StandardSocketOptions.SO_LINGER);
            if (linger != 0) {
                if (linger > 0) {
                    options.set(StandardSocketOptions.SO_LINGER, -1);
                }
                sys.shutdown(fd, LinuxUapi.SHUT_WR);
            }
        } catch (IOException ignore) {
            // Best effort, as in the JDK: the close itself must go on.
        }
    }

    /**
     * A thread blocked in recvmsg/sendmsg on a blocking descriptor is woken by shutdown(2),
     * which makes the call return (0, or EPIPE) at once; the JDK sends a signal instead, which
     * is not safe through JNR.
     */
    private void wakeThreadsBlockedInKernel() {
        assert descriptor.holdsStateLock();
        boolean reader = descriptor.isBlocked(Descriptor.Op.READ);
        boolean writer = descriptor.isBlocked(Descriptor.Op.WRITE);
        // Once forced non-blocking, a platform thread may still be in a call that started on
        // the blocking descriptor: wake it the same way.
        if ((!fdBlocking && !forcedNonBlocking) || !(reader || writer)) {
            return;
        }
        try {
            sys.shutdown(fd, reader && writer ? LinuxUapi.SHUT_RDWR
                    : reader ? LinuxUapi.SHUT_RD : LinuxUapi.SHUT_WR);
            readShutByClose = reader;
        } catch (ErrnoException ignore) {
            // ENOTCONN: the connection is gone, so nothing can be blocked on it.
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
            return sb.append("closed]").toString();
        }
        descriptor.locked(() -> {
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
                sb.append(" local=").append(SecurityChecks.revealedString(localAddress));
            }
            if (remoteAddress != null) {
                sb.append(" remote=").append(remoteAddress);
            }
            return null;
        });
        return sb.append(']').toString();
    }
}
