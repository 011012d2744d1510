package io.mptcp.nio;

import io.mptcp.ffi.Errno;
import io.mptcp.ffi.ErrnoException;
import io.mptcp.ffi.IoStatus;
import io.mptcp.ffi.LinuxSyscalls;
import io.mptcp.ffi.LinuxUapi;
import io.mptcp.nio.internal.InetSockets;
import io.mptcp.nio.internal.MptcpPolicy;
import io.mptcp.nio.internal.NativeFd;
import io.mptcp.nio.internal.NativeSocketOptions;
import io.mptcp.nio.internal.Net;
import io.mptcp.nio.internal.NioExceptions;
import io.mptcp.nio.internal.ProtocolSwitch;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.SocketAddress;
import java.net.SocketOption;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.channels.AlreadyBoundException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.IllegalBlockingModeException;
import java.nio.channels.NotYetBoundException;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The server socket channel: the JDK's {@code ServerSocketChannelImpl} semantics over a
 * non-blocking MPTCP (or TCP) listening descriptor. It accepts MPTCP and plain TCP clients; each
 * accepted channel finds out which from the kernel when asked.
 */
final class ServerSocketChannelImpl extends MptcpServerSocketChannel implements NativeChannel {
    private static final int ST_INUSE = 0;
    private static final int ST_CLOSING = 1;
    private static final int ST_CLOSED = 2;
    private static final int DEFAULT_BACKLOG = 50;

    private final MptcpSelectorProvider provider;
    private final LinuxSyscalls sys;
    private final NativeFd nfd;
    private final int fd;
    private final int family;
    private final boolean strict;
    private final NativeSocketOptions options;

    // Held by the thread accepting.
    private final ReentrantLock acceptLock = new ReentrantLock();
    // Guards the fields below; never held across a park.
    private final ReentrantLock stateLock = new ReentrantLock();
    // Guarded by stateLock: keys to re-register if the protocol is switched before bind.
    private final RegisteredKeys registeredKeys = new RegisteredKeys();
    private volatile int state;
    private boolean acceptorParked;
    private InetSocketAddress localAddress;
    private ServerSocket socket;

    private ServerSocketChannelImpl(MptcpSelectorProvider provider, LinuxSyscalls sys,
            InetSockets.OpenedSocket s, boolean strict) {
        super(provider);
        this.provider = provider;
        this.sys = sys;
        this.fd = s.fd();
        this.family = s.family();
        this.strict = strict;
        this.nfd = new NativeFd(sys, fd);
        int protocol = s.mptcp() ? LinuxUapi.IPPROTO_MPTCP : LinuxUapi.IPPROTO_TCP;
        this.options = new NativeSocketOptions(sys, fd, family, strict, protocol);
    }

    static ServerSocketChannelImpl open(MptcpSelectorProvider provider,
            StandardProtocolFamily family) throws IOException {
        LinuxSyscalls sys = provider.syscalls();
        MptcpPolicy policy = provider.policy();
        InetSockets.OpenedSocket s = provider.sockets().openStream(sys, policy, family, true);
        try {
            // The JDK's server sockets start with SO_REUSEADDR on (Net.serverSocket).
            sys.setsockoptInt(s.fd(), LinuxUapi.SOL_SOCKET, LinuxUapi.SO_REUSEADDR, 1);
        } catch (ErrnoException e) {
            InetSockets.closeQuietly(sys, s.fd(), e);
            throw NioExceptions.socket(e);
        }
        ServerSocketChannelImpl ssc = new ServerSocketChannelImpl(provider, sys, s, policy.strict());
        ssc.options.setByOpener(StandardSocketOptions.SO_REUSEADDR, true);
        return ssc;
    }

    private void ensureOpen() throws ClosedChannelException {
        if (!isOpen()) {
            throw new ClosedChannelException();
        }
    }

    @Override
    public ServerSocketChannelImpl bind(SocketAddress local, int backlog) throws IOException {
        stateLock.lock();
        try {
            ensureOpen();
            if (localAddress != null) {
                throw new AlreadyBoundException();
            }
            InetSocketAddress isa = local == null
                    ? Net.anyLocal(family) : Net.checkAddress(local, family);
            sys.bind(fd, family, isa);
            sys.listen(fd, backlog < 1 ? DEFAULT_BACKLOG : backlog);
            localAddress = sys.getsockname(fd);
        } catch (ErrnoException e) {
            throw NioExceptions.socket(e);
        } finally {
            stateLock.unlock();
        }
        return this;
    }

    @Override
    public MptcpSocketChannel accept() throws IOException {
        return acceptCore(false, 0);
    }

