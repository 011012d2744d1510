package io.mptcp.nio.internal.stream;

import io.mptcp.ffi.ErrnoException;
import io.mptcp.ffi.LinuxSyscalls;
import io.mptcp.ffi.LinuxUapi;
import io.mptcp.nio.internal.ChannelFactory;
import io.mptcp.nio.internal.fd.NioExceptions;
import io.mptcp.nio.internal.options.NativeSocketOptions;
import io.mptcp.nio.internal.options.UnixSocketOptions;
import io.mptcp.nio.internal.fd.ChannelOwner;
import io.mptcp.nio.internal.select.NativeChannel;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.SocketAddress;
import java.net.SocketOption;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.Set;

/**
 * The UNIX-domain server socket channel
 * ({@code ServerSocketChannel.open(StandardProtocolFamily.UNIX)}): the JDK's accept state
 * machine ({@link ListeningSocket}, shared with the INET channel) over an {@code AF_UNIX}
 * listening socket, accepting {@link UnixSocketChannelImpl}s.
 *
 * <p>As in the JDK: {@code bind(null)} binds a fresh name {@code socket_<n>} in the directory
 * of {@code jdk.net.unixdomain.tmpdir} (see the README); binding the empty path fails; closing
 * the channel does not delete the socket file; {@link #socket()} throws
 * {@link UnsupportedOperationException}; the only option is {@code SO_RCVBUF}.
 */
public final class UnixServerSocketChannelImpl extends ServerSocketChannel implements NativeChannel {
    private static final Set<SocketOption<?>> SUPPORTED = UnixSocketOptions.serverOptions();

    private final ChannelFactory provider;
    private final LinuxSyscalls sys;
    private final NativeSocketOptions options;
    private final ListeningSocket listener;

    private UnixServerSocketChannelImpl(ChannelFactory provider, LinuxSyscalls sys,
            int fd) {
        super(provider.provider());
        this.provider = provider;
        this.sys = sys;
        this.options = new NativeSocketOptions(sys, fd, LinuxUapi.AF_UNIX, false, 0);
        ChannelOwner owner = new ChannelOwner(this, this::begin, this::end);
        this.listener = new ListeningSocket(owner, sys, fd, UnixStreamFamily.INSTANCE);
    }

    /** A new unbound channel. */
    public static UnixServerSocketChannelImpl open(ChannelFactory provider) throws IOException {
        LinuxSyscalls sys = provider.syscalls();
        try {
            int fd = sys.socket(LinuxUapi.AF_UNIX,
                    LinuxUapi.SOCK_STREAM | LinuxUapi.SOCK_NONBLOCK | LinuxUapi.SOCK_CLOEXEC, 0);
            return new UnixServerSocketChannelImpl(provider, sys, fd);
        } catch (ErrnoException e) {
            throw NioExceptions.socket(e);
        }
    }

    /** The channel of a socket that is already bound and listening (inherited). */
    public static UnixServerSocketChannelImpl bound(ChannelFactory provider, LinuxSyscalls sys,
            int fd, SocketAddress local) {
        UnixServerSocketChannelImpl ssc = new UnixServerSocketChannelImpl(provider, sys, fd);
        ssc.listener.bound(local);
        return ssc;
    }

    /** The shared state machine (for inherited channels). */
    public ListeningSocket listeningSocket() {
        return listener;
    }

    @Override
    public UnixServerSocketChannelImpl bind(SocketAddress local, int backlog) throws IOException {
        listener.bind(local, backlog);
        return this;
    }

    @Override
    public SocketChannel accept() throws IOException {
        return listener.accept(this::acceptedChannel);
    }

    private SocketChannel acceptedChannel(int fd, SocketAddress local, SocketAddress remote) {
        return UnixSocketChannelImpl.connected(provider, sys, fd, local, remote);
    }

    @Override
    public SocketAddress getLocalAddress() throws IOException {
        return listener.getLocalAddress();
    }

    /**
     * Throws {@link UnsupportedOperationException}, as the JDK's UNIX-domain channels do: a
     * {@link ServerSocket} has no UNIX-domain addresses.
     */
    @Override
    public ServerSocket socket() {
        throw new UnsupportedOperationException("Not supported: a UNIX-domain"
                + " ServerSocketChannel has no java.net.ServerSocket adaptor");
    }

    @Override
    public Set<SocketOption<?>> supportedOptions() {
        return SUPPORTED;
    }

    @Override
    public <T> UnixServerSocketChannelImpl setOption(SocketOption<T> name, T value)
            throws IOException {
        UnixSocketOptions.checkSet(name, value, SUPPORTED);
        listener.descriptor().withOpenState(() -> {
            options.set(name, value);
            return null;
        });
        return this;
    }

    @Override
    public <T> T getOption(SocketOption<T> name) throws IOException {
        UnixSocketOptions.checkGet(name, SUPPORTED);
        return name.type().cast(listener.descriptor().withOpenState(() -> options.get(name)));
    }

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
        return listener.describe(ServerSocketChannel.class.getName());
    }
}
