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
 * <p>Locks: the {@link CloseGate} is taken before {@code updateLock} (the pending operations), and the state lock and the monitors of
 * the two {@link Direction}s are never held while another is taken, nor while a handler runs.
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

    private final Direction read = new Direction(Op.READ);
    private final Direction write = new Direction(Op.WRITE);

    private final CloseGate gate = new CloseGate();

    // The pending connect (and, in each Direction, the pending read or write); guarded by
    // updateLock, which also publishes their context to the event loop that completes them.
    private final Object updateLock = new Object();
    private boolean connectPending;
    private CompletionHandler<Void, Object> connectHandler;
    private Object connectAttachment;
    private PendingResult<Void> connectFuture;

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
        return gate.isOpen();
    }

    @Override
    public void close() throws IOException {
        if (!gate.close()) {
            return;
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
            if (readable && read.pending) {
                read.pending = false;
                finishRead = true;
            }
            if (writable) {
                if (write.pending) {
                    write.pending = false;
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
                write.complete(false);
            }
            read.complete(mayInvokeDirect);
            return;
        }
        if (finishWrite) {
            write.complete(mayInvokeDirect);
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
            read.kill();
            write.kill();
        } else if (op == Op.READ) {
            read.kill();
        } else if (op == Op.WRITE) {
            write.kill();
        }
    }

    private void updateEvents() {
        int events = 0;
        if (read.pending) {
            events |= LinuxUapi.EPOLLIN;
        }
        if (connectPending || write.pending) {
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
            gate.begin();
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
                gate.end();
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
            gate.begin();
            try {
                channel.finishConnect();
                setConnected();
            } finally {
                gate.end();
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

    // ---- read and write ----------------------------------------------------------------------

    @Override
    public Future<Integer> read(ByteBuffer dst) {
        checkWritable(dst);
        return read.initiate(false, dst, null, 0L, TimeUnit.MILLISECONDS, null, null);
    }

    @Override
    public <A> void read(ByteBuffer dst, long timeout, TimeUnit unit, A attachment,
            CompletionHandler<Integer, ? super A> handler) {
        Objects.requireNonNull(handler, "'handler' is null");
        checkWritable(dst);
        read.initiate(false, dst, null, timeout, unit, attachment, handler);
    }

    @Override
    public <A> void read(ByteBuffer[] dsts, int offset, int length, long timeout, TimeUnit unit,
            A attachment, CompletionHandler<Long, ? super A> handler) {
        Objects.requireNonNull(handler, "'handler' is null");
        Objects.checkFromIndexSize(offset, length, dsts.length);
        ByteBuffer[] bufs = Arrays.copyOfRange(dsts, offset, offset + length);
        for (ByteBuffer b : bufs) {
            checkWritable(b);
        }
        read.initiate(true, null, bufs, timeout, unit, attachment, handler);
    }

    private static void checkWritable(ByteBuffer dst) {
        if (dst.isReadOnly()) {
            throw new IllegalArgumentException("Read-only buffer");
        }
    }

    @Override
    public Future<Integer> write(ByteBuffer src) {
        return write.initiate(false, src, null, 0L, TimeUnit.MILLISECONDS, null, null);
    }

    @Override
    public <A> void write(ByteBuffer src, long timeout, TimeUnit unit, A attachment,
            CompletionHandler<Integer, ? super A> handler) {
        Objects.requireNonNull(handler, "'handler' is null");
        write.initiate(false, src, null, timeout, unit, attachment, handler);
    }

    @Override
    public <A> void write(ByteBuffer[] srcs, int offset, int length, long timeout,
            TimeUnit unit, A attachment, CompletionHandler<Long, ? super A> handler) {
        Objects.requireNonNull(handler, "'handler' is null");
        Objects.checkFromIndexSize(offset, length, srcs.length);
        ByteBuffer[] bufs = Arrays.copyOfRange(srcs, offset, offset + length);
        write.initiate(true, null, bufs, timeout, unit, attachment, handler);
    }

    /**
     * One direction of transfer. The JDK writes its read and write state machines twice; they
     * differ only in the system call, the exceptions' names, what a shut-down direction
     * answers, and that a read may be kept off the initiating thread.
     *
     * <p>This object's monitor guards {@code busy}, {@code shutdown} and {@code killed};
     * {@code updateLock} guards the pending operation's context.
     */
    private final class Direction {
        private final Op op;
        private final Runnable timeout = this::timedOut;

        private boolean busy;
        // Volatile too: toString and setOption read it without the monitor.
        private volatile boolean shutdown;
        // After a timeout or a cancellation, bytes may have moved: no more operations.
        private boolean killed;

        private boolean pending;
        private boolean vectored;
        private ByteBuffer buffer;
        private ByteBuffer[] buffers;
        private CompletionHandler<Number, Object> handler;
        private Object attachment;
        private PendingResult<Number> future;
        private Future<?> timer;

        Direction(Op op) {
            this.op = op;
        }

        private boolean input() {
            return op == Op.READ;
        }

        @SuppressWarnings("unchecked")
        <V extends Number, A> Future<V> initiate(boolean vectored, ByteBuffer buf,
                ByteBuffer[] bufs, long timeout, TimeUnit unit, A att,
                CompletionHandler<V, ? super A> handler) {
            if (!isOpen()) {
                return completeNow(handler, att, null, new ClosedChannelException());
            }
            if (remoteAddress == null) {
                throw new NotYetConnectedException();
            }
            boolean hasRoom = vectored || buf.hasRemaining();
            boolean isShutdown;
            synchronized (this) {
                if (killed) {
                    throw new IllegalStateException((input() ? "Reading" : "Writing")
                            + " not allowed due to timeout or cancellation");
                }
                if (busy) {
                    throw input() ? new ReadPendingException() : new WritePendingException();
                }
                isShutdown = shutdown;
                if (!isShutdown && hasRoom) {
                    busy = true;
                }
            }
            // Input shut down: end of stream at once; output shut down: closed.
            if (isShutdown) {
                return input() ? completeNow(handler, att, (V) number(vectored, -1), null)
                        : completeNow(handler, att, null, new ClosedChannelException());
            }
            if (!hasRoom) {
                return completeNow(handler, att, (V) number(vectored, 0), null);
            }
            return start(vectored, buf, bufs, timeout, unit, att, handler);
        }

        @SuppressWarnings("unchecked")
        private <V extends Number, A> Future<V> start(boolean vectored, ByteBuffer buf,
                ByteBuffer[] bufs, long timeout, TimeUnit unit, A att,
                CompletionHandler<V, ? super A> handler) {
            // Transfer at once unless the handler would then have to run on a thread it must
            // not: a fixed pool's handlers run on its threads only.
            Invoker.GroupThread me = null;
            boolean invokeDirect = false;
            boolean attempt;
            if (input() && DISABLE_SYNCHRONOUS_READ) {
                attempt = false;
            } else if (handler == null) {
                attempt = true;
            } else {
                me = Invoker.current();
                invokeDirect = Invoker.mayInvokeDirect(me, group);
                attempt = invokeDirect || !group.isFixedThreadPool();
            }
            long n = IoStatus.UNAVAILABLE;
            Throwable exc = null;
            boolean waiting = false;
            try {
                gate.begin();
                try {
                    if (attempt) {
                        n = once(vectored, buf, bufs);
                    }
                    if (n == IoStatus.UNAVAILABLE) {
                        PendingResult<V> result = null;
                        synchronized (updateLock) {
                            this.vectored = vectored;
                            this.buffer = buf;
                            this.buffers = bufs;
                            if (handler == null) {
                                this.handler = null;
                                result = new PendingResult<>(AsyncSocketChannel.this, op);
                                this.future = (PendingResult<Number>) result;
                                this.attachment = null;
                            } else {
                                this.handler = (CompletionHandler<Number, Object>) handler;
                                this.attachment = att;
                                this.future = null;
                            }
                            if (timeout > 0L) {
                                this.timer = group.schedule(this.timeout, timeout, unit);
                            }
                            pending = true;
                            updateEvents();
                        }
                        waiting = true;
                        return result;
                    }
                } finally {
                    gate.end();
                }
            } catch (Throwable x) {
                exc = x instanceof ClosedChannelException ? new AsynchronousCloseException() : x;
            } finally {
                if (!waiting) {
                    release(false);
                }
            }
            V result = exc != null ? null : (V) number(vectored, n);
            return completeNow(handler, att, result, exc, invokeDirect, me);
        }

        private long once(boolean vectored, ByteBuffer buf, ByteBuffer[] bufs)
                throws IOException {
            try {
                if (input()) {
                    return vectored ? FdIo.read(sys, fd, bufs, 0, bufs.length)
                            : FdIo.read(sys, fd, buf);
                }
                return vectored ? FdIo.write(sys, fd, bufs, 0, bufs.length)
                        : FdIo.write(sys, fd, buf);
            } catch (ErrnoException e) {
                throw NioExceptions.io(e);
            }
        }

        /** Completes the pending operation after an event (or close) said it can go on. */
        void complete(boolean mayInvokeDirect) {
            boolean wasVectored = vectored;
            CompletionHandler<Number, Object> h = handler;
            Object att = attachment;
            PendingResult<Number> f = future;
            Future<?> t = timer;
            long n = -1;
            Throwable exc = null;
            boolean begun = false;
            try {
                gate.begin();
                begun = true;
                n = once(wasVectored, buffer, buffers);
                if (n == IoStatus.UNAVAILABLE) {
                    // A spurious event: wait again (re-armed below).
                    synchronized (updateLock) {
                        pending = true;
                    }
                    return;
                }
                buffer = null;
                buffers = null;
                attachment = null;
                release(false);
            } catch (Throwable x) {
                release(false);
                exc = x instanceof ClosedChannelException ? new AsynchronousCloseException() : x;
            } finally {
                // The other direction may be pending too: its interest went with this one-shot
                // event. Re-armed while the descriptor cannot be closed.
                if (!(exc instanceof AsynchronousCloseException)) {
                    lockAndUpdateEvents();
                }
                if (begun) {
                    gate.end();
                }
            }
            if (t != null) {
                t.cancel(false);
            }
            Number result = exc != null ? null : number(wasVectored, n);
            AsyncSocketChannel.this.complete(h, att, f, result, exc, mayInvokeDirect);
        }

        private void timedOut() {
            CompletionHandler<Number, Object> h;
            Object att;
            PendingResult<Number> f;
            synchronized (updateLock) {
                if (!pending) {
                    return;
                }
                pending = false;
                h = handler;
                att = attachment;
                f = future;
            }
            release(true);
            Exception exc = new InterruptedByTimeoutException();
            if (h == null) {
                f.setFailure(exc);
            } else {
                Invoker.invokeIndirectly(group, h, att, null, exc);
            }
        }

        private void release(boolean kill) {
            synchronized (this) {
                busy = false;
                if (kill) {
                    killed = true;
                }
            }
        }

        void kill() {
            synchronized (this) {
                killed = true;
            }
        }

        /** Shuts this direction down once; {@code how} is the wrapped channel's shutdown. */
        void shutdown(IoAction how) throws IOException {
            synchronized (this) {
                if (!shutdown) {
                    how.run();
                    shutdown = true;
                }
            }
        }

        boolean isShutdown() {
            return shutdown;
        }
    }

    @FunctionalInterface
    private interface IoAction {
        void run() throws IOException;
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
        gate.begin();
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
            gate.end();
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
        gate.begin();
        try {
            if (remoteAddress == null) {
                throw new NotYetConnectedException();
            }
            read.shutdown(channel::shutdownInput);
        } finally {
            gate.end();
        }
        return this;
    }

    @Override
    public AsynchronousSocketChannel shutdownOutput() throws IOException {
        gate.begin();
        try {
            if (remoteAddress == null) {
                throw new NotYetConnectedException();
            }
            write.shutdown(channel::shutdownOutput);
        } finally {
            gate.end();
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
        gate.begin();
        try {
            if (write.isShutdown()) {
                throw new IOException("Connection has been shutdown for writing");
            }
            channel.setOption(name, value);
            return this;
        } finally {
            gate.end();
        }
    }

    @Override
    public <T> T getOption(SocketOption<T> name) throws IOException {
        checkOption(name);
        gate.begin();
        try {
            return channel.getOption(name);
        } finally {
            gate.end();
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
                        if (read.isShutdown()) {
                            sb.append(" ishut");
                        }
                        if (write.isShutdown()) {
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
