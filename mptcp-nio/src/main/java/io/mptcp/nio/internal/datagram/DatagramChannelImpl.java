package io.mptcp.nio.internal.datagram;

import io.mptcp.ffi.ErrnoException;
import io.mptcp.ffi.IoStatus;
import io.mptcp.ffi.LinuxSyscalls;
import io.mptcp.ffi.LinuxUapi;
import io.mptcp.ffi.SenderAddress;
import io.mptcp.nio.internal.ChannelFactory;
import io.mptcp.nio.internal.fd.AfterClose;
import io.mptcp.nio.internal.fd.DirectBufferCache;
import io.mptcp.nio.internal.fd.FdIo;
import io.mptcp.nio.internal.fd.NativeFd;
import io.mptcp.nio.internal.fd.NioExceptions;
import io.mptcp.nio.internal.net.InetSockets;
import io.mptcp.nio.internal.net.Net;
import io.mptcp.nio.internal.options.DatagramSocketOptions;
import io.mptcp.nio.internal.select.NativeChannel;

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
 * <p>Addresses, binding and connecting are in {@link DatagramAssociation}; multicast in
 * {@link DatagramMemberships}; options in {@link DatagramSocketOptions}; {@link #socket()} is
 * a {@link DatagramSocketAdaptor}.
 */
public final class DatagramChannelImpl extends DatagramChannel implements NativeChannel {
    private static final int ST_OPEN = 0;
    private static final int ST_CLOSING = 1;
    private static final int ST_CLOSED = 2;

    private final LinuxSyscalls sys;
    private final NativeFd nfd;
    private final int fd;
    private final int family;
    private final DatagramSocketOptions options;
    private final DatagramMemberships memberships;

    // Held by the thread receiving, reading, connecting or disconnecting.
    private final ReentrantLock readLock = new ReentrantLock();
    // Held by the thread sending, writing, connecting or disconnecting.
    private final ReentrantLock writeLock = new ReentrantLock();
    // Guards the fields below, the association and the memberships; held only for short
    // non-blocking calls, never across a park.
    private final ReentrantLock stateLock = new ReentrantLock();

    // Guarded by readLock: the sender of the last datagram received.
    private final SenderAddress sender = new SenderAddress();

    private final DatagramAssociation association;
    private volatile int state = ST_OPEN;
    private volatile boolean connected;
    // Whether a thread is in (or about to enter) a blocking receive/read or send/write.
    private boolean readerParked;
    private boolean writerParked;
    private DatagramSocket socket;
    // Run once the descriptor is released (an inherited channel detaches the standard
    // streams); set before the channel is handed out.
    private volatile AfterClose afterClose;

    private DatagramChannelImpl(ChannelFactory provider, LinuxSyscalls sys, int fd,
            int family) {
        super(provider.provider());
        this.sys = sys;
        this.fd = fd;
        this.family = family;
        this.nfd = new NativeFd(sys, fd);
        this.options = new DatagramSocketOptions(sys, fd, family);
        this.association = new DatagramAssociation(sys, fd, family);
        this.memberships = new DatagramMemberships(this, sys, fd, family, stateLock);
    }

    /**
     * The channel of an inherited INET datagram socket ({@code System.inheritedChannel()}):
     * it owns {@code fd}, takes the socket's addresses, starts in blocking mode, and runs
     * {@code afterClose} once closed.
     */
    public static DatagramChannelImpl inherited(ChannelFactory provider, LinuxSyscalls sys,
            int fd, int family, AfterClose afterClose) throws IOException {
        try {
            // Blocking waits park on a non-blocking descriptor, as for a channel of our own.
            sys.setBlocking(fd, false);
        } catch (ErrnoException e) {
            throw NioExceptions.socket(e);
        }
        DatagramChannelImpl ch = new DatagramChannelImpl(provider, sys, fd, family);
        ch.association.adopt();
        ch.connected = ch.association.remote() != null;
        ch.afterClose = afterClose;
        return ch;
    }

    /** A new unbound channel; {@code family} null for the default (IPv6 dual stack if any). */
    public static DatagramChannelImpl open(ChannelFactory provider, StandardProtocolFamily family)
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

    /** Takes readLock, writeLock and stateLock, in this order: no I/O runs meanwhile. */
    private void lockAll() {
        readLock.lock();
        writeLock.lock();
        stateLock.lock();
    }

    private void unlockAll() {
        stateLock.unlock();
        writeLock.unlock();
        readLock.unlock();
    }

    /**
     * Marks the start of an I/O operation: binds an unbound socket (as the JDK does) and, when
     * blocking, arms interrupt handling and tells close that a thread may park.
     *
     * @param reader whether it is a receive or read (else a send or write)
     * @return the remote address if connected, else null
     */
    private InetSocketAddress begin(boolean blocking, boolean mustBeConnected, boolean reader)
            throws IOException {
        if (blocking) {
            begin();
        }
        stateLock.lock();
        try {
            ensureOpen();
            InetSocketAddress remote = association.remote();
            if (remote == null && mustBeConnected) {
                throw new NotYetConnectedException();
            }
            if (association.local() == null) {
                association.bind(null);
            }
            if (blocking) {
                if (reader) {
                    readerParked = true;
                } else {
                    writerParked = true;
                }
            }
            return remote;
        } finally {
            stateLock.unlock();
        }
    }

    /** Marks the end of an operation begun with {@link #begin(boolean, boolean, boolean)}. */
    private void end(boolean blocking, boolean completed, boolean reader)
            throws AsynchronousCloseException {
        if (blocking) {
            stateLock.lock();
            try {
                if (reader) {
                    readerParked = false;
                } else {
                    writerParked = false;
                }
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
        return receiveCore(dst, false, 0);
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
        return receiveCore(dst, true, nanos);
    }

    private InetSocketAddress receiveCore(ByteBuffer dst, boolean adaptor, long nanos)
            throws IOException {
        readLock.lock();
        try {
            ensureOpen();
            boolean blocking = isBlocking();
            if (adaptor && !blocking) {
                throw new IllegalBlockingModeException();
            }
            InetSocketAddress from = null;
            try {
                boolean isConnected = begin(blocking, false, true) != null;
                long start = System.nanoTime();
                int n = DatagramIo.receive(sys, fd, dst, sender, isConnected);
                while (blocking && n == IoStatus.UNAVAILABLE && isOpen()) {
                    park(LinuxUapi.POLLIN, NativeFd.timeLeft(start, nanos, "Receive timed out"));
                    n = DatagramIo.receive(sys, fd, dst, sender, isConnected);
                }
                if (n > 0 || (n == 0 && isOpen())) {
                    from = sender.get();
                }
                return from;
            } catch (ErrnoException e) {
                throw NioExceptions.datagram(e);
            } finally {
                end(blocking, from != null, true);
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
                begin(blocking, true, true);
                n = readOnce(dst, dsts, offset, length);
                while (blocking && n == IoStatus.UNAVAILABLE && isOpen()) {
                    park(LinuxUapi.POLLIN, 0);
                    n = readOnce(dst, dsts, offset, length);
                }
            } catch (ErrnoException e) {
                throw NioExceptions.io(e);
            } finally {
                end(blocking, n > 0, true);
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
            InetSocketAddress remote = null;
            try {
                remote = begin(blocking, false, false);
                if (remote != null) {
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
                throw remote != null ? NioExceptions.io(e) : NioExceptions.datagram(e);
            } finally {
                end(blocking, completed, false);
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
                begin(blocking, true, false);
                n = writeOnce(src, srcs, offset, length);
                while (blocking && n == IoStatus.UNAVAILABLE && isOpen()) {
                    park(LinuxUapi.POLLOUT, 0);
                    n = writeOnce(src, srcs, offset, length);
                }
            } catch (ErrnoException e) {
                throw NioExceptions.io(e);
            } finally {
                end(blocking, n > 0, false);
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
        lockAll();
        try {
            ensureOpen();
            if (association.local() != null) {
                throw new AlreadyBoundException();
            }
            association.bind(local);
        } finally {
            unlockAll();
        }
        return this;
    }

    @Override
    public boolean isConnected() {
        return connected;
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
        lockAll();
        try {
            ensureOpen();
            if (check && connected) {
                throw new AlreadyConnectedException();
            }
            association.connect(isa);
            connected = true;
            discardPending();
        } finally {
            unlockAll();
        }
        return this;
    }

    /** Receives and drops every datagram queued now. Caller holds readLock. */
    private void discardPending() throws IOException {
        ByteBuffer one = DirectBufferCache.acquire(1);
        try {
            while (DatagramIo.receive(sys, fd, one.clear(), sender, false) >= 0) {
                // dropped
            }
        } catch (ErrnoException e) {
            throw NioExceptions.datagram(e);
        } finally {
            DirectBufferCache.release(one);
        }
    }

    /** As the JDK's: the local address stays what it was before connect (see there). */
    @Override
    public DatagramChannelImpl disconnect() throws IOException {
        lockAll();
        try {
            if (isOpen() && connected) {
                try {
                    association.disconnect();
                } finally {
                    connected = association.remote() != null;
                }
            }
        } finally {
            unlockAll();
        }
        return this;
    }

    @Override
    public SocketAddress getLocalAddress() throws IOException {
        stateLock.lock();
        try {
            ensureOpen();
            return association.local();
        } finally {
            stateLock.unlock();
        }
    }

    @Override
    public SocketAddress getRemoteAddress() throws IOException {
        stateLock.lock();
        try {
            ensureOpen();
            return association.remote();
        } finally {
            stateLock.unlock();
        }
    }

    /** The local address even when closed (for the adaptor), or null if unbound. */
    InetSocketAddress localAddress() {
        stateLock.lock();
        try {
            return association.local();
        } finally {
            stateLock.unlock();
        }
    }

    /** The connected address (for the adaptor), or null. */
    InetSocketAddress remoteAddress() {
        stateLock.lock();
        try {
            return association.remote();
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

    // ---- options and multicast ----------------------------------------------------------

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

    @Override
    public MembershipKey join(InetAddress group, NetworkInterface interf) throws IOException {
        Objects.requireNonNull(interf, "interf");
        return memberships.join(group, interf, null);
    }

    @Override
    public MembershipKey join(InetAddress group, NetworkInterface interf, InetAddress source)
            throws IOException {
        Objects.requireNonNull(interf, "interf");
        Objects.requireNonNull(source, "source");
        return memberships.join(group, interf, source);
    }

    /** The multicast side, for the keys and for the adaptor (which may join on any interface). */
    DatagramMemberships memberships() {
        return memberships;
    }

    // ---- blocking mode and close ----------------------------------------------------------

    @Override
    protected void implConfigureBlocking(boolean block) throws IOException {
        // The descriptor stays non-blocking: the mode only decides whether operations park.
        // The locks make the change wait for operations in progress, as in the JDK.
        lockAll();
        try {
            ensureOpen();
        } finally {
            unlockAll();
        }
    }

    @Override
    protected void implCloseSelectableChannel() throws IOException {
        boolean blocking = isBlocking();
        stateLock.lock();
        try {
            state = ST_CLOSING;
            memberships.invalidateAll();
            if (blocking) {
                // Threads may be parked: release them; the last one out closes.
                if (!tryClose()) {
                    nfd.unpark();
                }
                return;
            }
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
            AfterClose hook = afterClose;
            if (hook != null) {
                hook.run();
            }
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
        return ((ops & SelectionKey.OP_READ) != 0 ? LinuxUapi.EPOLLIN : 0)
                | ((ops & SelectionKey.OP_WRITE) != 0 ? LinuxUapi.EPOLLOUT : 0);
    }

    /** As the JDK's: readable and writable whether connected or not; errors wake every op. */
    @Override
    public int translateReadyOps(int events, int interestOps) {
        if ((events & (LinuxUapi.EPOLLERR | LinuxUapi.EPOLLHUP)) != 0) {
            return interestOps;
        }
        return ((events & LinuxUapi.EPOLLIN) != 0 ? interestOps & SelectionKey.OP_READ : 0)
                | ((events & LinuxUapi.EPOLLOUT) != 0 ? interestOps & SelectionKey.OP_WRITE : 0);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(DatagramChannel.class.getName()).append('[');
        if (!isOpen()) {
            return sb.append("closed]").toString();
        }
        stateLock.lock();
        try {
            sb.append(connected ? "connected" : "unconnected");
            if (association.local() != null) {
                sb.append(" local=").append(association.local());
            }
            if (association.remote() != null) {
                sb.append(" remote=").append(association.remote());
            }
        } finally {
            stateLock.unlock();
        }
        return sb.append(']').toString();
    }
}
