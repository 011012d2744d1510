package io.mptcp.nio.internal.stream;

import io.mptcp.ffi.LinuxSyscalls;
import io.mptcp.ffi.LinuxUapi;
import io.mptcp.nio.MptcpSocketChannel;
import io.mptcp.nio.MptcpSocketOptions;
import io.mptcp.nio.MptcpToken;
import io.mptcp.nio.Subflow;
import io.mptcp.nio.internal.ChannelFactory;
import io.mptcp.nio.internal.OwnedConnections;
import io.mptcp.nio.internal.fd.ChannelOwner;
import io.mptcp.nio.internal.fd.FileSource;
import io.mptcp.nio.internal.fd.NioExceptions;
import io.mptcp.nio.internal.net.InetSockets;
import io.mptcp.nio.internal.fd.Privileged;
import io.mptcp.nio.internal.net.MptcpPolicy;
import io.mptcp.nio.internal.net.ProtocolSwitch;
import io.mptcp.nio.internal.net.SecurityChecks;
import io.mptcp.nio.internal.options.MptcpIntrospection;
import io.mptcp.nio.internal.options.NativeSocketOptions;
import io.mptcp.nio.internal.options.SocketOptions;
import io.mptcp.nio.internal.options.SocketOrigin;
import io.mptcp.nio.internal.pm.SubflowControl;
import io.mptcp.nio.internal.select.NativeChannel;
import io.mptcp.nio.internal.select.RegisteredKeys;
import io.mptcp.nio.internal.select.SelectionKeyImpl;
import io.mptcp.nio.pm.AnnouncedAddress;
import io.mptcp.nio.pm.PathPolicy;
import io.mptcp.nio.pm.PathProfile;
import io.mptcp.nio.pm.SubflowClose;
import io.mptcp.nio.pm.SubflowRequest;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketOption;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.AlreadyConnectedException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.NotYetConnectedException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * The INET socket channel: the JDK's {@code SocketChannelImpl} over an MPTCP (or TCP)
 * descriptor. The state machine is {@link StreamSocket}'s (shared with the UNIX-domain
 * channel); this class adds what only INET sockets have: the MPTCP options and state, the
 * {@link Socket} adaptor, and urgent data.
 */
public final class SocketChannelImpl extends MptcpSocketChannel implements NativeChannel {
    private final ChannelOwner owner;
    private final ChannelFactory provider;
    private final LinuxSyscalls sys;
    private final int family;
    private final StreamSocket socket;
    private final NativeSocketOptions options;
    private final MptcpIntrospection mptcp;

    // Guarded by the descriptor's state lock.
    private Socket adaptor;
    // Guarded by the descriptor's state lock: keys to re-register if the protocol is switched before
    // connect.
    private final RegisteredKeys registeredKeys = new RegisteredKeys();
    // Guards the creation of subflows; read without it once set (volatile).
    private final Object subflowsLock = new Object();
    private volatile SubflowControl subflows;
    // Set before connect, read once when the connection is made.
    private volatile PathProfile pathProfile =
            Privileged.run(MptcpPolicy::pathProfile);
    // Guards profileStarted: the connecting thread (PATH_PROFILE) and runPathPolicy race for it.
    private final Object profileLock = new Object();
    private boolean profileStarted;
    private static final System.Logger PROFILE_LOG =
            System.getLogger(PathProfile.class.getName());


    private SocketChannelImpl(ChannelFactory provider, LinuxSyscalls sys, int fd,
            int family, int protocol, boolean strict) {
        super(provider.provider());
        this.provider = provider;
        this.sys = sys;
        this.family = family;
        this.options = new NativeSocketOptions(sys, fd, family, strict, protocol);
        this.owner = new ChannelOwner(this, this::begin, this::end);
        this.socket = new StreamSocket(owner, sys, fd, new InetStreamFamily(family),
                options);
        this.mptcp = new MptcpIntrospection(sys, fd, options);
        OwnedConnections.register(this); // the event channel's snapshots (unprivileged)
    }

    /** A new unconnected channel: MPTCP or TCP as the provider's policy says. */
    public static SocketChannelImpl open(ChannelFactory provider, StandardProtocolFamily family)
            throws IOException {
        LinuxSyscalls sys = provider.syscalls();
        MptcpPolicy policy = provider.policy();
        InetSockets.OpenedSocket s = provider.sockets().openStream(sys, policy, family, false);
        int protocol = s.mptcp() ? LinuxUapi.IPPROTO_MPTCP : LinuxUapi.IPPROTO_TCP;
        SocketChannelImpl sc =
                new SocketChannelImpl(provider, sys, s.fd(), s.family(), protocol, policy.strict());
        sc.options.origin(s.origin());
        return sc;
    }

