package io.mptcp.nio;

import io.mptcp.ffi.Errno;
import io.mptcp.ffi.ErrnoException;
import io.mptcp.ffi.IoStatus;
import io.mptcp.ffi.LinuxSyscalls;
import io.mptcp.ffi.LinuxUapi;
import io.mptcp.nio.internal.DirectBufferCache;
import io.mptcp.nio.internal.FdIo;
import io.mptcp.nio.internal.FileSource;
import io.mptcp.nio.internal.InetSockets;
import io.mptcp.nio.internal.MptcpPolicy;
import io.mptcp.nio.internal.NativeFd;
import io.mptcp.nio.internal.NativeSocketOptions;
import io.mptcp.nio.internal.Net;
import io.mptcp.nio.internal.NioExceptions;
import io.mptcp.nio.internal.VirtualThreads;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.SocketOption;
import java.net.StandardProtocolFamily;
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
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The socket channel: the JDK's {@code SocketChannelImpl} state machine over an MPTCP (or TCP)
 * descriptor.
 *
 * <p>As in the JDK, the descriptor is blocking exactly while the channel is in blocking mode
 * and connected, so a blocking read or write is one syscall that waits in the kernel. Connect
 * and the adaptor's timed read keep it non-blocking and {@linkplain NativeFd#park park} in
 * poll(2). Close and interrupt wake a thread waiting in the kernel with shutdown(2) and one
 * parked in poll through {@link NativeFd#unpark()} (the JDK uses a signal for both). Close is
 * two-phase as in the JDK: the state goes to CLOSING at once; the descriptor is released only
 * when no thread is blocked in it and no selector holds it (the last one calls
 * {@link #kill()}).
 */
final class SocketChannelImpl extends MptcpSocketChannel implements NativeChannel {
    private static final int ST_UNCONNECTED = 0;
    private static final int ST_CONNECTIONPENDING = 1;
    private static final int ST_CONNECTED = 2;
    private static final int ST_CLOSING = 3;
    private static final int ST_CLOSED = 4;

    private final LinuxSyscalls sys;
    private final NativeFd nfd;
    private final int fd;
    private final int family;
    private final NativeSocketOptions options;
    private final MptcpIntrospection mptcp;

    // Held by the thread reading or connecting.
    private final ReentrantLock readLock = new ReentrantLock();
    // Held by the thread writing or connecting.
    private final ReentrantLock writeLock = new ReentrantLock();
    // Guards the fields below; held only for short non-blocking calls, never across a park.
    private final ReentrantLock stateLock = new ReentrantLock();

    private volatile int state;
    // Whether a thread is parked (or about to park) in a blocking read/connect or write.
    private boolean readerParked;
    private boolean writerParked;
    private InetSocketAddress localAddress;
    private InetSocketAddress remoteAddress;
    private volatile boolean isInputClosed;
    private volatile boolean isOutputClosed;
    private Socket socket;

    // Guarded by readLock: once reset, every later read reports it again (as the JDK does).
    private boolean connectionReset;
    // Whether the descriptor is in blocking mode (O_NONBLOCK clear). Changed under stateLock
    // by a thread holding readLock or writeLock; volatile for the checks made without it.
    // It is blocking exactly while the channel is in blocking mode and connected (and no
    // virtual thread has used it, see forcedNonBlocking), as the JDK's:
    // a blocking read then waits inside recvmsg, not in poll(2), which matters for MPTCP (a
    // receiver waiting in poll suffers the kernel's 200 ms zero-window stalls about five times
    // as often as one blocked in recvmsg; see the README), and a round trip costs no poll.
    private volatile boolean fdBlocking;
    // Set, under stateLock, by the first blocking operation on a virtual thread; from then on
    // the descriptor stays non-blocking (as the JDK's), so that every blocking wait parks in
    // NativeFd, where a virtual thread releases its carrier, instead of waiting in the kernel.
    private volatile boolean forcedNonBlocking;

    private SocketChannelImpl(MptcpSelectorProvider provider, LinuxSyscalls sys, int fd,
            int family, int protocol, boolean strict) {
        super(provider);
        this.sys = sys;
        this.fd = fd;
        this.family = family;
        this.nfd = new NativeFd(sys, fd);
        this.options = new NativeSocketOptions(sys, fd, family, strict, protocol);
        this.mptcp = new MptcpIntrospection(sys, fd, options);
    }

    /** A new unconnected channel: MPTCP or TCP as the provider's policy says. */
    static SocketChannelImpl open(MptcpSelectorProvider provider, StandardProtocolFamily family)
            throws IOException {
        LinuxSyscalls sys = provider.syscalls();
        MptcpPolicy policy = provider.policy();
        InetSockets.OpenedSocket s = provider.sockets().openStream(sys, policy, family, false);
        int protocol = s.mptcp() ? LinuxUapi.IPPROTO_MPTCP : LinuxUapi.IPPROTO_TCP;
        return new SocketChannelImpl(provider, sys, s.fd(), s.family(), protocol, policy.strict());
    }

    /**
     * The channel of an accepted connection (its descriptor accepted in blocking mode); MPTCP
     * or TCP as the client chose, read from the kernel when first needed. Starts in blocking
     * mode, as the JDK's accepted channels do.
     */
    static SocketChannelImpl accepted(MptcpSelectorProvider provider, LinuxSyscalls sys, int fd,
            int family, InetSocketAddress local, InetSocketAddress remote, boolean strict) {
        SocketChannelImpl sc = new SocketChannelImpl(provider, sys, fd, family, 0, strict);
        sc.localAddress = local;
        sc.remoteAddress = remote;
        sc.state = ST_CONNECTED;
        sc.fdBlocking = true;
        return sc;
    }

    // ---- state helpers ------------------------------------------------------------------

    private void ensureOpen() throws ClosedChannelException {
        if (!isOpen()) {
            throw new ClosedChannelException();
        }
    }

    private void ensureOpenAndConnected() throws ClosedChannelException {
        int s = state;
        if (s < ST_CONNECTED) {
            throw new NotYetConnectedException();
        } else if (s > ST_CONNECTED) {
            throw new ClosedChannelException();
        }
    }

    private void park(int events, long nanos) throws IOException {
        try {
            nfd.park(events, nanos);
        } catch (ErrnoException e) {
            throw NioExceptions.io(e);
        }
    }

    private void beginRead(boolean blocking) throws ClosedChannelException {
        if (!blocking) {
            // Nothing to publish for close: it waits for readLock instead (state is volatile).
            ensureOpenAndConnected();
            return;
        }
        begin();
        stateLock.lock();
        try {
            ensureOpenAndConnected();
            readerParked = true;
        } finally {
            stateLock.unlock();
        }
    }

    private void endRead(boolean blocking, boolean completed) throws AsynchronousCloseException {
        if (blocking) {
            stateLock.lock();
            try {
                readerParked = false;
                if (state == ST_CLOSING) {
                    tryFinishClose();
                }
            } finally {
                stateLock.unlock();
            }
            end(completed);
        }
    }

    private void beginWrite(boolean blocking) throws ClosedChannelException {
        if (!blocking) {
            ensureOpenAndConnected();
            if (isOutputClosed) {
                throw new ClosedChannelException();
            }
            return;
        }
        begin();
        stateLock.lock();
        try {
            ensureOpenAndConnected();
            if (isOutputClosed) {
                throw new ClosedChannelException();
            }
            writerParked = true;
        } finally {
            stateLock.unlock();
        }
    }

    private void endWrite(boolean blocking, boolean completed) throws AsynchronousCloseException {
        if (blocking) {
            stateLock.lock();
            try {
                writerParked = false;
                if (state == ST_CLOSING) {
                    tryFinishClose();
                }
            } finally {
                stateLock.unlock();
            }
            end(completed);
        }
    }

    // ---- reading ------------------------------------------------------------------------

    @Override
    public int read(ByteBuffer dst) throws IOException {
        Objects.requireNonNull(dst, "dst");
        return (int) readCore(dst, null, 0, 0, false, 0);
    }

    @Override
    public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
        Objects.checkFromIndexSize(offset, length, dsts.length);
        return readCore(null, dsts, offset, length, false, 0);
    }

    /**
     * Read for the socket adaptor's input stream: blocking mode only, with a timeout
     * ({@code nanos} 0 waits without limit).
     */
    int blockingRead(byte[] b, int off, int len, long nanos) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        if (len == 0) {
            return 0;
        }
        return (int) readCore(ByteBuffer.wrap(b, off, len), null, 0, 0, true, nanos);
    }

    /** One read into {@code dst}, or scattering into {@code dsts[offset..]} when dst is null. */
    @SuppressWarnings("finally") // returning EOF after an input shutdown is the JDK's contract
    private long readCore(ByteBuffer dst, ByteBuffer[] dsts, int offset, int length,
            boolean adaptor, long nanos) throws IOException {
        readLock.lock();
        try {
            boolean blocking = isBlocking();
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
                    while (blocking && n == IoStatus.UNAVAILABLE && isOpen() && !isInputClosed) {
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

    @Override
    public int write(ByteBuffer src) throws IOException {
        Objects.requireNonNull(src, "src");
        return (int) writeCore(src, null, 0, 0, false);
    }

    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
        Objects.checkFromIndexSize(offset, length, srcs.length);
        return writeCore(null, srcs, offset, length, false);
    }

    /** Write for the socket adaptor's output stream: blocking mode only, all bytes. */
    void blockingWriteFully(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        if (len > 0) {
            writeCore(ByteBuffer.wrap(b, off, len), null, 0, 0, true);
        }
    }

    /**
     * One write from {@code src}, or gathering from {@code srcs[offset..]} when src is null.
     * In blocking mode this returns only when all is written: the kernel sees to that on a
     * blocking descriptor, and this loop on a non-blocking one.
     */
    private long writeCore(ByteBuffer src, ByteBuffer[] srcs, int offset, int length,
            boolean adaptor) throws IOException {
        writeLock.lock();
        try {
            boolean blocking = isBlocking();
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
                } while (blocking && isOpen()
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

    @Override
    public long transferFrom(Path file, long position, long count) throws IOException {
        checkTransfer(file, position, count);
        if (!FileSource.isNative(file)) {
            return super.transferFrom(file, position, count);
        }
        ensureOpen();
        try (FileSource src = FileSource.open(sys, file)) {
            return sendFile(src.fd(), position, count);
        }
    }

    /**
     * sendfile(2) from {@code in}, as writeCore: in blocking mode until {@code count} bytes
     * are sent or the file ends, else one call. A failure after some bytes were sent returns
     * their count (the next call meets it again), as a blocked write does.
     */
    private long sendFile(int in, long position, long count) throws IOException {
        writeLock.lock();
        try {
            boolean blocking = isBlocking();
            long total = 0;
            try {
                beginWrite(blocking);
                if (blocking) {
                    configureNonBlockingIfVirtualThread();
                }
                while (total < count) {
                    long n = sys.sendfile(fd, in, position + total, count - total);
                    if (n == IoStatus.UNAVAILABLE) {
                        if (!blocking || !isOpen()) {
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

    /** {@code Socket.sendUrgentData}: one byte with {@code MSG_OOB}; 0 if the buffer is full. */
    int sendOutOfBandData(byte data) throws IOException {
        writeLock.lock();
        try {
            boolean blocking = isBlocking();
            int n = 0;
            try {
                beginWrite(blocking);
                n = sendOneUrgentByte(data);
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

    private int sendOneUrgentByte(byte data) throws IOException {
        ByteBuffer one = DirectBufferCache.acquire(1);
        try {
            one.put(0, data);
            return sys.send(fd, one, LinuxUapi.MSG_OOB);
        } catch (ErrnoException e) {
            IOException mapped = NioExceptions.io(e);
            if (e.errno() == Errno.EOPNOTSUPP && options.isMptcpSocket()) {
                SocketException x = new SocketException("sendUrgentData: MPTCP sockets do not"
                        + " carry urgent (out-of-band) data; run this program with"
                        + " io.mptcp.nio.mode=off if it needs it");
                x.initCause(mapped);
                throw x;
            }
            throw mapped;
        } finally {
            DirectBufferCache.release(one);
        }
    }

    // ---- connecting ---------------------------------------------------------------------

    @Override
    public boolean connect(SocketAddress remote) throws IOException {
        return connectCore(remote, false, 0);
    }

    /** The adaptor's {@code Socket.connect(addr, timeout)}: blocking mode only. */
    void blockingConnect(SocketAddress remote, long nanos) throws IOException {
        connectCore(remote, true, nanos);
    }

    private boolean connectCore(SocketAddress remote, boolean adaptor, long nanos)
            throws IOException {
        InetSocketAddress sa = Net.checkRemote(remote, family);
        try {
            readLock.lock();
            try {
                writeLock.lock();
                try {
                    boolean blocking = isBlocking();
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
                        connected = connectNow(sa);
                        if (!connected && blocking) {
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
            // A failed connect closes the channel, as the JDK's does.
            close();
            throw e;
        }
    }

    /** Parks until the pending connect completes or fails ({@code nanos} 0: no time limit). */
    private boolean awaitConnect(long start, long nanos) throws IOException {
        boolean polled = false;
        while (!polled && isOpen()) {
            park(LinuxUapi.POLLOUT, NativeFd.timeLeft(start, nanos, "Connect timed out"));
            polled = pollConnectNow();
        }
        return polled && isOpen();
    }

    @Override
    public boolean finishConnect() throws IOException {
        try {
            readLock.lock();
            try {
                writeLock.lock();
                try {
                    if (isConnected()) {
                        return true;
                    }
                    boolean blocking = isBlocking();
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
                        connected = connected && isOpen();
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
            close();
            throw e;
        }
    }

    private void beginConnect(boolean blocking, InetSocketAddress sa) throws IOException {
        if (blocking) {
            begin();
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
            begin();
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
                    localAddress = sys.getsockname(fd);
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

    private boolean connectNow(InetSocketAddress sa) throws IOException {
        try {
            return sys.connect(fd, family, sa);
        } catch (ErrnoException e) {
            throw NioExceptions.socket(e);
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

    @Override
    public SocketChannelImpl bind(SocketAddress local) throws IOException {
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
                    InetSocketAddress isa = local == null
                            ? Net.anyLocal(family) : Net.checkAddress(local, family);
                    sys.bind(fd, family, isa);
                    localAddress = sys.getsockname(fd);
                } catch (ErrnoException e) {
                    throw NioExceptions.socket(e);
                } finally {
                    stateLock.unlock();
                }
            } finally {
                writeLock.unlock();
            }
        } finally {
            readLock.unlock();
        }
        return this;
    }

    @Override
    public SocketAddress getLocalAddress() throws IOException {
        stateLock.lock();
        try {
            ensureOpen();
            return localAddress;
        } finally {
            stateLock.unlock();
        }
    }

    @Override
    public SocketAddress getRemoteAddress() throws IOException {
        stateLock.lock();
        try {
            ensureOpen();
            return remoteAddress;
        } finally {
            stateLock.unlock();
        }
    }

    /** The local address even when closed (for the adaptor), or null if unbound. */
    InetSocketAddress localAddress() {
        stateLock.lock();
        try {
            return localAddress;
        } finally {
            stateLock.unlock();
        }
    }

    /** The remote address even when closed (for the adaptor), or null if never connected. */
    InetSocketAddress remoteAddress() {
        stateLock.lock();
        try {
            return remoteAddress;
        } finally {
            stateLock.unlock();
        }
    }

    @Override
    public SocketChannelImpl shutdownInput() throws IOException {
        shutdown(true);
        return this;
    }

    @Override
    public SocketChannelImpl shutdownOutput() throws IOException {
        shutdown(false);
        return this;
    }

    private void shutdown(boolean input) throws IOException {
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

    boolean isInputOpen() {
        return !isInputClosed;
    }

    boolean isOutputOpen() {
        return !isOutputClosed;
    }

    @Override
    public boolean isConnected() {
        return state == ST_CONNECTED;
    }

    @Override
    public boolean isConnectionPending() {
        return state == ST_CONNECTIONPENDING;
    }

    @Override
    public Socket socket() {
        stateLock.lock();
        try {
            if (socket == null) {
                socket = SocketAdaptor.create(this);
            }
            return socket;
        } finally {
            stateLock.unlock();
        }
    }

    // ---- options ------------------------------------------------------------------------

    private static final Set<SocketOption<?>> SUPPORTED = SocketOptions.socketChannelOptions();

    @Override
    public Set<SocketOption<?>> supportedOptions() {
        return SUPPORTED;
    }

    @Override
    public <T> SocketChannelImpl setOption(SocketOption<T> name, T value) throws IOException {
        SocketOptions.checkSet(name, value, SUPPORTED);
        stateLock.lock();
        try {
            ensureOpen();
            options.set(name, value);
            return this;
        } finally {
            stateLock.unlock();
        }
    }

    @Override
    public <T> T getOption(SocketOption<T> name) throws IOException {
        SocketOptions.checkGet(name, SUPPORTED);
        stateLock.lock();
        try {
            ensureOpen();
            return name.type().cast(SocketOptions.get(options, mptcp, isConnected(), name));
        } finally {
            stateLock.unlock();
        }
    }

    @Override
    public Map<SocketOption<?>, Object> unappliedOptions() {
        return options.unapplied();
    }

    // ---- blocking mode and close ----------------------------------------------------------

    @Override
    protected void implConfigureBlocking(boolean block) throws IOException {
        // The descriptor stays non-blocking; the mode only decides whether operations park.
        readLock.lock();
        try {
            writeLock.lock();
            try {
                stateLock.lock();
                try {
                    ensureOpen();
                    setFdBlocking(block && state == ST_CONNECTED);
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
     * Puts the descriptor in the mode the channel wants now: blocking while the channel is
     * blocking and connected. Caller holds readLock and writeLock (or owns the channel alone).
     */
    private void restoreFdBlocking() throws IOException {
        setFdBlocking(isBlocking() && state == ST_CONNECTED);
    }

    private void setFdBlocking(boolean block) throws IOException {
        if (fdBlocking != block) {
            stateLock.lock();
            try {
                block &= !forcedNonBlocking;
                if (fdBlocking != block) {
                    sys.setBlocking(fd, block);
                    fdBlocking = block;
                }
            } catch (ErrnoException e) {
                throw NioExceptions.socket(e);
            } finally {
                stateLock.unlock();
            }
        }
    }

    /**
     * Before a blocking operation: on a virtual thread, turns the descriptor non-blocking for
     * good, so the operation parks the virtual thread instead of holding its carrier in the
     * kernel. A platform thread pays one check. Caller holds readLock or writeLock.
     */
    private void configureNonBlockingIfVirtualThread() throws IOException {
        if (VirtualThreads.isCurrentVirtual() && !forcedNonBlocking) {
            stateLock.lock();
            try {
                ensureOpen();
                forcedNonBlocking = true;
                setFdBlocking(false);
            } finally {
                stateLock.unlock();
            }
        }
    }

    @Override
    protected void implCloseSelectableChannel() throws IOException {
        if (isBlocking()) {
            implCloseBlockingMode();
        } else {
            implCloseNonBlockingMode();
        }
    }

    private void implCloseBlockingMode() throws IOException {
        stateLock.lock();
        try {
            boolean connected = state == ST_CONNECTED;
            state = ST_CLOSING;
            if (!tryClose()) {
                if (connected) {
                    shutdownOutputUnlessLingerZero();
                    wakeThreadsBlockedInKernel();
                }
                nfd.unpark();
            }
        } finally {
            stateLock.unlock();
        }
    }

    private void implCloseNonBlockingMode() throws IOException {
        boolean connected;
        stateLock.lock();
        try {
            connected = state == ST_CONNECTED;
            state = ST_CLOSING;
        } finally {
            stateLock.unlock();
        }
        // Non-blocking operations are short: wait for any in progress to finish.
        readLock.lock();
        readLock.unlock();
        writeLock.lock();
        writeLock.unlock();
        stateLock.lock();
        try {
            if (state == ST_CLOSING && !tryClose() && connected && isRegistered()) {
                // The descriptor lives on until the selector lets go: let the peer see EOF now.
                shutdownOutputUnlessLingerZero();
            }
        } finally {
            stateLock.unlock();
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
     * is not safe through JNR. Caller holds stateLock.
     */
    private void wakeThreadsBlockedInKernel() {
        int how = (readerParked ? 1 : 0) | (writerParked ? 2 : 0);
        // Once forced non-blocking, a platform thread may still be in a call that started on
        // the blocking descriptor: wake it the same way.
        if ((!fdBlocking && !forcedNonBlocking) || how == 0) {
            return;
        }
        try {
            sys.shutdown(fd, how == 3 ? LinuxUapi.SHUT_RDWR
                    : how == 1 ? LinuxUapi.SHUT_RD : LinuxUapi.SHUT_WR);
        } catch (ErrnoException ignore) {
            // ENOTCONN: the connection is gone, so nothing can be blocked on it.
        }
    }

    /** Releases the descriptor if nothing uses it any more. Caller holds stateLock. */
    private boolean tryClose() throws IOException {
        if (!readerParked && !writerParked && !isRegistered()) {
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

    @Override
    public void kill() {
        stateLock.lock();
        try {
            if (state == ST_CLOSING) {
                tryFinishClose();
            }
        } finally {
            stateLock.unlock();
        }
    }

    // ---- selector support -----------------------------------------------------------------

    @Override
    public int fdVal() {
        return fd;
    }

    @Override
    public int translateInterestOps(int ops) {
        return StreamReadiness.socketInterest(ops);
    }

    @Override
    public int translateReadyOps(int events, int interestOps) {
        return StreamReadiness.socketReady(events, interestOps, isConnected(),
                isConnectionPending());
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(MptcpSocketChannel.class.getName()).append('[');
        if (!isOpen()) {
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
