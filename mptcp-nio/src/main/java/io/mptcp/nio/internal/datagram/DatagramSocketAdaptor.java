package io.mptcp.nio.internal.datagram;

import io.mptcp.nio.internal.fd.DirectBufferCache;
import io.mptcp.nio.internal.net.Net;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.MulticastSocket;
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
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * {@link DatagramChannelImpl#socket()}: the channel seen as a {@link MulticastSocket}, as the
 * JDK's {@code sun.nio.ch.DatagramSocketAdaptor} is (JDK 17 and 25), with its semantics. Every
 * public method of {@code DatagramSocket} and {@code MulticastSocket} is overridden, in their
 * order, so that none reaches the superclass's own socket; {@code SO_TIMEOUT} is emulated for
 * {@link #receive} as in the JDK.
 *
 * <p>{@code MulticastSocket} has no constructor that opens nothing (the JDK's adaptor passes a
 * private marker through one of them), so the superclass is built unbound, which makes the JDK
 * open a UDP socket of its own, and that socket is closed again at once: one socket and close
 * per channel that asks for its adaptor. From then on the superclass is a closed socket that no
 * method of this class uses; had one been left out, it would fail as closed instead of acting
 * on a socket other than the channel's.
 */
final class DatagramSocketAdaptor extends MulticastSocket {
    // The JDK 17 adaptor turns an interrupted receive's ClosedByInterruptException into
    // SocketException("Socket closed"); JDK 21 and 25 throw it as it is (read in their
    // sources; the change came with the virtual-thread rework of JDK 19, taken as the boundary).
    private static final boolean INTERRUPT_WRAPPED = Runtime.version().feature() < 19;
    // JDK 17 and 21 refuse getInterface() for an outgoing interface without an address; JDK 25
    // returns null (the check went with the security-manager code of JDK 24, taken as the
    // boundary).
    private static final boolean NO_ADDRESS_REFUSED = Runtime.version().feature() < 24;

    private final DatagramChannelImpl dc;
    // What getNetworkInterface() returns while no interface is set: the JDK's placeholder for
    // "any" (index 0, the wildcard address), which only the JDK can build; taken from the
    // superclass's socket before it is closed.
    private final NetworkInterface anyInterface;
    // Receive timeout in milliseconds; 0 = none.
    private volatile int timeout;

    private DatagramSocketAdaptor(DatagramChannelImpl dc) throws IOException {
        super((SocketAddress) null);
        try {
            anyInterface = super.getNetworkInterface();
        } finally {
            super.close();
        }
        this.dc = dc;
    }

    /**
     * @throws UncheckedIOException if the JDK cannot open the socket its constructor needs
     *     (for example too many open files); {@code DatagramChannel.socket()} declares nothing
     */
    static DatagramSocket create(DatagramChannelImpl dc) {
        try {
            return new DatagramSocketAdaptor(dc);
        } catch (IOException e) {
            throw new UncheckedIOException("DatagramChannel.socket(): the MulticastSocket"
                    + " adaptor cannot be created", e);
        }
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
                if (e instanceof ClosedByInterruptException && !INTERRUPT_WRAPPED) {
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

    // ---- java.net.MulticastSocket -----------------------------------------------------------

    // Serialises TTL changes with the deprecated send(packet, ttl), which sets and restores it.
    private final ReentrantLock sendLock = new ReentrantLock();
    // The interface and address setInterface was given, for getInterface; guarded by the lock.
    private final Object outgoingInterfaceLock = new Object();
    private NetworkInterface outgoingNetworkInterface;
    private InetAddress outgoingInetAddress;

    @Override
    @Deprecated
    public void setTTL(byte ttl) throws IOException {
        setTimeToLive(Byte.toUnsignedInt(ttl));
    }

    @Override
    public void setTimeToLive(int ttl) throws IOException {
        sendLock.lock();
        try {
            Net.setOption(dc, StandardSocketOptions.IP_MULTICAST_TTL, ttl);
        } finally {
            sendLock.unlock();
        }
    }

    @Override
    @Deprecated
    public byte getTTL() throws IOException {
        return (byte) getTimeToLive();
    }

    @Override
    public int getTimeToLive() throws IOException {
        sendLock.lock();
        try {
            return Net.getOption(dc, StandardSocketOptions.IP_MULTICAST_TTL);
        } finally {
            sendLock.unlock();
        }
    }

    @Override
    @Deprecated
    public void joinGroup(InetAddress group) throws IOException {
        Objects.requireNonNull(group);
        try {
            joinGroup(new InetSocketAddress(group, 0), null);
        } catch (IllegalArgumentException e) {
            // The one-argument form declares no IllegalArgumentException.
            throw (SocketException) new SocketException("joinGroup failed").initCause(e);
        }
    }

    @Override
    @Deprecated
    public void leaveGroup(InetAddress group) throws IOException {
        Objects.requireNonNull(group);
        try {
            leaveGroup(new InetSocketAddress(group, 0), null);
        } catch (IllegalArgumentException e) {
            throw (SocketException) new SocketException("leaveGroup failed").initCause(e);
        }
    }

    /**
     * Joins {@code mcastaddr} on {@code netIf}; without an interface, on the one set with
     * {@code IP_MULTICAST_IF}, else on the one the kernel chooses (as the JDK on Linux).
     */
    @Override
    public void joinGroup(SocketAddress mcastaddr, NetworkInterface netIf) throws IOException {
        InetAddress group = checkGroup(mcastaddr);
        NetworkInterface ni = netIf != null ? netIf : outgoingNetworkInterface();
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
        NetworkInterface ni = netIf != null ? netIf : outgoingNetworkInterface();
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

    @Override
    @Deprecated
    public void setInterface(InetAddress inf) throws SocketException {
        if (inf == null) {
            throw new SocketException("Invalid value 'null'");
        }
        NetworkInterface ni = NetworkInterface.getByInetAddress(inf);
        if (ni == null) {
            throw new SocketException("No network interface found with address "
                    + inf.getHostAddress());
        }
        synchronized (outgoingInterfaceLock) {
            setNetworkInterface(ni);
            outgoingNetworkInterface = ni;
            outgoingInetAddress = inf;
        }
    }

    /**
     * The address given to {@link #setInterface} while that interface is still the outgoing
     * one; else the first address of the outgoing interface; the wildcard address when none is
     * set.
     */
    @Override
    @Deprecated
    public InetAddress getInterface() throws SocketException {
        synchronized (outgoingInterfaceLock) {
            NetworkInterface ni = outgoingNetworkInterface();
            if (ni != null) {
                if (ni.equals(outgoingNetworkInterface)) {
                    return outgoingInetAddress;
                }
                InetAddress ia = ni.inetAddresses().findFirst().orElse(null);
                if (ia == null && NO_ADDRESS_REFUSED) {
                    throw new SocketException("Network interface has no IP address");
                }
                outgoingNetworkInterface = ni;
                outgoingInetAddress = ia;
                return ia;
            }
        }
        return new InetSocketAddress(0).getAddress();
    }

    @Override
    public void setNetworkInterface(NetworkInterface netIf) throws SocketException {
        Net.setOption(dc, StandardSocketOptions.IP_MULTICAST_IF, netIf);
    }

    /** The outgoing interface, or the JDK's placeholder for "any" (index 0) when none is set. */
    @Override
    public NetworkInterface getNetworkInterface() throws SocketException {
        NetworkInterface ni = outgoingNetworkInterface();
        return ni != null ? ni : anyInterface;
    }

    @Override
    @Deprecated
    public void setLoopbackMode(boolean disable) throws SocketException {
        Net.setOption(dc, StandardSocketOptions.IP_MULTICAST_LOOP, !disable);
    }

    @Override
    @Deprecated
    public boolean getLoopbackMode() throws SocketException {
        return !Net.getOption(dc, StandardSocketOptions.IP_MULTICAST_LOOP);
    }

    /** Sends with {@code ttl} as the multicast TTL, then restores the TTL it replaced. */
    @Override
    @Deprecated
    public void send(DatagramPacket p, byte ttl) throws IOException {
        sendLock.lock();
        try {
            int oldValue = getTimeToLive();
            try {
                setTTL(ttl);
                send(p);
            } finally {
                setTimeToLive(oldValue);
            }
        } finally {
            sendLock.unlock();
        }
    }

    /** The {@code IP_MULTICAST_IF} interface, or null (any) when none is set. */
    private NetworkInterface outgoingNetworkInterface() throws SocketException {
        return Net.getOption(dc, StandardSocketOptions.IP_MULTICAST_IF);
    }
}
