package io.mptcp.nio.internal.datagram;

import io.mptcp.nio.internal.fd.DirectBufferCache;
import io.mptcp.nio.internal.net.Net;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.DatagramSocketImpl;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.SocketOption;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.AlreadyConnectedException;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.nio.channels.MembershipKey;
import java.nio.channels.UnsupportedAddressTypeException;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * {@link DatagramChannelImpl#socket()}: the channel seen as a {@link DatagramSocket}, with the
 * JDK's {@code DatagramSocketAdaptor} semantics. Every public method of {@code DatagramSocket}
 * is overridden (in its order), so nothing reaches the placeholder {@code DatagramSocketImpl}
 * the superclass holds; {@code SO_TIMEOUT} is emulated for {@link #receive} as in the JDK.
 *
 * <p>The JDK's adaptor is a {@code java.net.MulticastSocket}; this one is a
 * {@code DatagramSocket}, because every public constructor of {@code MulticastSocket} opens a
 * socket of the JDK's own. The multicast methods {@code DatagramSocket} has (since 17),
 * {@code joinGroup} and {@code leaveGroup}, work as the JDK's.
 */
final class DatagramSocketAdaptor extends DatagramSocket {
    private final DatagramChannelImpl dc;
    // Receive timeout in milliseconds; 0 = none.
    private volatile int timeout;

    private DatagramSocketAdaptor(DatagramChannelImpl dc) {
        super(new NoDatagramSocketImpl());
        this.dc = dc;
    }

    static DatagramSocket create(DatagramChannelImpl dc) {
        return new DatagramSocketAdaptor(dc);
    }

    private void connectInternal(SocketAddress remote) throws SocketException {
        try {
            dc.connectForAdaptor(remote);
        } catch (ClosedChannelException e) {
            // As the JDK's: connecting a closed socket does nothing.
        } catch (Exception e) {
            throw Net.toSocketException(e);
        }
    }

    @Override
    public void bind(SocketAddress local) throws SocketException {
        SocketAddress address = local != null ? asInet(local) : new InetSocketAddress(0);
        try {
            dc.bind(address);
        } catch (Exception e) {
            throw Net.toSocketException(e);
        }
    }

    private static InetSocketAddress asInet(SocketAddress address) {
        if (!(address instanceof InetSocketAddress isa)) {
            throw new UnsupportedAddressTypeException();
        }
        return isa;
    }

    @Override
    public void connect(InetAddress address, int port) {
        if (address == null) {
            throw new IllegalArgumentException("Address can't be null");
        }
        try {
            connectInternal(new InetSocketAddress(address, port));
        } catch (SocketException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void connect(SocketAddress remote) throws SocketException {
        if (remote == null) {
            throw new IllegalArgumentException("Address can't be null");
        }
        connectInternal(asInet(remote));
    }

    @Override
    public void disconnect() {
        try {
            dc.disconnect();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public boolean isBound() {
        return dc.localAddress() != null;
    }

    @Override
    public boolean isConnected() {
        return dc.remoteAddress() != null;
    }

    @Override
    public InetAddress getInetAddress() {
        InetSocketAddress remote = dc.remoteAddress();
        return remote != null ? remote.getAddress() : null;
    }

    @Override
    public int getPort() {
        InetSocketAddress remote = dc.remoteAddress();
        return remote != null ? remote.getPort() : -1;
    }

    @Override
    public SocketAddress getRemoteSocketAddress() {
        return dc.remoteAddress();
    }

    @Override
    public SocketAddress getLocalSocketAddress() {
        return isClosed() ? null : dc.localAddress();
    }

    @Override
    public void send(DatagramPacket p) throws IOException {
        ByteBuffer bb = null;
        try {
            InetSocketAddress target;
            synchronized (p) {
                int len = p.getLength();
                bb = DirectBufferCache.acquire(len);
                bb.put(p.getData(), p.getOffset(), len).flip();
                if (p.getAddress() == null) {
                    InetSocketAddress remote = dc.remoteAddress();
                    if (remote == null) {
                        throw new IllegalArgumentException("Address not set");
                    }
                    // As DatagramSocket always did: the packet learns where it went.
                    p.setAddress(remote.getAddress());
                    p.setPort(remote.getPort());
                    target = remote;
                } else {
                    target = (InetSocketAddress) p.getSocketAddress();
                }
            }
            dc.blockingSend(bb, target);
        } catch (AlreadyConnectedException e) {
            throw new IllegalArgumentException("Connected and packet address differ");
        } catch (ClosedChannelException e) {
            throw closed(e);
        } finally {
            if (bb != null) {
                DirectBufferCache.release(bb);
            }
        }
    }

    @Override
    public void receive(DatagramPacket p) throws IOException {
        synchronized (p) {
            int bufLength = DatagramPacketLengths.bufLength(p);
            ByteBuffer bb = DirectBufferCache.acquire(bufLength);
            try {
                InetSocketAddress sender =
                        dc.blockingReceive(bb, TimeUnit.MILLISECONDS.toNanos(timeout));
                bb.flip();
                int len = Math.min(bb.limit(), bufLength);
                bb.get(p.getData(), p.getOffset(), len);
                DatagramPacketLengths.received(p, len, bufLength);
                p.setSocketAddress(sender);
            } catch (ClosedChannelException e) {
                // As JDK 25's: an interrupt stays a ClosedByInterruptException.
                if (e instanceof ClosedByInterruptException) {
                    throw e;
                }
                throw closed(e);
            } finally {
                DirectBufferCache.release(bb);
            }
        }
    }

    private static SocketException closed(ClosedChannelException e) {
        SocketException x = new SocketException("Socket closed");
        x.initCause(e);
        return x;
    }

    @Override
    public InetAddress getLocalAddress() {
        if (isClosed()) {
            return null;
        }
        InetSocketAddress local = dc.localAddress();
        return local != null ? local.getAddress() : new InetSocketAddress(0).getAddress();
    }

    @Override
    public int getLocalPort() {
        if (isClosed()) {
            return -1;
        }
        InetSocketAddress local = dc.localAddress();
        return local != null ? local.getPort() : 0;
    }

    @Override
    public void setSoTimeout(int timeout) throws SocketException {
        if (isClosed()) {
            throw new SocketException("Socket is closed");
        }
        if (timeout < 0) {
            throw new IllegalArgumentException("timeout < 0");
        }
        this.timeout = timeout;
    }

    @Override
    public int getSoTimeout() throws SocketException {
        if (isClosed()) {
            throw new SocketException("Socket is closed");
        }
        return timeout;
    }

    @Override
    public void setSendBufferSize(int size) throws SocketException {
        if (size <= 0) {
            throw new IllegalArgumentException("Invalid send size");
        }
        Net.setOption(dc, StandardSocketOptions.SO_SNDBUF, size);
    }

    @Override
    public int getSendBufferSize() throws SocketException {
        return Net.getOption(dc, StandardSocketOptions.SO_SNDBUF);
    }

    @Override
    public void setReceiveBufferSize(int size) throws SocketException {
        if (size <= 0) {
            throw new IllegalArgumentException("Invalid receive size");
        }
        Net.setOption(dc, StandardSocketOptions.SO_RCVBUF, size);
    }

    @Override
    public int getReceiveBufferSize() throws SocketException {
        return Net.getOption(dc, StandardSocketOptions.SO_RCVBUF);
    }

    @Override
    public void setReuseAddress(boolean on) throws SocketException {
        Net.setOption(dc, StandardSocketOptions.SO_REUSEADDR, on);
    }

    @Override
    public boolean getReuseAddress() throws SocketException {
        return Net.getOption(dc, StandardSocketOptions.SO_REUSEADDR);
    }

    @Override
    public void setBroadcast(boolean on) throws SocketException {
        Net.setOption(dc, StandardSocketOptions.SO_BROADCAST, on);
    }

    @Override
    public boolean getBroadcast() throws SocketException {
        return Net.getOption(dc, StandardSocketOptions.SO_BROADCAST);
    }

    @Override
    public void setTrafficClass(int tc) throws SocketException {
        Net.setOption(dc, StandardSocketOptions.IP_TOS, tc);
    }

    @Override
    public int getTrafficClass() throws SocketException {
        return Net.getOption(dc, StandardSocketOptions.IP_TOS);
    }

    @Override
    public void close() {
        try {
            dc.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public boolean isClosed() {
        return !dc.isOpen();
    }

    @Override
    public DatagramChannel getChannel() {
        return dc;
    }

    @Override
    public <T> DatagramSocket setOption(SocketOption<T> name, T value) throws IOException {
        dc.setOption(name, value);
        return this;
    }

    @Override
    public <T> T getOption(SocketOption<T> name) throws IOException {
        return dc.getOption(name);
    }

    @Override
    public Set<SocketOption<?>> supportedOptions() {
        return dc.supportedOptions();
    }

    /**
     * Joins {@code mcastaddr} on {@code netIf}; without an interface, on the one set with
     * {@code IP_MULTICAST_IF}, else on the one the kernel chooses (as the JDK on Linux).
     */
    @Override
    public void joinGroup(SocketAddress mcastaddr, NetworkInterface netIf) throws IOException {
        InetAddress group = checkGroup(mcastaddr);
        NetworkInterface ni = netIf != null ? netIf : outgoingInterface();
        if (isClosed()) {
            throw new SocketException("Socket is closed");
        }
        synchronized (this) {
            if (dc.memberships().find(group, ni) != null) {
                throw new SocketException("Already a member of group");
            }
            dc.memberships().join(group, ni, null);
        }
    }

    @Override
    public void leaveGroup(SocketAddress mcastaddr, NetworkInterface netIf) throws IOException {
        InetAddress group = checkGroup(mcastaddr);
        NetworkInterface ni = netIf != null ? netIf : outgoingInterface();
        if (isClosed()) {
            throw new SocketException("Socket is closed");
        }
        synchronized (this) {
            MembershipKey key = dc.memberships().find(group, ni);
            if (key == null) {
                throw new SocketException("Not a member of group");
            }
            key.drop();
        }
    }

    /** The JDK's check of a group argument. */
    private static InetAddress checkGroup(SocketAddress mcastaddr) throws SocketException {
        if (!(mcastaddr instanceof InetSocketAddress addr)) {
            throw new IllegalArgumentException("Unsupported address type");
        }
        InetAddress group = addr.getAddress();
        if (group == null) {
            throw new IllegalArgumentException("Unresolved address");
        }
        if (!group.isMulticastAddress()) {
            throw new SocketException("Not a multicast address");
        }
        return group;
    }

    /** The {@code IP_MULTICAST_IF} interface, or null (any) when none is set. */
    private NetworkInterface outgoingInterface() throws SocketException {
        return Net.getOption(dc, StandardSocketOptions.IP_MULTICAST_IF);
    }

    /**
     * The {@code DatagramSocketImpl} the superclass needs to be constructed without opening a
     * socket of its own. The adaptor overrides every public method, so none of these runs.
     */
    private static final class NoDatagramSocketImpl extends DatagramSocketImpl {
        private static UnsupportedOperationException unused() {
            return new UnsupportedOperationException(
                    "DatagramSocketImpl of an mptcp-nio adaptor: not used");
        }

        @Override
        protected void create() {
            throw unused();
        }

        @Override
        protected void bind(int lport, InetAddress laddr) {
            throw unused();
        }

        @Override
        protected void send(DatagramPacket p) {
            throw unused();
        }

        @Override
        protected int peek(InetAddress i) {
            throw unused();
        }

        @Override
        protected int peekData(DatagramPacket p) {
            throw unused();
        }

        @Override
        protected void receive(DatagramPacket p) {
            throw unused();
        }

        @Override
        @Deprecated
        protected void setTTL(byte ttl) {
            throw unused();
        }

        @Override
        @Deprecated
        protected byte getTTL() {
            throw unused();
        }

        @Override
        protected void setTimeToLive(int ttl) {
            throw unused();
        }

        @Override
        protected int getTimeToLive() {
            throw unused();
        }

        @Override
        protected void join(InetAddress inetaddr) {
            throw unused();
        }

        @Override
        protected void leave(InetAddress inetaddr) {
            throw unused();
        }

        @Override
        protected void joinGroup(SocketAddress mcastaddr, NetworkInterface netIf) {
            throw unused();
        }

        @Override
        protected void leaveGroup(SocketAddress mcastaddr, NetworkInterface netIf) {
            throw unused();
        }

        @Override
        protected void close() {
            // Nothing was opened.
        }

        @Override
        public void setOption(int optID, Object value) {
            throw unused();
        }

        @Override
        public Object getOption(int optID) {
            throw unused();
        }
    }
}
