package io.mptcp.nio.internal.socket;

import io.mptcp.nio.MptcpServerSocketChannel;
import io.mptcp.nio.MptcpSocketChannel;
import io.mptcp.nio.internal.ChannelFactory;
import io.mptcp.nio.internal.net.Net;
import io.mptcp.nio.internal.stream.ServerSocketChannelImpl;

import java.io.FileDescriptor;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.SocketImpl;
import java.net.SocketOption;
import java.net.SocketOptions;
import java.net.StandardSocketOptions;
import java.util.HashSet;
import java.util.Objects;
import java.util.Set;

/**
 * The {@link SocketImpl} of a {@code java.net.ServerSocket}, with the semantics of the JDK's
 * {@code NioSocketImpl(true)}, over one of our {@link MptcpServerSocketChannel}s (MPTCP by the
 * same policy as the channels). Accepted connections go into the {@link MptcpSocketImpl} that
 * {@code ServerSocket.accept} got from the client factory.
 *
 * <p>A channel binds and listens in one call, a {@code SocketImpl} in two ({@code bind}, then
 * {@code listen} with the backlog); {@code ServerSocket.bind} makes both calls together, so the
 * address is kept at {@code bind} and the channel bound at {@code listen}.
 */
public final class MptcpServerSocketImpl extends SocketImpl {

    // The JDK's ServerSocket supports IP_TOS "for compatibility" (NioSocketImpl), our listening
    // channel does not, as the JDK's channel does not: the value is kept here and set on each
    // accepted connection, which Linux would otherwise have copied from the listener (only the
    // SYN-ACK goes out with the old value).
    private static final Set<SocketOption<?>> SUPPORTED = supported();

    private final ChannelFactory channels;
    private volatile Integer trafficClass;

    // Guarded by this.
    private MptcpServerSocketChannel channel;
    private ServerSocket adaptor;
    private InetSocketAddress bindAddress;
    private boolean closed;

    /** A new impl, as {@code ServerSocket}'s factory hands it out. */
    public MptcpServerSocketImpl(ChannelFactory channels) {
        this.channels = Objects.requireNonNull(channels, "channels");
    }

    private static Set<SocketOption<?>> supported() {
        Set<SocketOption<?>> all =
                new HashSet<>(io.mptcp.nio.internal.options.SocketOptions.serverChannelOptions());
        all.add(StandardSocketOptions.IP_TOS);
        return Set.copyOf(all);
    }

    @Override
    protected void create(boolean stream) throws IOException {
        if (!stream) {
            throw new IOException("Datagram socket creation not supported");
        }
        synchronized (this) {
            if (channel != null || closed) {
                throw new IOException("Already created");
            }
            channel = channels.openServerSocketChannel(null);
            if (channel instanceof ServerSocketChannelImpl impl) {
                impl.interruptibleOnVirtualThreadsOnly();
            }
            adaptor = channel.socket();
            fd = new FileDescriptor();
        }
    }

    private synchronized MptcpServerSocketChannel openChannel() throws SocketException {
        if (channel == null && !closed) {
            throw new SocketException("Socket not created");
        }
        if (closed || !channel.isOpen()) {
            throw new SocketException("Socket closed");
        }
        return channel;
    }

