package io.mptcp.nio.internal.socket;

import io.mptcp.nio.MptcpSocketChannel;
import io.mptcp.nio.internal.ChannelFactory;
import io.mptcp.nio.internal.net.Net;
import io.mptcp.nio.internal.options.SocketOptionTable;
import io.mptcp.nio.internal.stream.SocketChannelImpl;

import java.io.FileDescriptor;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.SocketImpl;
import java.net.SocketOption;
import java.net.SocketOptions;
import java.net.UnknownHostException;
import java.nio.channels.ClosedChannelException;
import java.util.HashSet;
import java.util.Objects;
import java.util.Set;

/**
 * The {@link SocketImpl} of a client (connecting or accepted) {@code java.net.Socket}, with the
 * semantics of the JDK's {@code sun.nio.ch.NioSocketImpl}, over one of our
 * {@link MptcpSocketChannel}s: the socket is MPTCP or TCP by the same policy
 * ({@code io.mptcp.nio.mode}, {@code io.mptcp.nio.strict}), with the same fallback and option
 * tolerance, and {@code MPTCP_ENABLED} and the other MPTCP options are readable through
 * {@code Socket.getOption}.
 *
 * <p>The blocking work (connect and read with timeouts, writing everything, urgent data,
 * parking a virtual thread) is the channel's {@code socket()} adaptor's, which already has the
 * JDK's adaptor semantics; this class adds what a {@code SocketImpl} has and the adaptor has
 * not: the protected fields {@code Socket} reads ({@code address}, {@code port},
 * {@code localport}), the integer option IDs, and {@code NioSocketImpl}'s exceptions.
 */
public final class MptcpSocketImpl extends SocketImpl {

    private static final Set<SocketOption<?>> SUPPORTED = supported();

    private final ChannelFactory channels;

    // Guarded by this: null until create() (or an accept attached one).
    private MptcpSocketChannel channel;
    private Socket adaptor;
    private InputStream in;
    private OutputStream out;
    private boolean closed;
    // Read with the channel's read lock held by the adaptor; -1 once, -1 always, as the JDK's.
    private volatile boolean readEof;

    /** A new impl, as {@code SocketImplFactory.createSocketImpl()} hands it to a Socket. */
    public MptcpSocketImpl(ChannelFactory channels) {
        this.channels = Objects.requireNonNull(channels, "channels");
    }

    private static Set<SocketOption<?>> supported() {
        Set<SocketOption<?>> all =
                new HashSet<>(io.mptcp.nio.internal.options.SocketOptions.socketChannelOptions());
        // Internal to the adaptor (the int option SO_OOBINLINE), not a SocketOption of Socket.
        all.remove(SocketOptionTable.SO_OOBINLINE);
        return Set.copyOf(all);
    }

    // ---- life cycle -------------------------------------------------------------------------

    @Override
    protected void create(boolean stream) throws IOException {
        if (!stream) {
            throw new IOException("Datagram socket creation not supported");
        }
        synchronized (this) {
            if (channel != null || closed) {
                throw new IOException("Already created");
            }
            MptcpSocketChannel ch = channels.openSocketChannel(null);
            attachLocked(ch);
        }
    }

    /** Takes an accepted connection: {@code ServerSocket.accept} with our server impl. */
    void attach(MptcpSocketChannel accepted) throws IOException {
        synchronized (this) {
            if (channel != null || closed) {
                accepted.close();
                throw new SocketException("Not a newly created SocketImpl");
            }
            attachLocked(accepted);
            openStreamsLocked();
            InetSocketAddress remote = (InetSocketAddress) accepted.getRemoteAddress();
            InetSocketAddress local = (InetSocketAddress) accepted.getLocalAddress();
            address = remote.getAddress();
            port = remote.getPort();
            localport = local.getPort();
        }
    }

    private void attachLocked(MptcpSocketChannel ch) {
        if (ch instanceof SocketChannelImpl impl) {
            impl.interruptibleOnVirtualThreadsOnly();
            impl.nonBlockingOnceTimed();
        }
        channel = ch;
        adaptor = ch.socket();
        // Socket and custom-impl callers expect a FileDescriptor object; the descriptor number
        // stays the channel's (FileDescriptor cannot be given one without JDK internals).
        fd = new FileDescriptor();
    }

