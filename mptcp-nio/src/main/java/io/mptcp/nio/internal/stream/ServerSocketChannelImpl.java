package io.mptcp.nio.internal.stream;

import io.mptcp.ffi.ErrnoException;
import io.mptcp.ffi.LinuxSyscalls;
import io.mptcp.ffi.LinuxUapi;
import io.mptcp.nio.MptcpServerSocketChannel;
import io.mptcp.nio.MptcpSocketChannel;
import io.mptcp.nio.MptcpSocketOptions;
import io.mptcp.nio.internal.ChannelFactory;
import io.mptcp.nio.internal.fd.NioExceptions;
import io.mptcp.nio.internal.net.InetSockets;
import io.mptcp.nio.internal.net.MptcpPolicy;
import io.mptcp.nio.internal.net.ProtocolSwitch;
import io.mptcp.nio.internal.options.NativeSocketOptions;
import io.mptcp.nio.internal.options.SocketOptions;
import io.mptcp.nio.internal.options.SocketOrigin;
import io.mptcp.nio.internal.fd.ChannelOwner;
import io.mptcp.nio.internal.select.NativeChannel;
import io.mptcp.nio.internal.select.RegisteredKeys;
import io.mptcp.nio.internal.select.SelectionKeyImpl;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.SocketAddress;
import java.net.SocketOption;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.util.Map;
import java.util.Set;

/**
 * The INET server socket channel: the JDK's {@code ServerSocketChannelImpl} semantics over a
 * non-blocking MPTCP (or TCP) listening descriptor. It accepts MPTCP and plain TCP clients; each
 * accepted channel finds out which from the kernel when asked. The accept state machine is
 * {@link ListeningSocket}'s, shared with the UNIX-domain server channel.
 */
public final class ServerSocketChannelImpl extends MptcpServerSocketChannel implements NativeChannel {
    private final ChannelOwner owner;
    private final ChannelFactory provider;
    private final LinuxSyscalls sys;
    private final int family;
    private final boolean strict;
    private final NativeSocketOptions options;
    private final ListeningSocket listener;

    // Guarded by the listener's state lock.
    private ServerSocket adaptor;
    // Guarded by the listener's state lock: keys to re-register if the protocol is switched
    // before bind.
    private final RegisteredKeys registeredKeys = new RegisteredKeys();
    // The origin of accepted sockets, found at the first accept: a bound listener's protocol no
    // longer changes. A race computes the same value twice.
    private volatile SocketOrigin acceptedOrigin;

    private ServerSocketChannelImpl(ChannelFactory provider, LinuxSyscalls sys, int fd,
            int family, int protocol, boolean strict) {
        super(provider.provider());
        this.provider = provider;
        this.sys = sys;
        this.family = family;
        this.strict = strict;
        this.options = new NativeSocketOptions(sys, fd, family, strict, protocol);
        this.owner = new ChannelOwner(this, this::begin, this::end);
        this.listener = new ListeningSocket(owner, sys, fd, new InetStreamFamily(family));
    }

    public static ServerSocketChannelImpl open(ChannelFactory provider,
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
        int protocol = s.mptcp() ? LinuxUapi.IPPROTO_MPTCP : LinuxUapi.IPPROTO_TCP;
        ServerSocketChannelImpl ssc = new ServerSocketChannelImpl(provider, sys, s.fd(),
                s.family(), protocol, policy.strict());
        ssc.options.origin(s.origin());
        ssc.options.setByOpener(StandardSocketOptions.SO_REUSEADDR, true);
        return ssc;
    }

    /**
     * The channel of a socket that is already bound and listening (inherited), MPTCP or TCP as
     * the kernel says when asked.
     */
    public static ServerSocketChannelImpl bound(ChannelFactory provider, LinuxSyscalls sys,
            int fd, int family, SocketAddress local, boolean strict) {
        ServerSocketChannelImpl ssc =
                new ServerSocketChannelImpl(provider, sys, fd, family, 0, strict);
        ssc.listener.bound(local);
        return ssc;
    }

    /** The shared state machine (for inherited channels). */
    public ListeningSocket listeningSocket() {
        return listener;
    }

