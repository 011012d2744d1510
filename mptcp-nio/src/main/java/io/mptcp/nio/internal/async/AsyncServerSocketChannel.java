package io.mptcp.nio.internal.async;

import io.mptcp.ffi.LinuxUapi;
import io.mptcp.nio.MptcpServerSocketChannel;
import io.mptcp.nio.MptcpSocketChannel;
import io.mptcp.nio.internal.select.NativeChannel;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketOption;
import java.net.StandardSocketOptions;
import java.nio.channels.AcceptPendingException;
import java.nio.channels.AlreadyBoundException;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.AsynchronousServerSocketChannel;
import java.nio.channels.AsynchronousSocketChannel;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.CompletionHandler;
import java.nio.channels.NotYetBoundException;
import java.nio.channels.ShutdownChannelGroupException;
import java.nio.channels.UnresolvedAddressException;
import java.nio.channels.UnsupportedAddressTypeException;
import java.util.Collections;
import java.util.HashSet;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * An {@link AsynchronousServerSocketChannel} over one of the provider's non-blocking INET
 * server channels: the JDK's {@code UnixAsynchronousServerSocketChannelImpl} (one pending
 * accept, cancellation forbids further accepts, close fails the pending one with
 * {@link AsynchronousCloseException}). The listener is MPTCP (or TCP) under the provider's
 * policy; accepted connections are MPTCP when the client asked for it.
 */