    private synchronized MptcpSocketChannel openChannel() throws SocketException {
        if (channel == null && !closed) {
            throw new SocketException("Socket not created");
        }
        if (closed || !channel.isOpen()) {
            throw new SocketException("Socket closed");
        }
        return channel;
    }

    private synchronized Socket openAdaptor() throws SocketException {
        openChannel();
        return adaptor;
    }

    private synchronized Socket connectedAdaptor() throws SocketException {
        if (closed || (channel != null && !channel.isOpen())) {
            throw new SocketException("Socket closed");
        }
        if (channel == null || !channel.isConnected()) {
            throw new SocketException("Not connected");
        }
        return adaptor;
    }

    @Override
    protected void close() throws IOException {
        MptcpSocketChannel ch;
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

    // ---- connect, bind ---------------------------------------------------------------------

    @Override
    protected void connect(String host, int port) throws IOException {
        connect(new InetSocketAddress(host, port), 0);
    }

    @Override
    protected void connect(InetAddress address, int port) throws IOException {
        connect(new InetSocketAddress(address, port), 0);
    }

    @Override
    protected void connect(SocketAddress remote, int millis) throws IOException {
        if (!(remote instanceof InetSocketAddress isa)) {
            throw new IOException("Unsupported address type");
        }
        if (isa.isUnresolved()) {
            throw new UnknownHostException(isa.getHostName());
        }
        InetAddress target = isa.getAddress();
        if (target.isAnyLocalAddress()) {
            target = InetAddress.getLocalHost();
        }
        int remotePort = isa.getPort();
        Socket a;
        synchronized (this) {
            if (channel == null && !closed) {
                throw new SocketException("Not created");
            }
            if (closed || !channel.isOpen()) {
                throw new SocketException("Socket closed");
            }
            if (channel.isConnectionPending()) {
                throw new SocketException("Connection in progress");
            }
            if (channel.isConnected()) {
                throw new SocketException("Already connected");
            }
            a = adaptor;
        }
        try {
            ProxyCheck.refuseSocks(isa);
            a.connect(new InetSocketAddress(target, remotePort), millis);
        } catch (IOException e) {
            close();
            throw e instanceof ClosedChannelException ? SocketImplErrors.io(e) : e;
        }
        synchronized (this) {
            address = target;
            port = remotePort;
            localport = a.getLocalPort();
            openStreamsLocked();
        }
    }

    @Override
    protected void bind(InetAddress host, int port) throws IOException {
        MptcpSocketChannel ch = openChannel();
        synchronized (this) {
            if (localport != 0) {
                throw new SocketException("Already bound");
            }
            try {
                ch.bind(new InetSocketAddress(host, port));
            } catch (Exception e) {
                throw Net.translate(e, false);
            }
            // As the JDK's: the address asked for, the port the kernel chose.
            address = host;
            localport = ((InetSocketAddress) ch.getLocalAddress()).getPort();
        }
    }

    @Override
    protected void listen(int backlog) throws IOException {
        throw new SocketException("listen: a client socket's SocketImpl cannot listen;"
                + " ServerSocket takes its impl from ServerSocket.setSocketFactory");
    }

    @Override
    protected void accept(SocketImpl s) throws IOException {
        throw new SocketException("accept: a client socket's SocketImpl cannot accept;"
                + " ServerSocket takes its impl from ServerSocket.setSocketFactory");
    }

    // ---- streams ----------------------------------------------------------------------------

    @Override
    protected InputStream getInputStream() throws IOException {
        return new InputStream() {
            @Override
            public int read() throws IOException {
                byte[] a = new byte[1];
                int n = read(a, 0, 1);
                return n > 0 ? a[0] & 0xff : -1;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                return MptcpSocketImpl.this.read(b, off, len);
            }

            @Override
            public int available() throws IOException {
                return MptcpSocketImpl.this.available();
            }

            @Override
            public void close() throws IOException {
                MptcpSocketImpl.this.close();
            }
        };
    }

    @Override
    protected OutputStream getOutputStream() throws IOException {
        return new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                MptcpSocketImpl.this.write(b, off, len);
            }

            @Override
            public void close() throws IOException {
                MptcpSocketImpl.this.close();
            }
        };
    }

    private int read(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        if (len == 0) {
            return 0;
        }
        // The JDK's legacy behaviour: end of stream again, even once the socket is closed.
        if (readEof) {
            return -1;
        }
        try {
            int n = input().read(b, off, len);
            if (n == -1) {
                readEof = true;
            }
            return n;
        } catch (IOException e) {
            throw SocketImplErrors.io(e);
        }
    }

    @Override
    protected int available() throws IOException {
        try {
            return input().available();
        } catch (IOException e) {
            throw SocketImplErrors.io(e);
        }
    }

    private void write(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        if (len == 0) {
            return;
        }
        try {
            output().write(b, off, len);
        } catch (IOException e) {
            throw SocketImplErrors.io(e);
        }
    }

    /**
     * Takes the adaptor's streams once connected: the adaptor refuses a stream after a
     * shutdown, and the JDK's impl still reads end of stream there.
     */
    private void openStreamsLocked() throws IOException {
        in = adaptor.getInputStream();
        out = adaptor.getOutputStream();
    }

    private synchronized InputStream input() throws IOException {
        connectedAdaptor();
        return in;
    }

    private synchronized OutputStream output() throws IOException {
        connectedAdaptor();
        return out;
    }

    @Override
    protected void shutdownInput() throws IOException {
        Socket a = connectedAdaptor();
        if (!a.isInputShutdown()) {
            try {
                a.shutdownInput();
            } catch (IOException e) {
                throw SocketImplErrors.io(e);
            }
        }
    }

    @Override
    protected void shutdownOutput() throws IOException {
        Socket a = connectedAdaptor();
        if (!a.isOutputShutdown()) {
            try {
                a.shutdownOutput();
            } catch (IOException e) {
                throw SocketImplErrors.io(e);
            }
        }
    }

    @Override
    protected boolean supportsUrgentData() {
        return true;
    }

    /**
     * One byte with {@code MSG_OOB}, as the adaptor sends it: on an MPTCP socket it fails with
     * the adaptor's message (the kernel does not carry urgent data over MPTCP).
     */
    @Override
    protected void sendUrgentData(int data) throws IOException {
        Socket a = connectedAdaptor();
        try {
            a.sendUrgentData(data);
        } catch (SocketException e) {
            throw e;
        } catch (IOException e) {
            if ("Socket buffer full".equals(e.getMessage())) {
                SocketException se = new SocketException("No buffer space available");
                se.initCause(e);
                throw se;
            }
            throw SocketImplErrors.io(e);
        }
    }

    // ---- options ----------------------------------------------------------------------------

    @Override
    public void setOption(int opt, Object value) throws SocketException {
        Socket a = openAdaptor();
        if (opt == SocketOptions.SO_TIMEOUT) {
            if (!(value instanceof Integer timeout)) {
                throw new SocketException("Bad value for SO_TIMEOUT");
            }
            if (timeout < 0) {
                throw new SocketException("timeout < 0");
            }
            a.setSoTimeout(timeout);
            return;
        }
        LegacyOptions.set(channel, opt, value);
    }

    @Override
    public Object getOption(int opt) throws SocketException {
        Socket a = openAdaptor();
        if (opt == SocketOptions.SO_TIMEOUT) {
            return a.getSoTimeout();
        }
        return LegacyOptions.get(channel, opt);
    }

    @Override
    protected Set<SocketOption<?>> supportedOptions() {
        return SUPPORTED;
    }

    @Override
    protected <T> void setOption(SocketOption<T> opt, T value) throws IOException {
        if (!SUPPORTED.contains(opt)) {
            throw new UnsupportedOperationException("'" + opt + "' not supported");
        }
        LegacyOptions.checkValue(opt, value);
        MptcpSocketChannel ch = openChannel();
        try {
            ch.setOption(opt, value);
        } catch (IOException e) {
            throw SocketImplErrors.io(e);
        }
    }

    @Override
    protected <T> T getOption(SocketOption<T> opt) throws IOException {
        if (!SUPPORTED.contains(opt)) {
            throw new UnsupportedOperationException("'" + opt + "' not supported");
        }
        MptcpSocketChannel ch = openChannel();
        try {
            return ch.getOption(opt);
        } catch (IOException e) {
            throw SocketImplErrors.io(e);
        }
    }
}
