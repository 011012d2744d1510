package io.mptcp.nio.internal.datagram;

import io.mptcp.ffi.ErrnoException;
import io.mptcp.ffi.IoStatus;
import io.mptcp.ffi.LinuxSyscalls;
import io.mptcp.ffi.LinuxUapi;
import io.mptcp.ffi.SenderAddress;
import io.mptcp.nio.internal.ChannelFactory;
import io.mptcp.nio.internal.fd.AfterClose;
import io.mptcp.nio.internal.fd.ChannelOwner;
import io.mptcp.nio.internal.fd.Descriptor;
import io.mptcp.nio.internal.fd.DirectBufferCache;
import io.mptcp.nio.internal.fd.FdIo;
import io.mptcp.nio.internal.fd.NativeFd;
import io.mptcp.nio.internal.fd.NioExceptions;
import io.mptcp.nio.internal.net.InetSockets;
import io.mptcp.nio.internal.net.Net;
import io.mptcp.nio.internal.net.SecurityChecks;
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
import java.nio.channels.DatagramChannel;
import java.nio.channels.IllegalBlockingModeException;
import java.nio.channels.MembershipKey;
import java.nio.channels.NotYetConnectedException;
import java.nio.channels.SelectionKey;
import java.util.Objects;
import java.util.Set;

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
    private final Descriptor descriptor;
    private final LinuxSyscalls sys;
    private final int fd;
    private final int family;
    private final DatagramSocketOptions options;
    private final DatagramMemberships memberships;

    // Guarded by the read lock: the sender of the last datagram received.
    private final SenderAddress sender = new SenderAddress();

    // -- the following fields are guarded by the descriptor's state lock (which guards the
    //    association and the memberships too)
    private final DatagramAssociation association;
    private volatile boolean connected;
    private DatagramSocket socket;
    // -- end of the fields guarded by the state lock

    // The checks an operation makes under the state lock (made once: no allocation per
    // datagram); each returns the remote address, or null if unconnected.
    private final Descriptor.LockedCall<InetSocketAddress> anyTarget = () -> checkBound(false);
    private final Descriptor.LockedCall<InetSocketAddress> connectedOnly = () -> checkBound(true);

    private DatagramChannelImpl(ChannelFactory provider, LinuxSyscalls sys, int fd,
            int family) {
        super(provider.provider());
        this.sys = sys;
        this.fd = fd;
        this.family = family;
        this.descriptor = new Descriptor(new ChannelOwner(this, this::begin, this::end), sys, fd,
                new Descriptor.CloseSteps() {
                    @Override
                    public void closing() {
                        memberships.invalidateAll();
                    }
                });
        this.options = new DatagramSocketOptions(sys, fd, family);
        this.association = new DatagramAssociation(descriptor, family);
        this.memberships = new DatagramMemberships(this, sys, fd, family, descriptor);
    }

    /**
     * The channel of an inherited INET datagram socket ({@code System.inheritedChannel()}):
     * it owns {@code fd}, takes the socket's addresses, starts in blocking mode, and runs
     * {@code afterClose} at the end of its close.
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
        ch.descriptor.withState(() -> {
            ch.association.adopt();
            ch.connected = ch.association.remote() != null;
            return null;
        });
        ch.descriptor.onClose(afterClose);
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

    /**
     * The checks of an I/O operation, under the state lock: binds an unbound socket (as the
     * JDK does).
     *
     * @return the remote address if connected, else null
     */
    private InetSocketAddress checkBound(boolean mustBeConnected) throws IOException {
        InetSocketAddress remote = association.remote();
        if (remote == null && mustBeConnected) {
            throw new NotYetConnectedException();
        }
        if (association.local() == null) {
            association.bind(null);
        }
        return remote;
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
        descriptor.lockRead();
        try {
            if (adaptor) {
                // The JDK's adaptor checks first on every release.
                descriptor.ensureOpen();
            } else {
                descriptor.ensureOpenFirst(Descriptor.OpenCheck.DATAGRAM_IO);
            }
            boolean blocking = isBlocking();
            if (adaptor && !blocking) {
                throw new IllegalBlockingModeException();
            }
            InetSocketAddress from = null;
            try {
                boolean isConnected =
                        descriptor.begin(Descriptor.Op.READ, blocking, anyTarget) != null;
                long start = System.nanoTime();
                // Under a security manager an unconnected channel takes only datagrams from
                // senders the caller may accept from; the others are dropped unseen, as the
                // JDK's untrustedReceive does (through a buffer of its own).
                boolean checkSender = !isConnected && SecurityChecks.checksSenders();
                ByteBuffer into = checkSender ? ByteBuffer.allocate(dst.remaining()) : dst;
                for (;;) {
                    int n = DatagramIo.receive(sys, fd, into, sender, isConnected);
                    while (blocking && n == IoStatus.UNAVAILABLE && isOpen()) {
                        descriptor.park(LinuxUapi.POLLIN,
                                NativeFd.timeLeft(start, nanos, "Receive timed out"));
                        n = DatagramIo.receive(sys, fd, into, sender, isConnected);
                    }
                    if (n > 0 || (n == 0 && isOpen())) {
                        if (checkSender && !SecurityChecks.mayReceiveFrom(sender.get())) {
                            into.clear();
                            continue;
                        }
                        from = sender.get();
                        if (checkSender) {
                            dst.put(into.flip());
                        }
                    }
                    return from;
                }
            } catch (ErrnoException e) {
                throw NioExceptions.datagram(e);
            } finally {
                descriptor.end(Descriptor.Op.READ, blocking, from != null);
            }
        } finally {
            descriptor.unlockRead();
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
        descriptor.lockRead();
        try {
            descriptor.ensureOpenFirst(Descriptor.OpenCheck.DATAGRAM_IO);
            boolean blocking = isBlocking();
            long n = 0;
            try {
                descriptor.begin(Descriptor.Op.READ, blocking, connectedOnly);
                n = readOnce(dst, dsts, offset, length);
                while (blocking && n == IoStatus.UNAVAILABLE && isOpen()) {
                    descriptor.park(LinuxUapi.POLLIN, 0);
                    n = readOnce(dst, dsts, offset, length);
                }
            } catch (ErrnoException e) {
                throw NioExceptions.datagramIo(e);
            } finally {
                descriptor.end(Descriptor.Op.READ, blocking, n > 0);
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

    // ---- sending and writing ------------------------------------------------------------

    @Override
    public int send(ByteBuffer src, SocketAddress target) throws IOException {
        Objects.requireNonNull(src, "src");
        InetSocketAddress isa = Net.checkAddress(target, family);
        descriptor.lockWrite();
        try {
            descriptor.ensureOpenFirst(Descriptor.OpenCheck.DATAGRAM_IO);
            boolean blocking = isBlocking();
            int n = 0;
            boolean completed = false;
            InetSocketAddress remote = null;
            try {
                remote = descriptor.begin(Descriptor.Op.WRITE, blocking, anyTarget);
                if (remote != null) {
                    if (!target.equals(remote)) {
                        throw new AlreadyConnectedException();
                    }
                    n = FdIo.write(sys, fd, src);
                    while (blocking && n == IoStatus.UNAVAILABLE && isOpen()) {
                        descriptor.park(LinuxUapi.POLLOUT, 0);
                        n = FdIo.write(sys, fd, src);
                    }
                    completed = n > 0;
                } else {
                    SecurityChecks.checkDatagramSend(isa);
                    if (isa.getPort() == 0) {
                        throw new SocketException("Can't send to port 0");
                    }
                    n = DatagramIo.send(sys, fd, family, src, isa, false);
                    while (blocking && n == IoStatus.UNAVAILABLE && isOpen()) {
                        descriptor.park(LinuxUapi.POLLOUT, 0);
                        n = DatagramIo.send(sys, fd, family, src, isa, false);
                    }
                    completed = n >= 0;
                }
            } catch (ErrnoException e) {
                // A connected send is a write, with the JDK's read/write error mapping.
                throw remote != null ? NioExceptions.datagramIo(e) : NioExceptions.datagram(e);
            } finally {
                descriptor.end(Descriptor.Op.WRITE, blocking, completed);
            }
            return n == IoStatus.UNAVAILABLE ? 0 : n;
        } finally {
            descriptor.unlockWrite();
        }
    }

    /**
     * The socket adaptor's send: blocking mode only.
     *
     * @throws IllegalBlockingModeException if the channel is non-blocking
     */
    void blockingSend(ByteBuffer src, SocketAddress target) throws IOException {
        descriptor.lockWrite();
        try {
            descriptor.ensureOpen();
            if (!isBlocking()) {
                throw new IllegalBlockingModeException();
            }
            send(src, target);
        } finally {
            descriptor.unlockWrite();
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
        descriptor.lockWrite();
        try {
            descriptor.ensureOpenFirst(Descriptor.OpenCheck.DATAGRAM_IO);
            boolean blocking = isBlocking();
            long n = 0;
            try {
                descriptor.begin(Descriptor.Op.WRITE, blocking, connectedOnly);
                n = writeOnce(src, srcs, offset, length);
                while (blocking && n == IoStatus.UNAVAILABLE && isOpen()) {
                    descriptor.park(LinuxUapi.POLLOUT, 0);
                    n = writeOnce(src, srcs, offset, length);
                }
            } catch (ErrnoException e) {
                throw NioExceptions.datagramIo(e);
            } finally {
                descriptor.end(Descriptor.Op.WRITE, blocking, n > 0);
            }
            return n == IoStatus.UNAVAILABLE ? 0 : n;
        } finally {
            descriptor.unlockWrite();
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
        descriptor.withAllLocks(() -> {
            if (association.local() != null) {
                throw new AlreadyBoundException();
            }
            association.bind(local);
            return null;
        });
        return this;
    }

    @Override
    public boolean isConnected() {
        return connected;
    }

    @Override
    public DatagramChannelImpl connect(SocketAddress remote) throws IOException {
        return connect(remote, false);
    }

    /** The socket adaptor's connect: connects again when already connected. */
    void connectForAdaptor(SocketAddress remote) throws IOException {
        connect(remote, true);
    }

    /**
     * Connects the socket. Datagrams that arrived before are discarded, as the JDK does, so
     * that after connect only the peer's are received.
     */
    private DatagramChannelImpl connect(SocketAddress remote, boolean reconnect)
            throws IOException {
        InetSocketAddress isa = Net.checkAddress(remote, family);
        SecurityChecks.checkDatagramConnect(isa, family);
        descriptor.withAllLocks(() -> {
            if (!reconnect && connected) {
                throw new AlreadyConnectedException();
            }
            association.connect(isa);
            connected = true;
            discardPending();
            return null;
        });
        return this;
    }

    /** Receives and drops every datagram queued now. */
    private void discardPending() throws IOException {
        assert descriptor.holdsReadLock();
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
        descriptor.withAllLocksOpenOrNot(() -> {
            if (isOpen() && connected) {
                try {
                    association.disconnect();
                } finally {
                    connected = association.remote() != null;
                }
            }
            return null;
        });
        return this;
    }

    @Override
    public SocketAddress getLocalAddress() throws IOException {
        return SecurityChecks.revealed(descriptor.withOpenState(association::local));
    }

    @Override
    public SocketAddress getRemoteAddress() throws IOException {
        return descriptor.withOpenState(association::remote);
    }

    /** The local address even when closed (for the adaptor), or null if unbound. */
    InetSocketAddress localAddress() {
        return descriptor.locked(association::local);
    }

    /** The connected address (for the adaptor), or null. */
    InetSocketAddress remoteAddress() {
        return descriptor.locked(association::remote);
    }

    @Override
    public DatagramSocket socket() {
        return descriptor.locked(() -> {
            if (socket == null) {
                socket = DatagramSocketAdaptor.create(this);
            }
            return socket;
        });
    }

    // ---- options and multicast ----------------------------------------------------------

    @Override
    public Set<SocketOption<?>> supportedOptions() {
        return DatagramSocketOptions.supported();
    }

    @Override
    public <T> DatagramChannelImpl setOption(SocketOption<T> name, T value) throws IOException {
        DatagramSocketOptions.checkSet(name, value);
        descriptor.withOpenState(() -> {
            options.set(name, value);
            return null;
        });
        return this;
    }

    @Override
    public <T> T getOption(SocketOption<T> name) throws IOException {
        DatagramSocketOptions.checkGet(name);
        return name.type().cast(descriptor.withOpenState(() -> options.get(name)));
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
        descriptor.withAllLocks(() -> null);
    }

    @Override
    protected void implCloseSelectableChannel() throws IOException {
        descriptor.close();
    }

    @Override
    public void kill() {
        descriptor.kill();
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
        descriptor.locked(() -> {
            sb.append(connected ? "connected" : "unconnected");
            if (association.local() != null) {
                sb.append(" local=").append(association.local());
            }
            if (association.remote() != null) {
                sb.append(" remote=").append(association.remote());
            }
            return null;
        });
        return sb.append(']').toString();
    }
}