    /** Records how the socket came to be (an accepted one: on which kind of listener). */
    void origin(SocketOrigin origin) {
        options.origin(origin);
    }

    /**
     * The channel of a connection that already exists (accepted, or inherited), its descriptor
     * in blocking mode; MPTCP or TCP as it is, read from the kernel when first needed. Starts
     * in blocking mode, as the JDK's accepted channels do.
     */
    public static SocketChannelImpl connected(ChannelFactory provider, LinuxSyscalls sys,
            int fd, int family, SocketAddress local, SocketAddress remote, boolean strict) {
        SocketChannelImpl sc = new SocketChannelImpl(provider, sys, fd, family, 0, strict);
        sc.socket.connected(local, remote);
        return sc;
    }

    /** The shared state machine (for inherited channels and tests). */
    public StreamSocket streamSocket() {
        return socket;
    }

    // ---- reading and writing --------------------------------------------------------------

    @Override
    public int read(ByteBuffer dst) throws IOException {
        Objects.requireNonNull(dst, "dst");
        return (int) socket.read(dst);
    }

    @Override
    public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
        Objects.checkFromIndexSize(offset, length, dsts.length);
        return socket.read(dsts, offset, length);
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
        return (int) socket.readForAdaptor(ByteBuffer.wrap(b, off, len), nanos);
    }

    /** Bytes readable now, for the adaptor's {@code InputStream.available()}. */
    int available() throws IOException {
        return socket.available();
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
        Objects.requireNonNull(src, "src");
        return (int) socket.write(src);
    }

    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
        Objects.checkFromIndexSize(offset, length, srcs.length);
        return socket.write(srcs, offset, length);
    }

    @Override
    public long transferFrom(Path file, long position, long count) throws IOException {
        checkTransfer(file, position, count);
        if (!FileSource.isNative(file)) {
            return super.transferFrom(file, position, count);
        }
        if (!isOpen()) {
            throw new ClosedChannelException();
        }
        SecurityChecks.checkRead(file);
        try (FileSource src = FileSource.open(sys, file)) {
            return socket.sendFile(src.fd(), position, count);
        }
    }

    /** Write for the socket adaptor's output stream: blocking mode only, all bytes. */
    void blockingWriteFully(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        if (len > 0) {
            socket.writeFullyForAdaptor(ByteBuffer.wrap(b, off, len));
        }
    }

    /** {@code Socket.sendUrgentData}: one byte with {@code MSG_OOB}; 0 if the buffer is full. */
    int sendOutOfBandData(byte data) throws IOException {
        try {
            return socket.sendUrgentByte(data);
        } catch (IOException e) {
            throw NioExceptions.urgentData(e, options.isMptcpSocket());
        }
    }

    // ---- connecting, addresses, shutdown ----------------------------------------------------

    @Override
    public boolean connect(SocketAddress remote) throws IOException {
        subscribeForProfile();
        return connected(socket.connect(remote));
    }

    /**
     * With a profile, subscribes to the path-manager events before the handshake, so that the
     * peer's first announcements reach the profile (see
     * {@link SubflowControl#subscribeBeforeConnect}).
     */
    private void subscribeForProfile() throws IOException {
        PathProfile p = pathProfile;
        if (p != PathProfile.NONE && !profileStarted && options.isMptcpSocket()) {
            subflowControl().subscribeBeforeConnect("PATH_PROFILE " + p);
        }
    }

    /** The adaptor's {@code Socket.connect(addr, timeout)}: blocking mode only. */
    void blockingConnect(SocketAddress remote, long nanos) throws IOException {
        subscribeForProfile();
        socket.connectForAdaptor(remote, nanos);
        connected(true);
    }

    @Override
    public boolean finishConnect() throws IOException {
        return connected(socket.finishConnect());
    }

    /**
     * Starts the path profile once the connection is made. A profile that cannot run does not
     * fail the connection: the reason is logged (see {@link MptcpSocketOptions#PATH_PROFILE}).
     */
    private boolean connected(boolean done) {
        PathProfile p = pathProfile;
        if (done && p != PathProfile.NONE && claimProfile()) {
            try {
                subflowControl().startPolicy(p.newPolicy(),
                        (InetSocketAddress) socket.getRemoteAddress(), "PATH_PROFILE " + p);
            } catch (IOException | RuntimeException e) {
                PROFILE_LOG.log(System.Logger.Level.WARNING, "PATH_PROFILE " + p + " not started"
                        + " for this connection; it runs without a profile: " + e.getMessage(),
                        e);
            }
        }
        return done;
    }

    @Override
    public SocketChannelImpl bind(SocketAddress local) throws IOException {
        socket.bind(local);
        return this;
    }

    @Override
    public SocketAddress getLocalAddress() throws IOException {
        return socket.getLocalAddress();
    }

    @Override
    public SocketAddress getRemoteAddress() throws IOException {
        return socket.getRemoteAddress();
    }

    /** The local address even when closed (for the adaptor), or null if unbound. */
    InetSocketAddress localAddress() {
        return (InetSocketAddress) socket.localAddress();
    }

    /** The remote address even when closed (for the adaptor), or null if never connected. */
    InetSocketAddress remoteAddress() {
        return (InetSocketAddress) socket.remoteAddress();
    }

    @Override
    public SocketChannelImpl shutdownInput() throws IOException {
        socket.shutdown(StreamSocket.Direction.INPUT);
        return this;
    }

    @Override
    public SocketChannelImpl shutdownOutput() throws IOException {
        socket.shutdown(StreamSocket.Direction.OUTPUT);
        return this;
    }

    boolean isInputOpen() {
        return socket.isInputOpen();
    }

    boolean isOutputOpen() {
        return socket.isOutputOpen();
    }

    @Override
    public boolean isConnected() {
        return socket.isConnected();
    }

    @Override
    public boolean isConnectionPending() {
        return socket.isConnectionPending();
    }

    @Override
    public Socket socket() {
        return socket.descriptor().locked(() -> {
            if (adaptor == null) {
                adaptor = SocketAdaptor.create(this);
            }
            return adaptor;
        });
    }

    /** For our {@code java.net.Socket} impls: interrupts as the JDK's {@code NioSocketImpl}. */
    public void interruptibleOnVirtualThreadsOnly() {
        owner.interruptibleOnVirtualThreadsOnly();
    }

    /**
     * For our {@code java.net.Socket} impls: as the JDK's {@code NioSocketImpl}, the first
     * timed read leaves the descriptor non-blocking for good.
     */
    public void nonBlockingOnceTimed() {
        socket.nonBlockingOnceTimed();
    }

    // ---- options ------------------------------------------------------------------------

    private static final Set<SocketOption<?>> SUPPORTED = withPathProfile();

    private static Set<SocketOption<?>> withPathProfile() {
        Set<SocketOption<?>> all = new HashSet<>(SocketOptions.socketChannelOptions());
        all.add(MptcpSocketOptions.PATH_PROFILE);
        return Collections.unmodifiableSet(all);
    }

    @Override
    public Set<SocketOption<?>> supportedOptions() {
        return SUPPORTED;
    }

    @Override
    public <T> SocketChannelImpl setOption(SocketOption<T> name, T value) throws IOException {
        SocketOptions.checkSet(name, value, SUPPORTED);
        if (name == MptcpSocketOptions.PATH_PROFILE) {
            socket.descriptor().withOpenState(() -> {
                if (isConnected() && value != pathProfile) {
                    throw new AlreadyConnectedException();
                }
                pathProfile = (PathProfile) value;
                return null;
            });
            return this;
        }
        if (name == MptcpSocketOptions.MPTCP_ENABLED) {
            switchProtocol((Boolean) value);
            return this;
        }
        socket.descriptor().withOpenState(() -> {
            options.set(name, value);
            return null;
        });
        return this;
    }

    @Override
    public <T> T getOption(SocketOption<T> name) throws IOException {
        SocketOptions.checkGet(name, SUPPORTED);
        if (name == MptcpSocketOptions.PATH_PROFILE) {
            return name.type().cast(socket.descriptor().withOpenState(() -> pathProfile));
        }
        return name.type().cast(socket.descriptor().withOpenState(
                () -> SocketOptions.get(options, mptcp, isConnected(), name)));
    }

    // ---- subflow control (internal.pm.SubflowControl, created on first use) -----------------

    @Override
    public Subflow openSubflow(SubflowRequest request, Duration timeout) throws IOException {
        return subflowControl().open(request, timeout);
    }

    @Override
    public CompletableFuture<Subflow> openSubflowAsync(SubflowRequest request) {
        return subflowControl().openAsync(request);
    }

    @Override
    public void closeSubflow(Subflow subflow, SubflowClose how) throws IOException {
        subflowControl().close(subflow, how);
    }

    @Override
    public void setSubflowBackup(Subflow subflow, boolean backup) throws IOException {
        subflowControl().setBackup(subflow, backup);
    }

    @Override
    public AnnouncedAddress announce(InetSocketAddress address) throws IOException {
        return subflowControl().announce(address);
    }

    @Override
    public void withdraw(AnnouncedAddress announced) throws IOException {
        subflowControl().withdraw(announced);
    }

    @Override
    public void runPathPolicy(PathPolicy policy) throws IOException {
        Objects.requireNonNull(policy, "runPathPolicy: policy");
        if (!isConnected()) {
            throw new NotYetConnectedException();
        }
        if (!claimProfile()) {
            throw new IllegalStateException("runPathPolicy: a path policy already runs for this"
                    + " connection (PATH_PROFILE " + pathProfile + " or an earlier"
                    + " runPathPolicy); a connection runs one policy, set PATH_PROFILE to NONE"
                    + " before connect to run your own");
        }
        try {
            subflowControl().startPolicy(policy, (InetSocketAddress) socket.getRemoteAddress(),
                    "runPathPolicy(" + policy.getClass().getSimpleName() + ")");
        } catch (IOException | RuntimeException e) {
            synchronized (profileLock) {
                profileStarted = false;  // nothing runs: a later call may try again
            }
            throw e;
        }
    }

    /** {@return true the first time} : one policy per connection. */
    private boolean claimProfile() {
        synchronized (profileLock) {
            if (profileStarted) {
                return false;
            }
            profileStarted = true;
            return true;
        }
    }

    private SubflowControl subflowControl() {
        SubflowControl c = subflows;
        if (c != null) {
            return c;
        }
        synchronized (subflowsLock) {
            if (subflows == null) {
                subflows = new SubflowControl(sys, new SubflowControl.Host() {
                    @Override
                    public boolean isOpen() {
                        return SocketChannelImpl.this.isOpen();
                    }

                    @Override
                    public boolean isConnected() {
                        return SocketChannelImpl.this.isConnected();
                    }

                    @Override
                    public Optional<MptcpToken> token() throws IOException {
                        return getOption(MptcpSocketOptions.MPTCP_TOKEN);
                    }

                    @Override
                    public List<Subflow> subflows() throws IOException {
                        return getOption(MptcpSocketOptions.MPTCP_SUBFLOWS);
                    }

                    @Override
                    public int family() {
                        return family;
                    }

                    @Override
                    public long netnsCookie() throws IOException {
                        return socket.descriptor().withOpenState(
                                () -> SubflowControl.netnsCookie(sys, socket.fd()));
                    }
                });
            }
            return subflows;
        }
    }

    @Override
    public Map<SocketOption<?>, Object> unappliedOptions() {
        return options.unapplied();
    }

    /**
     * {@code MPTCP_ENABLED} set: reopens the socket with the protocol asked for, if it differs,
     * under the same descriptor. Holds every lock, as bind does, so that no other thread uses
     * the descriptor meanwhile.
     *
     * <p>Once bound or connected, writing the value the option reads is a no-op, as for any
     * option, and the other value is refused. A connection that fell back to TCP reads
     * {@code false} though its socket was opened as MPTCP: false is accepted (programs copy
     * options by writing back what they read, Netty's {@code setOptions(getOptions())} too),
     * true refused, since it cannot become MPTCP again.
     */
    private void switchProtocol(boolean wanted) throws IOException {
        socket.descriptor().withAllLocks(() -> {
            StreamSocket.Use use = socket.use();
            if (use != StreamSocket.Use.NEW) {
                if (options.isMptcpNow() != wanted) {
                    throw SocketOptions.tooLateToSwitch(wanted, use.description());
                }
                return null;
            }
            if (options.isMptcpSocket() == wanted) {
                return null;
            }
            ProtocolSwitch.replace(socket.descriptor(), provider.sockets(), family, wanted,
                    options, registeredKeys::descriptorReplaced);
            return null;
        });
    }

    @Override
    public void keyCreated(SelectionKeyImpl key) {
        socket.descriptor().locked(() -> {
            // Only an unbound, unconnected socket can still switch protocol.
            if (socket.use() == StreamSocket.Use.NEW) {
                registeredKeys.add(key);
            }
            return null;
        });
    }

    // ---- blocking mode, close, selector support ---------------------------------------------

    @Override
    protected void implConfigureBlocking(boolean block) throws IOException {
        socket.configureBlocking(block);
    }

    @Override
    protected void implCloseSelectableChannel() throws IOException {
        try {
            socket.descriptor().close();
        } finally {
            SubflowControl c;
            synchronized (subflowsLock) {
                c = subflows;
            }
            if (c != null) {
                c.close();
            }
        }
    }

    @Override
    public void kill() {
        socket.descriptor().kill();
    }

    @Override
    public int fdVal() {
        return socket.fd();
    }

    @Override
    public int translateInterestOps(int ops) {
        return StreamReadiness.socketInterest(ops);
    }

    @Override
    public int translateReadyOps(int events, int interestOps) {
        return socket.translateReadyOps(events, interestOps);
    }

    @Override
    public String toString() {
        return socket.describe(MptcpSocketChannel.class.getName());
    }
}
