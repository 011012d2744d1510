package io.mptcp.nio.internal.stream;

import io.mptcp.ffi.ErrnoException;
import io.mptcp.ffi.LinuxSyscalls;
import io.mptcp.ffi.LinuxUapi;
import io.mptcp.nio.MptcpSocketChannel;
import io.mptcp.nio.internal.ChannelFactory;
import io.mptcp.nio.internal.fd.NioExceptions;
import io.mptcp.nio.internal.options.NativeSocketOptions;
import io.mptcp.nio.internal.options.UnixSocketOptions;
import io.mptcp.nio.internal.fd.ChannelOwner;
import io.mptcp.nio.internal.select.NativeChannel;

import java.io.IOException;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketOption;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.Objects;
import java.util.Set;

/**
 * The UNIX-domain socket channel ({@code SocketChannel.open(StandardProtocolFamily.UNIX)}),
 * with {@link UnixDomainSocketAddress}es: the JDK's socket channel state machine
 * ({@link StreamSocket}, shared with the INET channel) over an {@code AF_UNIX} stream socket.
 *
 * <p>As in the JDK: an unbound client reports no local address until it connects, then the
 * empty (unnamed) path; {@code bind(null)} leaves it unnamed; {@link #socket()} throws
 * {@link UnsupportedOperationException}; the options are {@code SO_SNDBUF}, {@code SO_RCVBUF},
 * {@code SO_LINGER} and {@code jdk.net.ExtendedSocketOptions.SO_PEERCRED}. It is not an
 * {@link MptcpSocketChannel}: MPTCP is for INET sockets only.
 */
public final class UnixSocketChannelImpl extends SocketChannel implements NativeChannel {
    private static final Set<SocketOption<?>> SUPPORTED = UnixSocketOptions.socketOptions();

    private final LinuxSyscalls sys;
    private final NativeSocketOptions options;
    private final StreamSocket socket;

    private UnixSocketChannelImpl(ChannelFactory provider, LinuxSyscalls sys, int fd) {
        super(provider.provider());
        this.sys = sys;
        this.options = new NativeSocketOptions(sys, fd, LinuxUapi.AF_UNIX, false, 0);
        ChannelOwner owner = new ChannelOwner(this, this::begin, this::end);
        this.socket = new StreamSocket(owner, sys, fd, UnixStreamFamily.INSTANCE, options);
    }

    /** A new unconnected channel. */
    public static UnixSocketChannelImpl open(ChannelFactory provider) throws IOException {
        LinuxSyscalls sys = provider.syscalls();
        try {
            int fd = sys.socket(LinuxUapi.AF_UNIX,
                    LinuxUapi.SOCK_STREAM | LinuxUapi.SOCK_NONBLOCK | LinuxUapi.SOCK_CLOEXEC, 0);
            return new UnixSocketChannelImpl(provider, sys, fd);
        } catch (ErrnoException e) {
            throw NioExceptions.socket(e);
        }
    }

    /**
     * The channel of a connection that already exists (accepted, or inherited), its descriptor
     * in blocking mode; it starts in blocking mode, as the JDK's accepted channels do.
     */
    public static UnixSocketChannelImpl connected(ChannelFactory provider, LinuxSyscalls sys,
            int fd, SocketAddress local, SocketAddress remote) {
        UnixSocketChannelImpl sc = new UnixSocketChannelImpl(provider, sys, fd);
        sc.socket.connected(local, remote);
        return sc;
    }

    /** The shared state machine (for inherited channels). */
    public StreamSocket streamSocket() {
        return socket;
    }

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
    public boolean connect(SocketAddress remote) throws IOException {
        return socket.connect(remote);
    }

    @Override
    public boolean finishConnect() throws IOException {
        return socket.finishConnect();
    }

    @Override
    public UnixSocketChannelImpl bind(SocketAddress local) throws IOException {
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

    @Override
    public UnixSocketChannelImpl shutdownInput() throws IOException {
        socket.shutdown(StreamSocket.Direction.INPUT);
        return this;
    }

    @Override
    public UnixSocketChannelImpl shutdownOutput() throws IOException {
        socket.shutdown(StreamSocket.Direction.OUTPUT);
        return this;
    }

    @Override
    public boolean isConnected() {
        return socket.isConnected();
    }

    @Override
    public boolean isConnectionPending() {
        return socket.isConnectionPending();
    }

    /**
     * Throws {@link UnsupportedOperationException}, as the JDK's UNIX-domain channels do: a
     * {@link Socket} has no UNIX-domain addresses.
     */
    @Override
    public Socket socket() {
        throw new UnsupportedOperationException("Not supported: a UNIX-domain SocketChannel"
                + " has no java.net.Socket adaptor");
    }

    // ---- options ------------------------------------------------------------------------

    @Override
    public Set<SocketOption<?>> supportedOptions() {
        return SUPPORTED;
    }

    @Override
    public <T> UnixSocketChannelImpl setOption(SocketOption<T> name, T value)
            throws IOException {
        UnixSocketOptions.checkSet(name, value, SUPPORTED);
        socket.descriptor().withOpenState(() -> {
            options.set(name, value);
            return null;
        });
        return this;
    }

    @Override
    public <T> T getOption(SocketOption<T> name) throws IOException {
        UnixSocketOptions.checkGet(name, SUPPORTED);
        return name.type().cast(socket.descriptor().withOpenState(
                () -> UnixSocketOptions.get(sys, socket.fd(), options, name)));
    }

    // ---- blocking mode, close, selector support ---------------------------------------------

    @Override
    protected void implConfigureBlocking(boolean block) throws IOException {
        socket.configureBlocking(block);
    }

    @Override
    protected void implCloseSelectableChannel() throws IOException {
        socket.descriptor().close();
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
        return socket.describe(SocketChannel.class.getName());
    }
}
