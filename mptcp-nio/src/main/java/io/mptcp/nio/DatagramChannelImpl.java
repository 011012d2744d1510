package io.mptcp.nio;

import io.mptcp.ffi.ErrnoException;
import io.mptcp.ffi.IoStatus;
import io.mptcp.ffi.LinuxSyscalls;
import io.mptcp.ffi.LinuxUapi;
import io.mptcp.ffi.SenderAddress;
import io.mptcp.nio.internal.DatagramIo;
import io.mptcp.nio.internal.DatagramSocketOptions;
import io.mptcp.nio.internal.DirectBufferCache;
import io.mptcp.nio.internal.FdIo;
import io.mptcp.nio.internal.InetSockets;
import io.mptcp.nio.internal.NativeFd;
import io.mptcp.nio.internal.Net;
import io.mptcp.nio.internal.NioExceptions;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.SocketOption;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.AlreadyBoundException;
import java.nio.channels.AlreadyConnectedException;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.nio.channels.IllegalBlockingModeException;
import java.nio.channels.MembershipKey;
import java.nio.channels.NotYetConnectedException;
import java.nio.channels.SelectionKey;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The datagram channel: the JDK's {@code DatagramChannelImpl} state machine over a UDP socket.
 *
 * <p>The descriptor is always non-blocking. A blocking operation that would block
 * {@linkplain NativeFd#park parks} (in poll(2), or however {@link NativeFd} waits); close and
 * interrupt release it through {@link NativeFd#unpark()}. The JDK keeps the descriptor blocking
 * in blocking mode and wakes threads with a signal; the operations and their results are the
 * same. Close is two-phase as in the JDK: the descriptor is released only when no thread is
 * parked in an operation and no selector holds it (the last one calls {@link #kill()}).
 *
 * <p>Multicast memberships are in {@link DatagramMemberships}; options in
 * {@link DatagramSocketOptions}; {@link #socket()} is a {@link DatagramSocketAdaptor}.
 */
final class DatagramChannelImpl extends DatagramChannel implements NativeChannel {
    private static final int ST_UNCONNECTED = 0;
    private static final int ST_CONNECTED = 1;
    private static final int ST_CLOSING = 2;
    private static final int ST_CLOSED = 3;

    private final LinuxSyscalls sys;
    private final NativeFd nfd;
    private final int fd;
    private final int family;
    private final DatagramSocketOptions options;

    // Held by the thread receiving, reading or connecting.
    private final ReentrantLock readLock = new ReentrantLock();
    // Held by the thread sending, writing or connecting.
    private final ReentrantLock writeLock = new ReentrantLock();
    // Guards the fields below; held only for short non-blocking calls, never across a park.
    private final ReentrantLock stateLock = new ReentrantLock();

    // Guarded by readLock: the sender of the last datagram received.
    private final SenderAddress sender = new SenderAddress();

    private volatile int state;
    // Whether a thread is in (or about to enter) a blocking receive/read or send/write.
    private boolean readerParked;
    private boolean writerParked;
    private InetSocketAddress localAddress;
    private InetSocketAddress remoteAddress;
    // The local address before the first connect, restored by disconnect (see there).
    private InetSocketAddress initialLocalAddress;
    private final DatagramMemberships memberships;
    private DatagramSocket socket;

    private DatagramChannelImpl(MptcpSelectorProvider provider, LinuxSyscalls sys, int fd,
            int family) {
        super(provider);
        this.sys = sys;
        this.fd = fd;
        this.family = family;
        this.nfd = new NativeFd(sys, fd);
        this.options = new DatagramSocketOptions(sys, fd, family);
        this.memberships = new DatagramMemberships(this, sys, fd);
    }

    /** A new unbound channel; {@code family} null for the default (IPv6 dual stack if any). */
    static DatagramChannelImpl open(MptcpSelectorProvider provider, StandardProtocolFamily family)
            throws IOException {
        LinuxSyscalls sys = provider.syscalls();
        InetSockets.OpenedSocket s = provider.sockets().openDatagram(sys, family);
        return new DatagramChannelImpl(provider, sys, s.fd(), s.family());
    }

    // ---- state helpers ------------------------------------------------------------------

    private void ensureOpen() throws ClosedChannelException {
        if (!isOpen()) {
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

    /**
     * Marks the start of a receive or read: binds an unbound socket (as the JDK does) and, when
     * blocking, arms interrupt handling and tells close that a thread may park.
     *
     * @return the remote address if connected, else null
     */
    private InetSocketAddress beginRead(boolean blocking, boolean mustBeConnected)
            throws IOException {
        if (blocking) {
            begin();
        }
        stateLock.lock();
        try {
            ensureOpen();
            InetSocketAddress remote = remoteAddress;
            if (remote == null && mustBeConnected) {
                throw new NotYetConnectedException();
            }
            if (localAddress == null) {
                bindInternal(null);
            }
            if (blocking) {
                readerParked = true;
            }
            return remote;
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

    private InetSocketAddress beginWrite(boolean blocking, boolean mustBeConnected)
            throws IOException {
        if (blocking) {
            begin();
        }
        stateLock.lock();
        try {
            ensureOpen();
            InetSocketAddress remote = remoteAddress;
            if (remote == null && mustBeConnected) {
                throw new NotYetConnectedException();
            }
            if (localAddress == null) {
                bindInternal(null);
            }
            if (blocking) {
                writerParked = true;
            }
            return remote;
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

    // ---- receiving and reading ----------------------------------------------------------

    @Override
    public SocketAddress receive(ByteBuffer dst) throws IOException {
        if (dst.isReadOnly()) {
            throw new IllegalArgumentException("Read-only buffer");
        }
        readLock.lock();
        try {
            ensureOpen();
            boolean blocking = isBlocking();
            InetSocketAddress from = null;
            try {
                boolean connected = beginRead(blocking, false) != null;
                int n = DatagramIo.receive(sys, fd, dst, sender, connected);
                while (blocking && n == IoStatus.UNAVAILABLE && isOpen()) {
                    park(LinuxUapi.POLLIN, 0);
                    n = DatagramIo.receive(sys, fd, dst, sender, connected);
                }
                if (n > 0 || (n == 0 && isOpen())) {
                    from = sender.get();
                }
                return from;
            } catch (ErrnoException e) {
                throw NioExceptions.datagram(e);
            } finally {
                endRead(blocking, from != null);
            }
        } finally {
            readLock.unlock();
        }
    }

    /**
     * The socket adaptor's receive: blocking mode only, into {@code dst} (direct, from the
     * adaptor's cache), with a timeout ({@code nanos} 0: none).
     *
     * @return the sender
     * @throws IllegalBlockingModeException if the channel is non-blocking
     * @throws java.net.SocketTimeoutException when the timeout expires
     */
    InetSocketAddress blockingReceive(ByteBuffer dst, long nanos) throws IOException {
        readLock.lock();
        try {
            ensureOpen();
            if (!isBlocking()) {
                throw new IllegalBlockingModeException();
            }
            InetSocketAddress from = null;
            try {
                boolean connected = beginRead(true, false) != null;
                long start = System.nanoTime();
                int n = DatagramIo.receive(sys, fd, dst, sender, connected);
                while (n == IoStatus.UNAVAILABLE && isOpen()) {
                    park(LinuxUapi.POLLIN, NativeFd.timeLeft(start, nanos, "Receive timed out"));
                    n = DatagramIo.receive(sys, fd, dst, sender, connected);
                }
                if (n > 0 || (n == 0 && isOpen())) {
                    from = sender.get();
                }
                return from;
            } catch (ErrnoException e) {
                throw NioExceptions.datagram(e);
            } finally {
                endRead(true, from != null);
            }
        } finally {
            readLock.unlock();
        }
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        Objects.requireNonNull(dst, "dst");
        return (int) readCore(dst, null, 0, 0);
    }

    @Override
    public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
        Objects.checkFromIndexSize(offset, length, dsts.length);
        return readCore(null, dsts, offset, length);
    }

    /**
     * A read of a connected channel: one datagram into {@code dst}, or scattered over
     * {@code dsts[offset..]} when dst is null. As in the JDK an empty datagram reads as -1.
     */
    private long readCore(ByteBuffer dst, ByteBuffer[] dsts, int offset, int length)
            throws IOException {
        readLock.lock();
        try {
            ensureOpen();
            boolean blocking = isBlocking();
            long n = 0;
            try {
                beginRead(blocking, true);
                n = readOnce(dst, dsts, offset, length);
                while (blocking && n == IoStatus.UNAVAILABLE && isOpen()) {
                    park(LinuxUapi.POLLIN, 0);
                    n = readOnce(dst, dsts, offset, length);
                }
            } catch (ErrnoException e) {
                throw NioExceptions.io(e);
            } finally {
                endRead(blocking, n > 0);
            }
            return n == IoStatus.UNAVAILABLE ? 0 : n;
        } finally {
            readLock.unlock();
        }
    }

    private long readOnce(ByteBuffer dst, ByteBuffer[] dsts, int offset, int length)
            throws ErrnoException {
        return dst != null ? FdIo.read(sys, fd, dst) : FdIo.read(sys, fd, dsts, offset, length);
    }

    // ---- sending and writing ------------------------------------------------------------

    @Override
    public int send(ByteBuffer src, SocketAddress target) throws IOException {
        Objects.requireNonNull(src, "src");
        InetSocketAddress isa = Net.checkAddress(target, family);
        writeLock.lock();
        try {
            ensureOpen();
            boolean blocking = isBlocking();
            int n = 0;
            boolean completed = false;
            boolean connected = false;
            try {
                InetSocketAddress remote = beginWrite(blocking, false);
                connected = remote != null;
                if (connected) {
                    if (!target.equals(remote)) {
                        throw new AlreadyConnectedException();
                    }
                    n = FdIo.write(sys, fd, src);
                    while (blocking && n == IoStatus.UNAVAILABLE && isOpen()) {
                        park(LinuxUapi.POLLOUT, 0);
                        n = FdIo.write(sys, fd, src);
                    }
                    completed = n > 0;
                } else {
                    if (isa.getPort() == 0) {
                        throw new SocketException("Can't send to port 0");
                    }
                    n = DatagramIo.send(sys, fd, family, src, isa, false);
                    while (blocking && n == IoStatus.UNAVAILABLE && isOpen()) {
                        park(LinuxUapi.POLLOUT, 0);
                        n = DatagramIo.send(sys, fd, family, src, isa, false);
                    }
                    completed = n >= 0;
                }
            } catch (ErrnoException e) {
                // A connected send is a write, with the JDK's read/write error mapping.
                throw connected ? NioExceptions.io(e) : NioExceptions.datagram(e);
            } finally {
                endWrite(blocking, completed);
            }
            return n == IoStatus.UNAVAILABLE ? 0 : n;
        } finally {
            writeLock.unlock();
        }
    }

    /**
     * The socket adaptor's send: blocking mode only.
     *
     * @throws IllegalBlockingModeException if the channel is non-blocking
     */
    void blockingSend(ByteBuffer src, SocketAddress target) throws IOException {
        writeLock.lock();
        try {
            ensureOpen();
            if (!isBlocking()) {
                throw new IllegalBlockingModeException();
            }
            send(src, target);
        } finally {
            writeLock.unlock();
        }
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
        Objects.requireNonNull(src, "src");
        return (int) writeCore(src, null, 0, 0);
    }

    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
        Objects.checkFromIndexSize(offset, length, srcs.length);
        return writeCore(null, srcs, offset, length);
    }

    /** A write of a connected channel: one datagram from {@code src} or gathered. */
    private long writeCore(ByteBuffer src, ByteBuffer[] srcs, int offset, int length)
            throws IOException {
        writeLock.lock();
        try {
            ensureOpen();
            boolean blocking = isBlocking();
            long n = 0;
            try {
                beginWrite(blocking, true);
                n = writeOnce(src, srcs, offset, length);
                while (blocking && n == IoStatus.UNAVAILABLE && isOpen()) {
                    park(LinuxUapi.POLLOUT, 0);
                    n = writeOnce(src, srcs, offset, length);
                }
            } catch (ErrnoException e) {
                throw NioExceptions.io(e);
            } finally {
                endWrite(blocking, n > 0);
            }
            return n == IoStatus.UNAVAILABLE ? 0 : n;
        } finally {
            writeLock.unlock();
        }
    }

    private long writeOnce(ByteBuffer src, ByteBuffer[] srcs, int offset, int length)
            throws ErrnoException {
        return src != null
                ? FdIo.write(sys, fd, src) : FdIo.write(sys, fd, srcs, offset, length);
    }

    // ---- binding, connecting, addresses ---------------------------------------------------

    @Override
    public DatagramChannelImpl bind(SocketAddress local) throws IOException {
        readLock.lock();
        try {
            writeLock.lock();
            try {
                stateLock.lock();
                try {
                    ensureOpen();
                    if (localAddress != null) {
                        throw new AlreadyBoundException();
                    }
                    bindInternal(local);
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

    /** Binds to {@code local} (null: the wildcard, ephemeral port). Caller holds stateLock. */
    private void bindInternal(SocketAddress local) throws IOException {
        InetSocketAddress isa = local == null
                ? Net.anyLocal(family) : Net.checkAddress(local, family);
        try {
            sys.bind(fd, family, isa);
            localAddress = sys.getsockname(fd);
        } catch (ErrnoException e) {
            throw NioExceptions.socket(e);
        }
    }

    @Override
    public boolean isConnected() {
        return state == ST_CONNECTED;
    }

    @Override
    public DatagramChannelImpl connect(SocketAddress remote) throws IOException {
        return connect(remote, true);
    }

    /**
     * Connects the socket; {@code check} false (the adaptor) connects again when connected.
     * Datagrams that arrived before are discarded, as the JDK does, so that after connect
     * only the peer's are received.
     */
    DatagramChannelImpl connect(SocketAddress remote, boolean check) throws IOException {
        InetSocketAddress isa = Net.checkAddress(remote, family);
        readLock.lock();
        try {
            writeLock.lock();
            try {
                stateLock.lock();
                try {
                    ensureOpen();
                    if (check && state == ST_CONNECTED) {
                        throw new AlreadyConnectedException();
                    }
                    if (isa.getPort() == 0) {
                        throw new SocketException("Can't connect to port 0");
                    }
                    if (localAddress == null) {
                        bindInternal(null);
                    }
                    if (state != ST_CONNECTED) {
                        // A reconnect keeps the address from before the first connect.
                        initialLocalAddress = localAddress;
                    }
                    sys.connect(fd, family, isa);
                    remoteAddress = isa;
                    state = ST_CONNECTED;
                    localAddress = sys.getsockname(fd);
                    discardPending();
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

    /** Receives and drops every datagram queued now. Caller holds readLock. */
    private void discardPending() throws ErrnoException {
        ByteBuffer one = DirectBufferCache.acquire(1);
        try {
            while (DatagramIo.receive(sys, fd, one.clear(), sender, false) >= 0) {
                // dropped
            }
        } finally {
            DirectBufferCache.release(one);
        }
    }

    /**
     * Dissolves the association (connect(2) with {@code AF_UNSPEC}). Linux then forgets a port
     * that was chosen automatically (the socket was bound to port 0); as the JDK does, the
     * socket is bound again to the address and port it had before connecting, so that its
     * local address does not change. (Rebinding can fail if another socket took the port in
     * between; then this throws, as the JDK's does.)
     */
    @Override
    public DatagramChannelImpl disconnect() throws IOException {
        readLock.lock();
        try {
            writeLock.lock();
            try {
                stateLock.lock();
                try {
                    if (!isOpen() || state != ST_CONNECTED) {
                        return this;
                    }
                    sys.disconnect(fd);
                    remoteAddress = null;
                    state = ST_UNCONNECTED;
                    localAddress = sys.getsockname(fd);
                    try {
                        if (localAddress.getPort() == 0
                                && !localAddress.equals(initialLocalAddress)) {
                            sys.bind(fd, family, initialLocalAddress);
                            localAddress = sys.getsockname(fd);
                        }
                    } finally {
                        initialLocalAddress = null;
                    }
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

    /** The connected address (for the adaptor), or null. */
    InetSocketAddress remoteAddress() {
        stateLock.lock();
        try {
            return remoteAddress;
        } finally {
            stateLock.unlock();
        }
    }

    @Override
    public DatagramSocket socket() {
        stateLock.lock();
        try {
            if (socket == null) {
                socket = DatagramSocketAdaptor.create(this);
            }
            return socket;
        } finally {
            stateLock.unlock();
        }
    }

    // ---- options ------------------------------------------------------------------------

    @Override
    public Set<SocketOption<?>> supportedOptions() {
        return DatagramSocketOptions.supported();
    }

    @Override
    public <T> DatagramChannelImpl setOption(SocketOption<T> name, T value) throws IOException {
        DatagramSocketOptions.checkSet(name, value);
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
        DatagramSocketOptions.checkGet(name);
        stateLock.lock();
        try {
            ensureOpen();
            return name.type().cast(options.get(name));
        } finally {
            stateLock.unlock();
        }
    }

    // ---- multicast ------------------------------------------------------------------------

    @Override
    public MembershipKey join(InetAddress group, NetworkInterface interf) throws IOException {
        Objects.requireNonNull(interf, "interf");
        return joinCore(group, interf, null);
    }

    @Override
    public MembershipKey join(InetAddress group, NetworkInterface interf, InetAddress source)
            throws IOException {
        Objects.requireNonNull(interf, "interf");
        Objects.requireNonNull(source, "source");
        return joinCore(group, interf, source);
    }

    /**
     * Joins {@code group} on {@code interf}, or on the interface the kernel chooses when it is
     * null (the socket adaptor's {@code joinGroup} without an interface).
     */
    MembershipKey joinCore(InetAddress group, NetworkInterface interf, InetAddress source)
            throws IOException {
        DatagramMemberships.checkJoin(group, source, family == LinuxUapi.AF_INET6);
        stateLock.lock();
        try {
            ensureOpen();
            return memberships.join(group, interf, source);
        } finally {
            stateLock.unlock();
        }
    }

    /** The any-source membership of {@code group} on {@code interf} (null: any), or null. */
    MembershipKey findMembership(InetAddress group, NetworkInterface interf) {
        stateLock.lock();
        try {
            return memberships.find(group, interf);
        } finally {
            stateLock.unlock();
        }
    }

    void drop(MembershipKeyImpl key) {
        stateLock.lock();
        try {
            if (key.isValid()) {
                memberships.drop(key);
            }
        } finally {
            stateLock.unlock();
        }
    }

    void block(MembershipKeyImpl key, InetAddress source) throws IOException {
        stateLock.lock();
        try {
            if (!key.isValid()) {
                throw new IllegalStateException("key is no longer valid");
            }
            memberships.block(key, source);
        } finally {
            stateLock.unlock();
        }
    }

    void unblock(MembershipKeyImpl key, InetAddress source) {
        stateLock.lock();
        try {
            if (!key.isValid()) {
                throw new IllegalStateException("key is no longer valid");
            }
            memberships.unblock(key, source);
        } finally {
            stateLock.unlock();
        }
    }

    // ---- blocking mode and close ----------------------------------------------------------

    @Override
    protected void implConfigureBlocking(boolean block) throws IOException {
        // The descriptor stays non-blocking: the mode only decides whether operations park.
        // The locks make the change wait for operations in progress, as in the JDK.
        readLock.lock();
        try {
            writeLock.lock();
            try {
                stateLock.lock();
                try {
                    ensureOpen();
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

    @Override
    protected void implCloseSelectableChannel() throws IOException {
        if (isBlocking()) {
            stateLock.lock();
            try {
                state = ST_CLOSING;
                memberships.invalidateAll();
                if (!tryClose()) {
                    nfd.unpark();
                }
            } finally {
                stateLock.unlock();
            }
            return;
        }
        stateLock.lock();
        try {
            state = ST_CLOSING;
            memberships.invalidateAll();
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
            if (state == ST_CLOSING) {
                tryClose();
            }
        } finally {
            stateLock.unlock();
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
        int events = 0;
        if ((ops & SelectionKey.OP_READ) != 0) {
            events |= LinuxUapi.EPOLLIN;
        }
        if ((ops & SelectionKey.OP_WRITE) != 0) {
            events |= LinuxUapi.EPOLLOUT;
        }
        return events;
    }

    /** As the JDK's: readable and writable whether connected or not; errors wake every op. */
    @Override
    public int translateReadyOps(int events, int interestOps) {
        if ((events & (LinuxUapi.EPOLLERR | LinuxUapi.EPOLLHUP)) != 0) {
            return interestOps;
        }
        int ready = 0;
        if ((events & LinuxUapi.EPOLLIN) != 0) {
            ready |= interestOps & SelectionKey.OP_READ;
        }
        if ((events & LinuxUapi.EPOLLOUT) != 0) {
            ready |= interestOps & SelectionKey.OP_WRITE;
        }
        return ready;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(DatagramChannel.class.getName()).append('[');
        if (!isOpen()) {
            sb.append("closed");
        } else {
            stateLock.lock();
            try {
                sb.append(state == ST_CONNECTED ? "connected" : "unconnected");
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