    /** The adaptor's {@code ServerSocket.accept()} with {@code SO_TIMEOUT}: blocking only. */
    MptcpSocketChannel blockingAccept(long nanos) throws IOException {
        return acceptCore(true, nanos);
    }

    private MptcpSocketChannel acceptCore(boolean adaptor, long nanos) throws IOException {
        acceptLock.lock();
        try {
            boolean blocking = isBlocking();
            if (adaptor && !blocking) {
                throw new IllegalBlockingModeException();
            }
            MptcpSocketChannel accepted = null;
            try {
                begin(blocking);
                long start = nanos > 0 ? System.nanoTime() : 0;
                accepted = tryAccept();
                while (blocking && accepted == null && isOpen()) {
                    nfd.park(LinuxUapi.POLLIN, NativeFd.timeLeft(start, nanos, "Accept timed out"));
                    accepted = tryAccept();
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
    private MptcpSocketChannel tryAccept() throws ErrnoException {
        while (true) {
            // Blocking, as the accepted channel starts in blocking mode.
            int newfd = sys.accept4(fd, LinuxUapi.SOCK_CLOEXEC);
            if (newfd == IoStatus.UNAVAILABLE) {
                return null;
            }
            try {
                InetSocketAddress remote = sys.getpeername(newfd);
                InetSocketAddress local = sys.getsockname(newfd);
                return SocketChannelImpl.accepted(provider, sys, newfd, family, local, remote,
                        strict);
            } catch (ErrnoException e) {
                InetSockets.closeQuietly(sys, newfd, e);
                if (e.errno() != Errno.ENOTCONN) {
                    throw e;
                }
                // Reset before we could look at it, as ECONNABORTED would be: take the next one.
            }
        }
    }

    private void begin(boolean blocking) throws ClosedChannelException {
        if (blocking) {
            begin();
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
            end(completed);
        }
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

    /** The bound address even when closed (for the adaptor), or null if unbound. */
    InetSocketAddress localAddress() {
        stateLock.lock();
        try {
            return localAddress;
        } finally {
            stateLock.unlock();
        }
    }

    boolean isBound() {
        return localAddress() != null;
    }

    @Override
    public ServerSocket socket() {
        stateLock.lock();
        try {
            if (socket == null) {
                socket = ServerSocketAdaptor.create(this);
            }
            return socket;
        } finally {
            stateLock.unlock();
        }
    }

    // ---- options ------------------------------------------------------------------------

    private static final Set<SocketOption<?>> SUPPORTED = SocketOptions.serverChannelOptions();

    @Override
    public Set<SocketOption<?>> supportedOptions() {
        return SUPPORTED;
    }

    @Override
    public <T> ServerSocketChannelImpl setOption(SocketOption<T> name, T value)
            throws IOException {
        SocketOptions.checkSet(name, value, SUPPORTED);
        stateLock.lock();
        try {
            ensureOpen();
            if (name == MptcpSocketOptions.MPTCP_ENABLED) {
                switchProtocol((Boolean) value);
            } else {
                options.set(name, value);
            }
            return this;
        } finally {
            stateLock.unlock();
        }
    }

    /**
     * {@code MPTCP_ENABLED} set: reopens the socket with the protocol asked for, if it differs,
     * under the same descriptor. stateLock suffices: until bind, accept fails before it reaches
     * the descriptor.
     */
    private void switchProtocol(boolean mptcp) throws IOException {
        if (options.isMptcpSocket() == mptcp) {
            return;
        }
        if (localAddress != null) {
            throw SocketOptions.tooLateToSwitch(mptcp, "bound");
        }
        ProtocolSwitch.replace(sys, provider.sockets(), fd, family, mptcp, options);
        registeredKeys.descriptorReplaced();
    }

    @Override
    public void keyCreated(SelectionKeyImpl key) {
        stateLock.lock();
        try {
            if (localAddress == null) {
                registeredKeys.add(key);
            }
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
            return name.type().cast(SocketOptions.getListenerOption(options, name));
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
        // The descriptor stays non-blocking; the mode only decides whether accept parks.
        acceptLock.lock();
        try {
            ensureOpen();
        } finally {
            acceptLock.unlock();
        }
    }

    @Override
    protected void implCloseSelectableChannel() throws IOException {
        boolean blocking = isBlocking();
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
        if (!acceptorParked && !isRegistered()) {
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
        return StreamReadiness.listenerInterest(ops);
    }

    @Override
    public int translateReadyOps(int events, int interestOps) {
        return StreamReadiness.listenerReady(events, interestOps);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(MptcpServerSocketChannel.class.getName()).append('[');
        if (!isOpen()) {
            sb.append("closed");
        } else {
            InetSocketAddress local = localAddress();
            sb.append(local == null ? "unbound" : local.toString());
        }
        return sb.append(']').toString();
    }
}
