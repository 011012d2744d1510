package io.mptcp.nio.internal.async;

import io.mptcp.ffi.ErrnoException;
import io.mptcp.ffi.IoStatus;
import io.mptcp.ffi.LinuxSyscalls;
import io.mptcp.ffi.LinuxUapi;
import io.mptcp.nio.MptcpSocketChannel;
import io.mptcp.nio.internal.fd.FdIo;
import io.mptcp.nio.internal.fd.NioExceptions;
import io.mptcp.nio.internal.options.SocketOptions;
import io.mptcp.nio.internal.select.NativeChannel;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketOption;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.AlreadyBoundException;
import java.nio.channels.AlreadyConnectedException;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.AsynchronousSocketChannel;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.CompletionHandler;
import java.nio.channels.ConnectionPendingException;
import java.nio.channels.InterruptedByTimeoutException;
import java.nio.channels.NotYetConnectedException;
import java.nio.channels.ReadPendingException;
import java.nio.channels.ShutdownChannelGroupException;
import java.nio.channels.UnresolvedAddressException;
import java.nio.channels.UnsupportedAddressTypeException;
import java.nio.channels.WritePendingException;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * An {@link AsynchronousSocketChannel} over one of the provider's non-blocking INET socket
 * channels: the JDK's {@code UnixAsynchronousSocketChannelImpl} state machine (one pending read
 * and one pending write, timeouts that forbid further reads or writes, cancellation, close
 * that fails pending operations with {@link AsynchronousCloseException}), with the socket
 * opened, bound, connected, shut down and configured by the wrapped channel, so that it is
 * MPTCP (or TCP) under the same policy, fallback and option tolerance as a
 * {@code SocketChannel}. Reads and writes are made here, on the descriptor, as the JDK's are:
 * the wrapped channel's state machine is for blocking and selector use.
 *
 * <p>Locks: {@code closeLock} (read: an operation uses the descriptor; write: close) is taken
 * before {@code updateLock} (the pending operations), and the read, write and state locks are
 * never held while another is taken, nor while a handler runs.
 */