    @Override
    public ServerSocketChannelImpl bind(SocketAddress local, int backlog) throws IOException {
        listener.bind(local, backlog);
        return this;
    }

    @Override
    public MptcpSocketChannel accept() throws IOException {
        return listener.accept(this::acceptedChannel);
    }

    /** The adaptor's {@code ServerSocket.accept()} with {@code SO_TIMEOUT}: blocking only. */
    MptcpSocketChannel blockingAccept(long nanos) throws IOException {
        return listener.acceptForAdaptor(this::acceptedChannel, nanos);
    }

    private MptcpSocketChannel acceptedChannel(int fd, SocketAddress local, SocketAddress remote)
            throws IOException {
        SocketChannelImpl sc =
                SocketChannelImpl.connected(provider, sys, fd, family, local, remote, strict);
        SocketOrigin origin = acceptedOrigin;
        if (origin == null) {
            origin = options.isMptcpSocket() ? SocketOrigin.ACCEPTED_ON_MPTCP
                    : options.origin().acceptedOnTcpListener();
            acceptedOrigin = origin;
        }
        sc.origin(origin);
        return sc;
    }

    @Override
    public SocketAddress getLocalAddress() throws IOException {
        return listener.getLocalAddress();
    }

    /** The bound address even when closed (for the adaptor), or null if unbound. */
    InetSocketAddress localAddress() {
        return (InetSocketAddress) listener.localAddress();
    }

    boolean isBound() {
        return listener.localAddress() != null;
    }

    @Override
    public ServerSocket socket() {
        return listener.descriptor().locked(() -> {
            if (adaptor == null) {
                adaptor = ServerSocketAdaptor.create(this);
            }
            return adaptor;
        });
    }

    /** For our {@code java.net.Socket} impls: interrupts as the JDK's {@code NioSocketImpl}. */
    public void interruptibleOnVirtualThreadsOnly() {
        owner.interruptibleOnVirtualThreadsOnly();
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
        listener.descriptor().withOpenState(() -> {
            if (name == MptcpSocketOptions.MPTCP_ENABLED) {
                switchProtocol((Boolean) value);
            } else {
                options.set(name, value);
            }
            return null;
        });
        return this;
    }

    /**
     * {@code MPTCP_ENABLED} set: reopens the socket with the protocol asked for, if it differs,
     * under the same descriptor. The listener's state lock suffices (the caller holds it):
     * until bind, accept fails before it reaches the descriptor.
     */
    private void switchProtocol(boolean wanted) throws IOException {
        assert listener.descriptor().holdsStateLock();
        if (options.isMptcpSocket() == wanted) {
            return;
        }
        if (listener.localAddress() != null) {
            throw SocketOptions.tooLateToSwitch(wanted, StreamSocket.Use.BOUND.description());
        }
        ProtocolSwitch.replace(listener.descriptor(), provider.sockets(), family, wanted, options,
                registeredKeys::descriptorReplaced);
    }

    @Override
    public void keyCreated(SelectionKeyImpl key) {
        listener.descriptor().locked(() -> {
            if (listener.localAddress() == null) {
                registeredKeys.add(key);
            }
            return null;
        });
    }

    @Override
    public <T> T getOption(SocketOption<T> name) throws IOException {
        SocketOptions.checkGet(name, SUPPORTED);
        return name.type().cast(listener.descriptor().withOpenState(
                () -> SocketOptions.getListenerOption(options, name)));
    }

    @Override
    public Map<SocketOption<?>, Object> unappliedOptions() {
        return options.unapplied();
    }

    // ---- blocking mode, close, selector support ---------------------------------------------

    @Override
    protected void implConfigureBlocking(boolean block) throws IOException {
        listener.configureBlocking();
    }

    @Override
    protected void implCloseSelectableChannel() throws IOException {
        listener.descriptor().close();
    }

    @Override
    public void kill() {
        listener.descriptor().kill();
    }

    @Override
    public int fdVal() {
        return listener.fd();
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
        return listener.describe(MptcpServerSocketChannel.class.getName());
    }
}
