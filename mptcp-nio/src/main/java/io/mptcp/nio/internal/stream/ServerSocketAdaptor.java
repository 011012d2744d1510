package io.mptcp.nio.internal.stream;

import io.mptcp.nio.MptcpSocketChannel;
import io.mptcp.nio.internal.net.Net;
import io.mptcp.nio.internal.net.SecurityChecks;

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
import java.net.StandardSocketOptions;
import java.nio.channels.IllegalBlockingModeException;
import java.nio.channels.ServerSocketChannel;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * {@link ServerSocketChannelImpl#socket()}: the channel seen as a {@link ServerSocket}, with the
 * JDK's {@code ServerSocketAdaptor} semantics. Every public method is overridden, so the inert
 * {@link NoSocketImpl} the superclass insists on is never used.
 */
final class ServerSocketAdaptor extends ServerSocket {
    private final ServerSocketChannelImpl ssc;
    // Accept timeout in milliseconds; 0 = none.
    private volatile int timeout;

    private ServerSocketAdaptor(ServerSocketChannelImpl ssc) {
        super(new NoSocketImpl());
        this.ssc = ssc;
    }

    static ServerSocket create(ServerSocketChannelImpl ssc) {
        return new ServerSocketAdaptor(ssc);
    }

    @Override
    public void bind(SocketAddress local) throws IOException {
        bind(local, 50);
    }

    @Override
    public void bind(SocketAddress local, int backlog) throws IOException {
        if (local == null) {
            local = new InetSocketAddress(0);
        }
        try {
            ssc.bind(local, backlog);
        } catch (Exception e) {
            throw Net.translate(e, false);
        }
    }

    @Override
    public InetAddress getInetAddress() {
        InetSocketAddress local = ssc.localAddress();
        return local == null ? null : SecurityChecks.revealed(local).getAddress();
    }

    @Override
    public int getLocalPort() {
        InetSocketAddress local = ssc.localAddress();
        return local == null ? -1 : local.getPort();
    }

    @Override
    public SocketAddress getLocalSocketAddress() {
        return ssc.localAddress();
    }

    @Override
    public Socket accept() throws IOException {
        MptcpSocketChannel sc;
        try {
            int millis = timeout;
            if (millis > 0) {
                sc = ssc.blockingAccept(TimeUnit.MILLISECONDS.toNanos(millis));
            } else {
                // Non-blocking without a pending connection: the JDK's long-standing behaviour.
                sc = ssc.accept();
                if (sc == null) {
                    throw new IllegalBlockingModeException();
                }
            }
        } catch (Exception e) {
            throw Net.translate(e, false);
        }
        return sc.socket();
    }

    @Override
    public void close() throws IOException {
        ssc.close();
    }

    @Override
    public ServerSocketChannel getChannel() {
        return ssc;
    }

    @Override
    public boolean isBound() {
        return ssc.isBound();
    }

    @Override
    public boolean isClosed() {
        return !ssc.isOpen();
    }

    @Override
    public void setSoTimeout(int timeout) throws SocketException {
        if (!ssc.isOpen()) {
            throw new SocketException("Socket is closed");
        }
        if (timeout < 0) {
            throw new IllegalArgumentException("timeout < 0");
        }
        this.timeout = timeout;
    }

    @Override
    public int getSoTimeout() throws SocketException {
        if (!ssc.isOpen()) {
            throw new SocketException("Socket is closed");
        }
        return timeout;
    }

    @Override
    public void setReuseAddress(boolean on) throws SocketException {
        Net.setOption(ssc, StandardSocketOptions.SO_REUSEADDR, on);
    }

    @Override
    public boolean getReuseAddress() throws SocketException {
        return Net.getOption(ssc, StandardSocketOptions.SO_REUSEADDR);
    }

    @Override
    public String toString() {
        if (!isBound()) {
            return "ServerSocket[unbound]";
        }
        return "ServerSocket[addr=" + getInetAddress() + ",localport=" + getLocalPort() + "]";
    }

    @Override
    public void setReceiveBufferSize(int size) throws SocketException {
        if (size <= 0) {
            throw new IllegalArgumentException("size cannot be 0 or negative");
        }
        Net.setOption(ssc, StandardSocketOptions.SO_RCVBUF, size);
    }

    @Override
    public int getReceiveBufferSize() throws SocketException {
        return Net.getOption(ssc, StandardSocketOptions.SO_RCVBUF);
    }

    @Override
    public <T> ServerSocket setOption(SocketOption<T> name, T value) throws IOException {
        ssc.setOption(name, value);
        return this;
    }

    @Override
    public <T> T getOption(SocketOption<T> name) throws IOException {
        return ssc.getOption(name);
    }

    @Override
    public Set<SocketOption<?>> supportedOptions() {
        return ssc.supportedOptions();
    }

    /**
     * {@code ServerSocket(SocketImpl)} refuses null; this impl only fills the slot. Every
     * method of the adaptor is overridden, so none of these is ever called.
     */
    private static final class NoSocketImpl extends SocketImpl {
        private static IOException unused() {
            return new SocketException("ServerSocketAdaptor has no SocketImpl");
        }

        @Override
        protected void create(boolean stream) throws IOException {
            throw unused();
        }

        @Override
        protected void connect(String host, int port) throws IOException {
            throw unused();
        }

        @Override
        protected void connect(InetAddress address, int port) throws IOException {
            throw unused();
        }

        @Override
        protected void connect(SocketAddress address, int timeout) throws IOException {
            throw unused();
        }

        @Override
        protected void bind(InetAddress host, int port) throws IOException {
            throw unused();
        }

        @Override
        protected void listen(int backlog) throws IOException {
            throw unused();
        }

        @Override
        protected void accept(SocketImpl s) throws IOException {
            throw unused();
        }

        @Override
        protected InputStream getInputStream() throws IOException {
            throw unused();
        }

        @Override
        protected OutputStream getOutputStream() throws IOException {
            throw unused();
        }

        @Override
        protected int available() throws IOException {
            throw unused();
        }

        @Override
        protected void close() {
            // Nothing was opened.
        }

        @Override
        protected void sendUrgentData(int data) throws IOException {
            throw unused();
        }

        @Override
        public void setOption(int optID, Object value) throws SocketException {
            throw new SocketException("ServerSocketAdaptor has no SocketImpl");
        }

        @Override
        public Object getOption(int optID) throws SocketException {
            throw new SocketException("ServerSocketAdaptor has no SocketImpl");
        }

        @Override
        protected FileDescriptor getFileDescriptor() {
            return null;
        }
    }
}