    @Override
    protected void close() throws IOException {
        MptcpServerSocketChannel ch;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            ch = channel;
        }
        if (ch != null) {
            ch.close();
        }
    }

    @Override
    protected void bind(InetAddress host, int port) throws IOException {
        openChannel();
        synchronized (this) {
            if (bindAddress != null) {
                throw new SocketException("Already bound");
            }
            bindAddress = new InetSocketAddress(host, port);
            address = host;
        }
    }

    @Override
    protected void listen(int backlog) throws IOException {
        MptcpServerSocketChannel ch = openChannel();
        synchronized (this) {
            if (bindAddress == null) {
                throw new SocketException("Not bound");
            }
            try {
                ch.bind(bindAddress, backlog < 1 ? 50 : backlog);
            } catch (Exception e) {
                throw Net.translate(e, false);
            }
            localport = ((InetSocketAddress) ch.getLocalAddress()).getPort();
        }
    }

    @Override
    protected void accept(SocketImpl s) throws IOException {
        if (!(s instanceof MptcpSocketImpl target)) {
            throw new SocketException("accept: the Socket's SocketImpl is a "
                    + (s == null ? "null" : s.getClass().getName()) + ", not mptcp-nio's; with"
                    + " mptcp-nio's ServerSocket factory, install its Socket factory too"
                    + " (MptcpSockets.install())");
        }
        ServerSocket a;
        synchronized (this) {
            openChannel();
            if (localport == 0) {
                throw new SocketException("Not bound");
            }
            a = adaptor;
        }
        Socket accepted;
        try {
            accepted = a.accept();
        } catch (IOException e) {
            throw SocketImplErrors.io(e);
        }
        MptcpSocketChannel ch = (MptcpSocketChannel) accepted.getChannel();
        Integer tc = trafficClass;
        if (tc != null) {
            try {
                ch.setOption(StandardSocketOptions.IP_TOS, tc);
            } catch (IOException | RuntimeException e) {
                ch.close();
                throw SocketImplErrors.io(e instanceof IOException io ? io
                        : SocketImplErrors.socket(e));
            }
        }
        target.attach(ch);
    }

    @Override
    protected void connect(String host, int port) throws IOException {
        throw notConnectable();
    }

    @Override
    protected void connect(InetAddress address, int port) throws IOException {
        throw notConnectable();
    }

    @Override
    protected void connect(SocketAddress address, int timeout) throws IOException {
        throw notConnectable();
    }

    private static SocketException notConnectable() {
        return new SocketException("connect: a ServerSocket's SocketImpl cannot connect");
    }

    private static SocketException notConnected() {
        return new SocketException("Not connected");
    }

    @Override
    protected InputStream getInputStream() throws IOException {
        throw notConnected();
    }

    @Override
    protected OutputStream getOutputStream() throws IOException {
        throw notConnected();
    }

    @Override
    protected int available() throws IOException {
        throw notConnected();
    }

    @Override
    protected void shutdownInput() throws IOException {
        throw notConnected();
    }

    @Override
    protected void shutdownOutput() throws IOException {
        throw notConnected();
    }

    @Override
    protected void sendUrgentData(int data) throws IOException {
        throw notConnected();
    }

    // ---- options ----------------------------------------------------------------------------

    @Override
    public void setOption(int opt, Object value) throws SocketException {
        MptcpServerSocketChannel ch = openChannel();
        if (opt == SocketOptions.SO_TIMEOUT) {
            if (!(value instanceof Integer timeout)) {
                throw new SocketException("Bad value for SO_TIMEOUT");
            }
            if (timeout < 0) {
                throw new SocketException("timeout < 0");
            }
            adaptor().setSoTimeout(timeout);
            return;
        }
        if (opt == SocketOptions.IP_TOS) {
            if (!(value instanceof Integer tc)) {
                throw new SocketException("Bad value for IP_TOS");
            }
            setTrafficClass(tc);
            return;
        }
        LegacyOptions.set(ch, opt, value);
    }

    @Override
    public Object getOption(int opt) throws SocketException {
        MptcpServerSocketChannel ch = openChannel();
        if (opt == SocketOptions.SO_TIMEOUT) {
            try {
                return adaptor().getSoTimeout();
            } catch (IOException e) {
                throw SocketImplErrors.socket(e);
            }
        }
        if (opt == SocketOptions.IP_TOS) {
            return trafficClassValue();
        }
        return LegacyOptions.get(ch, opt);
    }

    private void setTrafficClass(int tc) throws SocketException {
        if (tc < 0 || tc > 255) {
            throw new SocketException("Invalid IP_TOS value");
        }
        trafficClass = tc;
    }

    private int trafficClassValue() {
        Integer tc = trafficClass;
        return tc == null ? 0 : tc;
    }

    private synchronized ServerSocket adaptor() {
        return adaptor;
    }

    @Override
    protected Set<SocketOption<?>> supportedOptions() {
        return SUPPORTED;
    }

    @Override
    protected <T> void setOption(SocketOption<T> opt, T value) throws IOException {
        if (!supportedOptions().contains(opt)) {
            throw new UnsupportedOperationException("'" + opt + "' not supported");
        }
        LegacyOptions.checkValue(opt, value);
        MptcpServerSocketChannel ch = openChannel();
        if (opt == StandardSocketOptions.IP_TOS) {
            int tc = (Integer) value;
            if (tc < 0 || tc > 255) {
                throw new IllegalArgumentException("Invalid IP_TOS value");
            }
            trafficClass = tc;
            return;
        }
        try {
            ch.setOption(opt, value);
        } catch (IOException e) {
            throw SocketImplErrors.io(e);
        }
    }

    @Override
    protected <T> T getOption(SocketOption<T> opt) throws IOException {
        if (!supportedOptions().contains(opt)) {
            throw new UnsupportedOperationException("'" + opt + "' not supported");
        }
        MptcpServerSocketChannel ch = openChannel();
        if (opt == StandardSocketOptions.IP_TOS) {
            return opt.type().cast(trafficClassValue());
        }
        try {
            return ch.getOption(opt);
        } catch (IOException e) {
            throw SocketImplErrors.io(e);
        }
    }
}