public final class AsyncSocketChannel extends AsynchronousSocketChannel
        implements AsyncGroup.Pollable, PendingResult.Cancellable {

    private enum Op { CONNECT, READ, WRITE }

    private static final int ST_UNCONNECTED = 0;
    private static final int ST_PENDING = 1;
    private static final int ST_CONNECTED = 2;

    // The JDK's property: set (or empty), handlers never read on the initiating thread.
    private static final boolean DISABLE_SYNCHRONOUS_READ = disableSynchronousRead();

    private final AsyncGroup group;
    private final LinuxSyscalls sys;
    private final MptcpSocketChannel channel;
    private final int fd;

    private final Object stateLock = new Object();
    private volatile int state;
    private volatile InetSocketAddress localAddress;
    private volatile InetSocketAddress remoteAddress;
    // Guarded by stateLock.
    private InetSocketAddress pendingRemote;

    private final Object readLock = new Object();
    private boolean reading;
    private boolean readShutdown;
    private boolean readKilled;

    private final Object writeLock = new Object();
    private boolean writing;
    private boolean writeShutdown;
    private boolean writeKilled;

    private final ReentrantReadWriteLock closeLock = new ReentrantReadWriteLock();
    private volatile boolean closed;

    // The pending operations; guarded by updateLock, which also publishes their context to
    // the event loop that completes them.
    private final Object updateLock = new Object();
    private boolean connectPending;
    private CompletionHandler<Void, Object> connectHandler;
    private Object connectAttachment;
    private PendingResult<Void> connectFuture;

    private boolean readPending;
    private boolean scatteringRead;
    private ByteBuffer readBuffer;
    private ByteBuffer[] readBuffers;
    private CompletionHandler<Number, Object> readHandler;
    private Object readAttachment;
    private PendingResult<Number> readFuture;
    private Future<?> readTimer;

    private boolean writePending;
    private boolean gatheringWrite;
    private ByteBuffer writeBuffer;
    private ByteBuffer[] writeBuffers;
    private CompletionHandler<Number, Object> writeHandler;
    private Object writeAttachment;
    private PendingResult<Number> writeFuture;
    private Future<?> writeTimer;

    private final Runnable readTimeout = this::readTimedOut;
    private final Runnable writeTimeout = this::writeTimedOut;

    /**
     * A channel over {@code channel}, unconnected or (accepted) connected, registered with
     * {@code group}. The channel is made non-blocking here.
     *
     * @throws ShutdownChannelGroupException if the group is shut down (channel left open)
     */
    AsyncSocketChannel(AsyncGroup group, MptcpSocketChannel channel) throws IOException {
        super(group.provider());
        this.group = group;
        this.sys = group.syscalls();
        this.channel = channel;
        this.fd = ((NativeChannel) channel).fdVal();
        channel.configureBlocking(false);
        if (channel.isConnected()) {
            this.state = ST_CONNECTED;
            this.localAddress = (InetSocketAddress) channel.getLocalAddress();
            this.remoteAddress = (InetSocketAddress) channel.getRemoteAddress();
        } else {
            this.state = ST_UNCONNECTED;
        }
        group.register(fd, this);
    }

    /**
     * The options of an asynchronous socket channel: the JDK's (a {@code SocketChannel}'s
     * without {@code SO_LINGER}, {@code IP_TOS} and the adaptor's {@code SO_OOBINLINE}), plus
     * the MPTCP ones.
     */
    private static final Set<SocketOption<?>> SUPPORTED = asyncOptions();

    private static Set<SocketOption<?>> asyncOptions() {
        Set<SocketOption<?>> set = new HashSet<>(SocketOptions.socketChannelOptions());
        set.removeAll(Arrays.asList(StandardSocketOptions.SO_LINGER,
                StandardSocketOptions.IP_TOS, StandardSocketOptions.IP_MULTICAST_IF));
        set.removeIf(o -> o.name().equals("SO_OOBINLINE"));
        return Collections.unmodifiableSet(set);
    }

    private static boolean disableSynchronousRead() {
        String value = System.getProperty("sun.nio.ch.disableSynchronousRead", "false");
        return value.isEmpty() || Boolean.parseBoolean(value);
    }

    // ---- lifecycle ---------------------------------------------------------------------------

    @Override
    public boolean isOpen() {
        return !closed;
    }

    private void begin() throws IOException {
        closeLock.readLock().lock();
        if (closed) {
            closeLock.readLock().unlock();
            throw new ClosedChannelException();
        }
    }

    private void end() {
        closeLock.readLock().unlock();
    }

    @Override
    public void close() throws IOException {
        closeLock.writeLock().lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
        } finally {
            closeLock.writeLock().unlock();
        }
        group.unregister(fd);
        try {
            channel.close();
        } finally {
            // Every pending operation fails with AsynchronousCloseException.
            finish(false, true, true);
        }
    }

    @Override
    public void onEvent(int events, boolean mayInvokeDirect) {
        boolean readable = (events & LinuxUapi.EPOLLIN) != 0;
        boolean writable = (events & LinuxUapi.EPOLLOUT) != 0;
        if ((events & (LinuxUapi.EPOLLERR | LinuxUapi.EPOLLHUP)) != 0) {
            readable = true;
            writable = true;
        }
        finish(mayInvokeDirect, readable, writable);
    }

    private void finish(boolean mayInvokeDirect, boolean readable, boolean writable) {
        boolean finishRead = false;
        boolean finishWrite = false;
        boolean finishConnect = false;
        synchronized (updateLock) {
            if (readable && readPending) {
                readPending = false;
                finishRead = true;
            }
            if (writable) {
                if (writePending) {
                    writePending = false;
                    finishWrite = true;
                } else if (connectPending) {
                    connectPending = false;
                    finishConnect = true;
                }
            }
        }
        // Ready both ways: the write's handler goes to the pool, the read's may run here.
        if (finishRead) {
            if (finishWrite) {
                finishWrite(false);
            }
            finishRead(mayInvokeDirect);
            return;
        }
        if (finishWrite) {
            finishWrite(mayInvokeDirect);
        }
        if (finishConnect) {
            finishConnect(mayInvokeDirect);
        }
    }

    @Override
    public void onCancel(PendingResult<?> task) {
        Object op = task.context();
        if (op == Op.CONNECT) {
            // The connection may be established by now: no reads or writes on it.
            killReading();
            killWriting();
        } else if (op == Op.READ) {
            killReading();
        } else if (op == Op.WRITE) {
            killWriting();
        }
    }

    private void updateEvents() {
        int events = 0;
        if (readPending) {
            events |= LinuxUapi.EPOLLIN;
        }
        if (connectPending || writePending) {
            events |= LinuxUapi.EPOLLOUT;
        }
        if (events != 0) {
            group.startPoll(fd, events);
        }
    }

    private void lockAndUpdateEvents() {
        synchronized (updateLock) {
            updateEvents();
        }
    }

    // ---- connect -----------------------------------------------------------------------------

    @Override
    public Future<Void> connect(SocketAddress remote) {
        return implConnect(remote, null, null);
    }

    @Override
    public <A> void connect(SocketAddress remote, A attachment,
            CompletionHandler<Void, ? super A> handler) {
        Objects.requireNonNull(handler, "'handler' is null");
        implConnect(remote, attachment, handler);
    }

    @SuppressWarnings("unchecked")
    private <A> Future<Void> implConnect(SocketAddress remote, A attachment,
            CompletionHandler<Void, ? super A> handler) {
        if (!isOpen()) {
            return completeNow(handler, attachment, null, new ClosedChannelException());
        }
        InetSocketAddress isa = checkAddress(remote);
        synchronized (stateLock) {
            if (state == ST_CONNECTED) {
                throw new AlreadyConnectedException();
            }
            if (state == ST_PENDING) {
                throw new ConnectionPendingException();
            }
            state = ST_PENDING;
            pendingRemote = isa;
        }
        Throwable exc = null;
        try {
            begin();
            try {
                if (!channel.connect(isa)) {
                    PendingResult<Void> result = null;
                    synchronized (updateLock) {
                        if (handler == null) {
                            result = new PendingResult<>(this, Op.CONNECT);
                            connectFuture = result;
                        } else {
                            connectHandler = (CompletionHandler<Void, Object>) handler;
                            connectAttachment = attachment;
                        }
                        connectPending = true;
                        updateEvents();
                    }
                    return result;
                }
                setConnected();
            } finally {
                end();
            }
        } catch (Throwable x) {
            exc = x instanceof ClosedChannelException ? new AsynchronousCloseException() : x;
        }
        if (exc != null) {
            closeAfterFailure(exc);
        }
        return completeNow(handler, attachment, null, exc);
    }

    private void finishConnect(boolean mayInvokeDirect) {
        Throwable exc = null;
        try {
            begin();
            try {
                channel.finishConnect();
                setConnected();
            } finally {
                end();
            }
        } catch (Throwable x) {
            exc = x instanceof ClosedChannelException ? new AsynchronousCloseException() : x;
        }
        if (exc != null) {
            closeAfterFailure(exc);
        }
        CompletionHandler<Void, Object> handler = connectHandler;
        Object att = connectAttachment;
        PendingResult<Void> future = connectFuture;
        complete(handler, att, future, null, exc, mayInvokeDirect);
    }

    private void setConnected() throws IOException {
        synchronized (stateLock) {
            state = ST_CONNECTED;
            localAddress = (InetSocketAddress) channel.getLocalAddress();
            remoteAddress = pendingRemote;
        }
    }

    // A connection that cannot be made closes the channel, as the JDK's.
    private void closeAfterFailure(Throwable exc) {
        try {
            close();
        } catch (Throwable suppressed) {
            exc.addSuppressed(suppressed);
        }
    }

    private static InetSocketAddress checkAddress(SocketAddress sa) {
        Objects.requireNonNull(sa);
        if (!(sa instanceof InetSocketAddress)) {
            throw new UnsupportedAddressTypeException();
        }
        InetSocketAddress isa = (InetSocketAddress) sa;
        if (isa.isUnresolved()) {
            throw new UnresolvedAddressException();
        }
        return isa;
    }

    // ---- read --------------------------------------------------------------------------------

    @Override
    public Future<Integer> read(ByteBuffer dst) {
        if (dst.isReadOnly()) {
            throw new IllegalArgumentException("Read-only buffer");
        }
        return read(false, dst, null, 0L, TimeUnit.MILLISECONDS, null, null);
    }

    @Override
    public <A> void read(ByteBuffer dst, long timeout, TimeUnit unit, A attachment,
            CompletionHandler<Integer, ? super A> handler) {
        Objects.requireNonNull(handler, "'handler' is null");
        if (dst.isReadOnly()) {
            throw new IllegalArgumentException("Read-only buffer");
        }
        read(false, dst, null, timeout, unit, attachment, handler);
    }

    @Override
    public <A> void read(ByteBuffer[] dsts, int offset, int length, long timeout, TimeUnit unit,
            A attachment, CompletionHandler<Long, ? super A> handler) {
        Objects.requireNonNull(handler, "'handler' is null");
        Objects.checkFromIndexSize(offset, length, dsts.length);
        ByteBuffer[] bufs = Arrays.copyOfRange(dsts, offset, offset + length);
        for (ByteBuffer b : bufs) {
            if (b.isReadOnly()) {
                throw new IllegalArgumentException("Read-only buffer");
            }
        }
        read(true, null, bufs, timeout, unit, attachment, handler);
    }

    @SuppressWarnings("unchecked")
    private <V extends Number, A> Future<V> read(boolean scattering, ByteBuffer dst,
            ByteBuffer[] dsts, long timeout, TimeUnit unit, A att,
            CompletionHandler<V, ? super A> handler) {
        if (!isOpen()) {
            return completeNow(handler, att, null, new ClosedChannelException());
        }
        if (remoteAddress == null) {
            throw new NotYetConnectedException();
        }
        boolean hasSpace = scattering || dst.hasRemaining();
        boolean shutdown = false;
        synchronized (readLock) {
            if (readKilled) {
                throw new IllegalStateException(
                        "Reading not allowed due to timeout or cancellation");
            }
            if (reading) {
                throw new ReadPendingException();
            }
            if (readShutdown) {
                shutdown = true;
            } else if (hasSpace) {
                reading = true;
            }
        }
        // Input shut down: end of stream at once; nothing to read into: 0 at once.
        if (shutdown || !hasSpace) {
            Number result = scattering ? (Number) (shutdown ? -1L : 0L)
                    : (Number) (shutdown ? -1 : 0);
            return completeNow(handler, att, (V) result, null);
        }
        return implRead(scattering, dst, dsts, timeout, unit, att, handler);
    }

    @SuppressWarnings("unchecked")
    private <V extends Number, A> Future<V> implRead(boolean scattering, ByteBuffer dst,
            ByteBuffer[] dsts, long timeout, TimeUnit unit, A att,
            CompletionHandler<V, ? super A> handler) {
        // Read at once unless the handler would then have to run on a thread it must not:
        // a fixed pool's handlers run on its threads only.
        Invoker.GroupThread me = null;
        boolean invokeDirect = false;
        boolean attempt = false;
        if (!DISABLE_SYNCHRONOUS_READ) {
            if (handler == null) {
                attempt = true;
            } else {
                me = Invoker.current();
                invokeDirect = Invoker.mayInvokeDirect(me, group);
                attempt = invokeDirect || !group.isFixedThreadPool();
            }
        }
        long n = IoStatus.UNAVAILABLE;
        Throwable exc = null;
        boolean pending = false;
        try {
            begin();
            try {
                if (attempt) {
                    n = readOnce(scattering, dst, dsts);
                }
                if (n == IoStatus.UNAVAILABLE) {
                    PendingResult<V> result = null;
                    synchronized (updateLock) {
                        scatteringRead = scattering;
                        readBuffer = dst;
                        readBuffers = dsts;
                        if (handler == null) {
                            readHandler = null;
                            result = new PendingResult<>(this, Op.READ);
                            readFuture = (PendingResult<Number>) result;
                            readAttachment = null;
                        } else {
                            readHandler = (CompletionHandler<Number, Object>) handler;
                            readAttachment = att;
                            readFuture = null;
                        }
                        if (timeout > 0L) {
                            readTimer = group.schedule(readTimeout, timeout, unit);
                        }
                        readPending = true;
                        updateEvents();
                    }
                    pending = true;
                    return result;
                }
            } finally {
                end();
            }
        } catch (Throwable x) {
            exc = x instanceof ClosedChannelException ? new AsynchronousCloseException() : x;
        } finally {
            if (!pending) {
                enableReading(false);
            }
        }
        V result = exc != null ? null : (V) number(scattering, n);
        return completeNow(handler, att, result, exc, invokeDirect, me);
    }

    private long readOnce(boolean scattering, ByteBuffer dst, ByteBuffer[] dsts)
            throws IOException {
        try {
            return scattering ? FdIo.read(sys, fd, dsts, 0, dsts.length) : FdIo.read(sys, fd, dst);
        } catch (ErrnoException e) {
            throw NioExceptions.io(e);
        }
    }

    private void finishRead(boolean mayInvokeDirect) {
        boolean scattering = scatteringRead;
        CompletionHandler<Number, Object> handler = readHandler;
        Object att = readAttachment;
        PendingResult<Number> future = readFuture;
        Future<?> timer = readTimer;
        long n = -1;
        Throwable exc = null;
        boolean begun = false;
        try {
            begin();
            begun = true;
            n = readOnce(scattering, readBuffer, readBuffers);
            if (n == IoStatus.UNAVAILABLE) {
                // A spurious event: wait again (re-armed below).
                synchronized (updateLock) {
                    readPending = true;
                }
                return;
            }
            readBuffer = null;
            readBuffers = null;
            readAttachment = null;
            enableReading(false);
        } catch (Throwable x) {
            enableReading(false);
            exc = x instanceof ClosedChannelException ? new AsynchronousCloseException() : x;
        } finally {
            // A write may be pending too: its interest went with this one-shot event. Re-armed
            // while the descriptor cannot be closed.
            if (!(exc instanceof AsynchronousCloseException)) {
                lockAndUpdateEvents();
            }
            if (begun) {
                end();
            }
        }
        if (timer != null) {
            timer.cancel(false);
        }
        Number result = exc != null ? null : number(scattering, n);
        complete(handler, att, future, result, exc, mayInvokeDirect);
    }

    private void readTimedOut() {
        CompletionHandler<Number, Object> handler;
        Object att;
        PendingResult<Number> future;
        synchronized (updateLock) {
            if (!readPending) {
                return;
            }
            readPending = false;
            handler = readHandler;
            att = readAttachment;
            future = readFuture;
        }
        // Bytes may have been read meanwhile: no more reads on this channel.
        enableReading(true);
        Exception exc = new InterruptedByTimeoutException();
        if (handler == null) {
            future.setFailure(exc);
        } else {
            Invoker.invokeIndirectly(group, handler, att, null, exc);
        }
    }

    private void enableReading(boolean killed) {
        synchronized (readLock) {
            reading = false;
            if (killed) {
                readKilled = true;
            }
        }
    }

    private void killReading() {
        synchronized (readLock) {
            readKilled = true;
        }
    }

    // ---- write -------------------------------------------------------------------------------

    @Override
    public Future<Integer> write(ByteBuffer src) {
        return write(false, src, null, 0L, TimeUnit.MILLISECONDS, null, null);
    }

    @Override
    public <A> void write(ByteBuffer src, long timeout, TimeUnit unit, A attachment,
            CompletionHandler<Integer, ? super A> handler) {
        Objects.requireNonNull(handler, "'handler' is null");
        write(false, src, null, timeout, unit, attachment, handler);
    }

    @Override
    public <A> void write(ByteBuffer[] srcs, int offset, int length, long timeout,
            TimeUnit unit, A attachment, CompletionHandler<Long, ? super A> handler) {
        Objects.requireNonNull(handler, "'handler' is null");
        Objects.checkFromIndexSize(offset, length, srcs.length);
        ByteBuffer[] bufs = Arrays.copyOfRange(srcs, offset, offset + length);
        write(true, null, bufs, timeout, unit, attachment, handler);
    }

    @SuppressWarnings("unchecked")
    private <V extends Number, A> Future<V> write(boolean gathering, ByteBuffer src,
            ByteBuffer[] srcs, long timeout, TimeUnit unit, A att,
            CompletionHandler<V, ? super A> handler) {
        boolean hasData = gathering || src.hasRemaining();
        boolean refused = false;
        if (isOpen()) {
            if (remoteAddress == null) {
                throw new NotYetConnectedException();
            }
            synchronized (writeLock) {
                if (writeKilled) {
                    throw new IllegalStateException(
                            "Writing not allowed due to timeout or cancellation");
                }
                if (writing) {
                    throw new WritePendingException();
                }
                if (writeShutdown) {
                    refused = true;
                } else if (hasData) {
                    writing = true;
                }
            }
        } else {
            refused = true;
        }
        if (refused) {
            return completeNow(handler, att, null, new ClosedChannelException());
        }
        if (!hasData) {
            Number zero = gathering ? (Number) 0L : (Number) 0;
            return completeNow(handler, att, (V) zero, null);
        }
        return implWrite(gathering, src, srcs, timeout, unit, att, handler);
    }

    @SuppressWarnings("unchecked")
    private <V extends Number, A> Future<V> implWrite(boolean gathering, ByteBuffer src,
            ByteBuffer[] srcs, long timeout, TimeUnit unit, A att,
            CompletionHandler<V, ? super A> handler) {
        Invoker.GroupThread me = Invoker.current();
        boolean invokeDirect = Invoker.mayInvokeDirect(me, group);
        boolean attempt = handler == null || invokeDirect || !group.isFixedThreadPool();
        long n = IoStatus.UNAVAILABLE;
        Throwable exc = null;
        boolean pending = false;
        try {
            begin();
            try {
                if (attempt) {
                    n = writeOnce(gathering, src, srcs);
                }
                if (n == IoStatus.UNAVAILABLE) {
                    PendingResult<V> result = null;
                    synchronized (updateLock) {
                        gatheringWrite = gathering;
                        writeBuffer = src;
                        writeBuffers = srcs;
                        if (handler == null) {
                            writeHandler = null;
                            result = new PendingResult<>(this, Op.WRITE);
                            writeFuture = (PendingResult<Number>) result;
                            writeAttachment = null;
                        } else {
                            writeHandler = (CompletionHandler<Number, Object>) handler;
                            writeAttachment = att;
                            writeFuture = null;
                        }
                        if (timeout > 0L) {
                            writeTimer = group.schedule(writeTimeout, timeout, unit);
                        }
                        writePending = true;
                        updateEvents();
                    }
                    pending = true;
                    return result;
                }
            } finally {
                end();
            }
        } catch (Throwable x) {
            exc = x instanceof ClosedChannelException ? new AsynchronousCloseException() : x;
        } finally {
            if (!pending) {
                enableWriting(false);
            }
        }
        V result = exc != null ? null : (V) number(gathering, n);
        return completeNow(handler, att, result, exc, invokeDirect, me);
    }

    private long writeOnce(boolean gathering, ByteBuffer src, ByteBuffer[] srcs)
            throws IOException {
        try {
            return gathering ? FdIo.write(sys, fd, srcs, 0, srcs.length)
                    : FdIo.write(sys, fd, src);
        } catch (ErrnoException e) {
            throw NioExceptions.io(e);
        }
    }

    private void finishWrite(boolean mayInvokeDirect) {
        boolean gathering = gatheringWrite;
        CompletionHandler<Number, Object> handler = writeHandler;
        Object att = writeAttachment;
        PendingResult<Number> future = writeFuture;
        Future<?> timer = writeTimer;
        long n = -1;
        Throwable exc = null;
        boolean begun = false;
        try {
            begin();
            begun = true;
            n = writeOnce(gathering, writeBuffer, writeBuffers);
            if (n == IoStatus.UNAVAILABLE) {
                synchronized (updateLock) {
                    writePending = true;
                }
                return;
            }
            writeBuffer = null;
            writeBuffers = null;
            writeAttachment = null;
            enableWriting(false);
        } catch (Throwable x) {
            enableWriting(false);
            exc = x instanceof ClosedChannelException ? new AsynchronousCloseException() : x;
        } finally {
            if (!(exc instanceof AsynchronousCloseException)) {
                lockAndUpdateEvents();
            }
            if (begun) {
                end();
            }
        }
        if (timer != null) {
            timer.cancel(false);
        }
        Number result = exc != null ? null : number(gathering, n);
        complete(handler, att, future, result, exc, mayInvokeDirect);
    }

    private void writeTimedOut() {
        CompletionHandler<Number, Object> handler;
        Object att;
        PendingResult<Number> future;
        synchronized (updateLock) {
            if (!writePending) {
                return;
            }
            writePending = false;
            handler = writeHandler;
            att = writeAttachment;
            future = writeFuture;
        }
        enableWriting(true);
        Exception exc = new InterruptedByTimeoutException();
        if (handler == null) {
            future.setFailure(exc);
        } else {
            Invoker.invokeIndirectly(group, handler, att, null, exc);
        }
    }

    private void enableWriting(boolean killed) {
        synchronized (writeLock) {
            writing = false;
            if (killed) {
                writeKilled = true;
            }
        }
    }

    private void killWriting() {
        synchronized (writeLock) {
            writeKilled = true;
        }
    }

    // ---- completion --------------------------------------------------------------------------

    private static Number number(boolean asLong, long n) {
        return asLong ? (Number) n : (Number) (int) n;
    }

    /** An operation that completed when initiated: a future, or its handler invoked. */
    private <V, A> Future<V> completeNow(CompletionHandler<V, ? super A> handler, A att,
            V value, Throwable exc) {
        if (handler == null) {
            return CompletedResult.of(value, exc);
        }
        Invoker.invoke(group, handler, att, value, exc);
        return null;
    }

    /** A read or write that completed when initiated (the JDK's rules for that case). */
    private <V, A> Future<V> completeNow(CompletionHandler<V, ? super A> handler, A att,
            V value, Throwable exc, boolean invokeDirect, Invoker.GroupThread me) {
        if (handler == null) {
            return CompletedResult.of(value, exc);
        }
        if (invokeDirect) {
            Invoker.invokeDirect(me, handler, att, value, exc);
        } else {
            Invoker.invokeIndirectly(group, handler, att, value, exc);
        }
        return null;
    }

    /** A pending operation completed by an event (or by close). */
    private <V> void complete(CompletionHandler<V, Object> handler, Object att,
            PendingResult<V> future, V value, Throwable exc, boolean mayInvokeDirect) {
        if (handler == null) {
            future.setResult(value, exc);
        } else if (mayInvokeDirect) {
            Invoker.invokeUnchecked(handler, att, value, exc);
        } else {
            Invoker.invokeIndirectly(group, handler, att, value, exc);
        }
    }

    // ---- addresses, shutdown, options ------------------------------------------------------

    @Override
    public AsynchronousSocketChannel bind(SocketAddress local) throws IOException {
        begin();
        try {
            synchronized (stateLock) {
                if (state == ST_PENDING) {
                    throw new ConnectionPendingException();
                }
                if (localAddress != null) {
                    throw new AlreadyBoundException();
                }
                InetSocketAddress isa = local == null
                        ? new InetSocketAddress(0) : checkAddress(local);
                channel.bind(isa);
                localAddress = (InetSocketAddress) channel.getLocalAddress();
            }
        } finally {
            end();
        }
        return this;
    }

    @Override
    public SocketAddress getLocalAddress() throws IOException {
        if (!isOpen()) {
            throw new ClosedChannelException();
        }
        return localAddress;
    }

    @Override
    public SocketAddress getRemoteAddress() throws IOException {
        if (!isOpen()) {
            throw new ClosedChannelException();
        }
        return remoteAddress;
    }

    @Override
    public AsynchronousSocketChannel shutdownInput() throws IOException {
        begin();
        try {
            if (remoteAddress == null) {
                throw new NotYetConnectedException();
            }
            synchronized (readLock) {
                if (!readShutdown) {
                    channel.shutdownInput();
                    readShutdown = true;
                }
            }
        } finally {
            end();
        }
        return this;
    }

    @Override
    public AsynchronousSocketChannel shutdownOutput() throws IOException {
        begin();
        try {
            if (remoteAddress == null) {
                throw new NotYetConnectedException();
            }
            synchronized (writeLock) {
                if (!writeShutdown) {
                    channel.shutdownOutput();
                    writeShutdown = true;
                }
            }
        } finally {
            end();
        }
        return this;
    }

    @Override
    public Set<SocketOption<?>> supportedOptions() {
        return SUPPORTED;
    }

    @Override
    public <T> AsynchronousSocketChannel setOption(SocketOption<T> name, T value)
            throws IOException {
        checkOption(name);
        begin();
        try {
            if (writeShutdown) {
                throw new IOException("Connection has been shutdown for writing");
            }
            channel.setOption(name, value);
            return this;
        } finally {
            end();
        }
    }

    @Override
    public <T> T getOption(SocketOption<T> name) throws IOException {
        checkOption(name);
        begin();
        try {
            return channel.getOption(name);
        } finally {
            end();
        }
    }

    private void checkOption(SocketOption<?> name) {
        Objects.requireNonNull(name);
        if (!SUPPORTED.contains(name)) {
            throw new UnsupportedOperationException("'" + name + "' not supported");
        }
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(getClass().getName()).append('[');
        synchronized (stateLock) {
            if (!isOpen()) {
                sb.append("closed");
            } else {
                switch (state) {
                    case ST_UNCONNECTED -> sb.append("unconnected");
                    case ST_PENDING -> sb.append("connection-pending");
                    default -> {
                        sb.append("connected");
                        if (readShutdown) {
                            sb.append(" ishut");
                        }
                        if (writeShutdown) {
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
            }
        }
        return sb.append(']').toString();
    }
}