public final class AsyncServerSocketChannel extends AsynchronousServerSocketChannel
        implements AsyncGroup.Pollable, PendingResult.Cancellable {

    private final AsyncGroup group;
    private final MptcpServerSocketChannel channel;
    private final int fd;
    private final Set<SocketOption<?>> supported;

    private final Object stateLock = new Object();
    private volatile InetSocketAddress localAddress;

    private final CloseGate gate = new CloseGate();
    private volatile boolean acceptKilled;
    private final AtomicBoolean accepting = new AtomicBoolean();

    // The pending accept; guarded by updateLock.
    private final Object updateLock = new Object();
    private boolean acceptPending;
    private CompletionHandler<AsynchronousSocketChannel, Object> acceptHandler;
    private Object acceptAttachment;
    private PendingResult<AsynchronousSocketChannel> acceptFuture;

    AsyncServerSocketChannel(AsyncGroup group, MptcpServerSocketChannel channel)
            throws IOException {
        super(group.provider());
        this.group = group;
        this.channel = channel;
        this.supported = supportedOptions(channel.supportedOptions());
        this.fd = ((NativeChannel) channel).fdVal();
        channel.configureBlocking(false);
        group.register(fd, this);
    }

    /** The JDK's options of an asynchronous listener (no {@code IP_TOS}), plus MPTCP's. */
    private static Set<SocketOption<?>> supportedOptions(Set<SocketOption<?>> channelOptions) {
        Set<SocketOption<?>> set = new HashSet<>(channelOptions);
        set.remove(StandardSocketOptions.IP_TOS);
        return Collections.unmodifiableSet(set);
    }

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
            failPendingAccept();
        }
    }

    private void failPendingAccept() {
        CompletionHandler<AsynchronousSocketChannel, Object> handler;
        Object att;
        PendingResult<AsynchronousSocketChannel> future;
        synchronized (updateLock) {
            if (!acceptPending) {
                return;
            }
            acceptPending = false;
            handler = acceptHandler;
            att = acceptAttachment;
            future = acceptFuture;
        }
        // No stack trace: it would point at close, which did not fail.
        AsynchronousCloseException x = new AsynchronousCloseException();
        x.setStackTrace(new StackTraceElement[0]);
        if (handler == null) {
            future.setFailure(x);
        } else {
            Invoker.invokeIndirectly(group, handler, att, null, x);
        }
    }

    @Override
    public void onCancel(PendingResult<?> cancelled) {
        acceptKilled = true;
    }

    @Override
    public void onEvent(int events, boolean mayInvokeDirect) {
        synchronized (updateLock) {
            if (!acceptPending) {
                return;
            }
            acceptPending = false;
        }
        MptcpSocketChannel accepted = null;
        Throwable exc = null;
        try {
            gate.begin();
            try {
                accepted = channel.accept();
                if (accepted == null) {
                    synchronized (updateLock) {
                        acceptPending = true;
                    }
                    group.startPoll(fd, LinuxUapi.EPOLLIN);
                    return;
                }
            } finally {
                gate.end();
            }
        } catch (Throwable x) {
            exc = x instanceof ClosedChannelException ? new AsynchronousCloseException() : x;
        }
        AsynchronousSocketChannel child = null;
        if (exc == null) {
            try {
                child = finishAccept(accepted);
            } catch (Throwable x) {
                exc = x instanceof IOException ? x : new IOException(x);
            }
        }
        CompletionHandler<AsynchronousSocketChannel, Object> handler = acceptHandler;
        Object att = acceptAttachment;
        PendingResult<AsynchronousSocketChannel> future = acceptFuture;
        accepting.set(false);
        if (handler == null) {
            future.setResult(child, exc);
            // Cancelled meanwhile: nobody will take the connection.
            if (child != null && future.isCancelled()) {
                try {
                    child.close();
                } catch (IOException ignored) {
                    // The connection is dropped either way.
                }
            }
        } else {
            Invoker.invoke(group, handler, att, child, exc);
        }
    }

    private AsynchronousSocketChannel finishAccept(MptcpSocketChannel accepted)
            throws IOException {
        try {
            return new AsyncSocketChannel(group, accepted);
        } catch (ShutdownChannelGroupException e) {
            accepted.close();
            throw new IOException(e);
        } catch (IOException | RuntimeException e) {
            accepted.close();
            throw e;
        }
    }

    @Override
    public Future<AsynchronousSocketChannel> accept() {
        return implAccept(null, null);
    }

    @Override
    @SuppressWarnings("unchecked")
    public <A> void accept(A attachment,
            CompletionHandler<AsynchronousSocketChannel, ? super A> handler) {
        Objects.requireNonNull(handler, "'handler' is null");
        implAccept(attachment, (CompletionHandler<AsynchronousSocketChannel, Object>) handler);
    }

    private Future<AsynchronousSocketChannel> implAccept(Object att,
            CompletionHandler<AsynchronousSocketChannel, Object> handler) {
        if (!isOpen()) {
            Throwable e = new ClosedChannelException();
            if (handler == null) {
                return CompletedResult.failed(e);
            }
            Invoker.invoke(group, handler, att, null, e);
            return null;
        }
        if (localAddress == null) {
            throw new NotYetBoundException();
        }
        if (acceptKilled) {
            throw new RuntimeException("Accept not allowed due cancellation");
        }
        if (!accepting.compareAndSet(false, true)) {
            throw new AcceptPendingException();
        }
        MptcpSocketChannel accepted = null;
        Throwable exc = null;
        try {
            gate.begin();
            try {
                accepted = channel.accept();
                if (accepted == null) {
                    PendingResult<AsynchronousSocketChannel> result = null;
                    synchronized (updateLock) {
                        if (handler == null) {
                            acceptHandler = null;
                            result = new PendingResult<>(this, null);
                            acceptFuture = result;
                        } else {
                            acceptHandler = handler;
                            acceptAttachment = att;
                        }
                        acceptPending = true;
                    }
                    group.startPoll(fd, LinuxUapi.EPOLLIN);
                    return result;
                }
            } finally {
                gate.end();
            }
        } catch (Throwable x) {
            exc = x instanceof ClosedChannelException ? new AsynchronousCloseException() : x;
        }
        AsynchronousSocketChannel child = null;
        if (exc == null) {
            try {
                child = finishAccept(accepted);
            } catch (Throwable x) {
                exc = x;
            }
        }
        accepting.set(false);
        if (handler == null) {
            return CompletedResult.of(child, exc);
        }
        // Never on the initiating thread: an accept loop would recurse for every connection.
        Invoker.invokeIndirectly(group, handler, att, child, exc);
        return null;
    }

    @Override
    public AsynchronousServerSocketChannel bind(SocketAddress local, int backlog)
            throws IOException {
        InetSocketAddress isa = local == null ? new InetSocketAddress(0) : checkAddress(local);
        gate.begin();
        try {
            synchronized (stateLock) {
                if (localAddress != null) {
                    throw new AlreadyBoundException();
                }
                channel.bind(isa, backlog < 1 ? 50 : backlog);
                localAddress = (InetSocketAddress) channel.getLocalAddress();
            }
        } finally {
            gate.end();
        }
        return this;
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

    @Override
    public SocketAddress getLocalAddress() throws IOException {
        if (!isOpen()) {
            throw new ClosedChannelException();
        }
        return localAddress;
    }

    @Override
    public Set<SocketOption<?>> supportedOptions() {
        return supported;
    }

    @Override
    public <T> AsynchronousServerSocketChannel setOption(SocketOption<T> name, T value)
            throws IOException {
        checkOption(name);
        gate.begin();
        try {
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
        if (!supported.contains(name)) {
            throw new UnsupportedOperationException("'" + name + "' not supported");
        }
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(getClass().getName()).append('[');
        if (!isOpen()) {
            sb.append("closed");
        } else if (localAddress == null) {
            sb.append("unbound");
        } else {
            sb.append(localAddress);
        }
        return sb.append(']').toString();
    }
}
