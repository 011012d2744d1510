package io.mptcp.nio.contract;

import static io.mptcp.nio.contract.ContractSupport.PROMPTLY;
import static io.mptcp.nio.contract.ContractSupport.port;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.MulticastSocket;
import java.net.NetworkInterface;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.DatagramChannel;
import java.nio.channels.IllegalBlockingModeException;
import java.nio.channels.UnsupportedAddressTypeException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.Test;

import io.mptcp.nio.contract.ContractSupport.Task;

/**
 * The {@code socket()} adaptor: a complete {@code java.net.DatagramSocket} over the channel
 * (packets, {@code SO_TIMEOUT}, connect, options, addresses, close). Setters are also read
 * through the channel, so that an adaptor backed by some other socket cannot pass.
 */
abstract class DatagramSocketAdaptorContract extends DatagramContract {

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static String text(DatagramPacket p) {
        return new String(p.getData(), p.getOffset(), p.getLength(), StandardCharsets.US_ASCII);
    }

    /** As the JDK's (17 and 25), the adaptor is a {@code java.net.MulticastSocket}. */
    @Test
    void theAdaptorIsAMulticastSocket() throws Exception {
        assertInstanceOf(MulticastSocket.class, openDatagram().socket());
        assertInstanceOf(MulticastSocket.class, openDatagram(StandardProtocolFamily.INET).socket());
    }

    @Test
    void everyPublicMethodOfDatagramSocketAndMulticastSocketIsOverridden() throws Exception {
        DatagramSocket socket = openDatagram().socket();
        List<String> inherited = new ArrayList<>();
        for (Method m : MulticastSocket.class.getMethods()) {
            Class<?> declaring = m.getDeclaringClass();
            if (Modifier.isStatic(m.getModifiers())
                    || declaring != DatagramSocket.class && declaring != MulticastSocket.class) {
                continue;
            }
            Method actual = socket.getClass().getMethod(m.getName(), m.getParameterTypes());
            if (actual.getDeclaringClass() == DatagramSocket.class
                    || actual.getDeclaringClass() == MulticastSocket.class) {
                inherited.add(m.toString());
            }
        }
        assertEquals(List.of(), inherited, "methods that would reach the superclass's socket");
    }

    /**
     * The {@code MulticastSocket} methods of an unbound, unconfigured adaptor: the outgoing
     * interface is a placeholder for "any" (index 0, the wildcard address) until one is set,
     * the TTL is 1, loopback is on; each setter is seen through the channel.
     */
    @SuppressWarnings("deprecation")
    @Test
    void theMulticastSocketMethodsWorkThroughTheChannel() throws Exception {
        DatagramChannel ch = openDatagram(StandardProtocolFamily.INET);
        MulticastSocket socket = (MulticastSocket) ch.socket();
        NetworkInterface any = socket.getNetworkInterface();
        assertEquals(0, any.getIndex());
        assertEquals(List.of(new InetSocketAddress(0).getAddress()),
                java.util.Collections.list(any.getInetAddresses()));
        assertTrue(socket.getInterface().isAnyLocalAddress());
        assertEquals(1, socket.getTimeToLive());
        assertEquals(1, socket.getTTL());
        assertFalse(socket.getLoopbackMode(), "false: loopback is not disabled");

        socket.setTimeToLive(7);
        assertEquals(7, ch.getOption(StandardSocketOptions.IP_MULTICAST_TTL));
        socket.setTTL((byte) 200);
        assertEquals(200, ch.getOption(StandardSocketOptions.IP_MULTICAST_TTL));
        assertEquals((byte) 200, socket.getTTL());
        assertThrows(IllegalArgumentException.class, () -> socket.setTimeToLive(256));
        socket.setLoopbackMode(true);
        assertEquals(false, ch.getOption(StandardSocketOptions.IP_MULTICAST_LOOP));
        assertTrue(socket.getLoopbackMode());

        NetworkInterface lo = NetworkInterface.getByInetAddress(LOOPBACK_V4);
        socket.setNetworkInterface(lo);
        assertEquals(lo, ch.getOption(StandardSocketOptions.IP_MULTICAST_IF));
        assertEquals(lo, socket.getNetworkInterface());
        assertTrue(java.util.Collections.list(lo.getInetAddresses())
                .contains(socket.getInterface()), "an address of that interface");
        socket.setInterface(LOOPBACK_V4);
        assertEquals(LOOPBACK_V4, socket.getInterface());
        assertThrows(SocketException.class, () -> socket.setInterface(null));
        assertThrows(SocketException.class,
                () -> socket.setInterface(InetAddress.getByName("192.0.2.77")));

        SocketException notGroup = assertThrows(SocketException.class,
                () -> socket.joinGroup(LOOPBACK_V4));
        assertEquals("Not a multicast address", notGroup.getMessage());
        assertThrows(NullPointerException.class, () -> socket.joinGroup((InetAddress) null));
        SocketException notMember = assertThrows(SocketException.class,
                () -> socket.leaveGroup(InetAddress.getByName("239.255.77.1")));
        assertEquals("Not a member of group", notMember.getMessage());
        socket.close();
        assertThrows(SocketException.class, socket::getTimeToLive);
    }

    /** The deprecated {@code send(packet, ttl)} sends with that TTL and restores the old one. */
    @SuppressWarnings({"deprecation", "removal"})
    @Test
    void sendWithATtlRestoresTheTimeToLive() throws Exception {
        DatagramChannel receiver = boundV4();
        MulticastSocket socket = (MulticastSocket) boundV4().socket();
        socket.setTimeToLive(3);
        socket.send(new DatagramPacket(bytes("ttl"), 3, receiver.getLocalAddress()), (byte) 9);
        assertEquals(3, socket.getTimeToLive());
        assertEquals("ttl", receiveFrom(receiver, socket.getLocalSocketAddress()));
    }

    @Test
    void anUnboundAdaptor() throws Exception {
        DatagramChannel ch = openDatagram(StandardProtocolFamily.INET);
        DatagramSocket socket = ch.socket();
        assertSame(socket, ch.socket(), "one adaptor per channel");
        assertSame(ch, socket.getChannel());
        assertFalse(socket.isBound());
        assertFalse(socket.isConnected());
        assertFalse(socket.isClosed());
        assertNull(socket.getLocalSocketAddress());
        assertTrue(socket.getLocalAddress().isAnyLocalAddress());
        assertEquals(0, socket.getLocalPort());
        assertNull(socket.getInetAddress());
        assertEquals(-1, socket.getPort());
        assertNull(socket.getRemoteSocketAddress());
        assertEquals(0, socket.getSoTimeout());
    }

    @Test
    void bindThroughTheAdaptor() throws Exception {
        DatagramChannel ch = openDatagram(StandardProtocolFamily.INET);
        DatagramSocket socket = ch.socket();
        socket.bind(new InetSocketAddress(LOOPBACK_V4, 0));
        assertTrue(socket.isBound());
        assertEquals(ch.getLocalAddress(), socket.getLocalSocketAddress());
        assertEquals(LOOPBACK_V4, socket.getLocalAddress());
        assertEquals(port(ch.getLocalAddress()), socket.getLocalPort());
        assertThrows(SocketException.class, () -> socket.bind(null), "Already bound");

        DatagramSocket other = openDatagram().socket();
        other.bind(null);
        assertTrue(other.getLocalPort() > 0, "null binds an ephemeral port");
        DatagramSocket third = openDatagram().socket();
        assertThrows(UnsupportedAddressTypeException.class,
                () -> third.bind(new SocketAddress() { }));
    }

    @Test
    void packetsGoBothWays() throws Exception {
        DatagramSocket a = boundV4().socket();
        DatagramSocket b = boundV4().socket();
        byte[] payload = bytes("..hello..");
        DatagramPacket out = new DatagramPacket(payload, 2, 5, b.getLocalSocketAddress());
        a.send(out);

        byte[] buf = new byte[20];
        DatagramPacket in = new DatagramPacket(buf, 3, 10);
        b.receive(in);
        assertEquals("hello", text(in));
        assertEquals(3, in.getOffset());
        assertEquals(a.getLocalSocketAddress(), in.getSocketAddress());
        assertEquals(LOOPBACK_V4, in.getAddress());
        assertEquals(a.getLocalPort(), in.getPort());
    }

    /**
     * A packet reused without resetting its length still takes a long datagram after a short
     * one: the receive changes the data length, not the buffer length.
     */
    @Test
    void aReusedPacketKeepsItsBufferLength() throws Exception {
        DatagramSocket a = boundV4().socket();
        DatagramSocket b = boundV4().socket();
        SocketAddress to = b.getLocalSocketAddress();
        a.send(new DatagramPacket(bytes("ab"), 2, to));
        a.send(new DatagramPacket(bytes("0123456789"), 10, to));
        a.send(new DatagramPacket(bytes("abcdefghijklmnopqrstuvwxyz"), 26, to));
        a.send(new DatagramPacket(bytes("xyz"), 3, to));

        DatagramPacket p = new DatagramPacket(new byte[16], 16);
        b.receive(p);
        assertEquals("ab", text(p));
        b.receive(p);
        assertEquals("0123456789", text(p), "the buffer length is still 16");
        b.receive(p);
        assertEquals("abcdefghijklmnop", text(p), "truncated to the buffer length");
        p.setLength(2);
        b.receive(p);
        assertEquals("xy", text(p), "setLength sets the buffer length");
    }

    @Test
    void soTimeoutBoundsAReceive() throws Exception {
        DatagramSocket socket = boundV4().socket();
        socket.setSoTimeout(200);
        assertEquals(200, socket.getSoTimeout());
        assertThrows(SocketTimeoutException.class,
                () -> socket.receive(new DatagramPacket(new byte[4], 4)));
        assertTrue(socket.getChannel().isOpen(), "a timeout does not close");
        assertThrows(IllegalArgumentException.class, () -> socket.setSoTimeout(-1));

        DatagramSocket peer = boundV4().socket();
        peer.send(new DatagramPacket(bytes("in time"), 7, socket.getLocalSocketAddress()));
        DatagramPacket p = new DatagramPacket(new byte[16], 16);
        socket.receive(p);
        assertEquals("in time", text(p));
    }

    @Test
    void connectAndDisconnectThroughTheAdaptor() throws Exception {
        DatagramSocket a = boundV4().socket();
        DatagramSocket b = boundV4().socket();
        DatagramSocket stranger = boundV4().socket();
        a.connect(b.getLocalSocketAddress());
        assertTrue(a.isConnected());
        assertTrue(a.getChannel().isConnected());
        assertEquals(b.getLocalSocketAddress(), a.getRemoteSocketAddress());
        assertEquals(LOOPBACK_V4, a.getInetAddress());
        assertEquals(b.getLocalPort(), a.getPort());

        DatagramPacket noAddress = new DatagramPacket(bytes("to peer"), 7);
        a.send(noAddress);
        assertEquals(b.getLocalSocketAddress(), noAddress.getSocketAddress(),
                "the packet learns where it went");
        DatagramPacket p = new DatagramPacket(new byte[16], 16);
        b.receive(p);
        assertEquals("to peer", text(p));
        assertThrows(IllegalArgumentException.class, () -> a.send(new DatagramPacket(
                bytes("x"), 1, stranger.getLocalSocketAddress())), "connected elsewhere");

        a.connect(stranger.getLocalAddress(), stranger.getLocalPort());
        assertEquals(stranger.getLocalSocketAddress(), a.getRemoteSocketAddress(),
                "the adaptor connects again");
        a.disconnect();
        assertFalse(a.isConnected());
        assertEquals(-1, a.getPort());
        assertThrows(IllegalArgumentException.class,
                () -> a.send(new DatagramPacket(bytes("x"), 1)), "Address not set");
        assertThrows(IllegalArgumentException.class, () -> a.connect((SocketAddress) null));
        assertThrows(IllegalArgumentException.class, () -> a.connect(null, 9));
    }

    @Test
    void aNonBlockingChannelsAdaptorCannotSendOrReceive() throws Exception {
        DatagramChannel ch = boundV4();
        ch.configureBlocking(false);
        DatagramSocket socket = ch.socket();
        assertThrows(IllegalBlockingModeException.class,
                () -> socket.receive(new DatagramPacket(new byte[4], 4)));
        assertThrows(IllegalBlockingModeException.class, () -> socket.send(
                new DatagramPacket(new byte[1], 1, ch.getLocalAddress())));
    }

    @Test
    void optionsThroughTheAdaptorAreTheChannels() throws Exception {
        DatagramChannel ch = openDatagram();
        DatagramSocket socket = ch.socket();
        socket.setSendBufferSize(65_536);
        assertEquals(65_536, socket.getSendBufferSize());
        assertEquals(65_536, ch.getOption(StandardSocketOptions.SO_SNDBUF));
        socket.setReceiveBufferSize(32_768);
        assertEquals(32_768, ch.getOption(StandardSocketOptions.SO_RCVBUF));
        assertEquals(32_768, socket.getReceiveBufferSize());
        socket.setReuseAddress(true);
        assertTrue(ch.getOption(StandardSocketOptions.SO_REUSEADDR));
        assertTrue(socket.getReuseAddress());
        socket.setBroadcast(true);
        assertTrue(ch.getOption(StandardSocketOptions.SO_BROADCAST));
        assertTrue(socket.getBroadcast());
        socket.setTrafficClass(0x20);
        assertEquals(0x20, ch.getOption(StandardSocketOptions.IP_TOS));
        assertEquals(0x20, socket.getTrafficClass());
        socket.setOption(StandardSocketOptions.IP_MULTICAST_TTL, 9);
        assertEquals(9, socket.getOption(StandardSocketOptions.IP_MULTICAST_TTL));
        assertEquals(ch.supportedOptions(), socket.supportedOptions());
        assertThrows(IllegalArgumentException.class, () -> socket.setSendBufferSize(0));
        assertThrows(IllegalArgumentException.class, () -> socket.setReceiveBufferSize(0));
    }

    @Test
    void closingTheAdaptorClosesTheChannel() throws Exception {
        DatagramChannel ch = boundV4();
        DatagramSocket socket = ch.socket();
        socket.close();
        assertFalse(ch.isOpen());
        assertTrue(socket.isClosed());
        assertNull(socket.getLocalAddress());
        assertEquals(-1, socket.getLocalPort());
        assertNull(socket.getLocalSocketAddress());
        assertThrows(SocketException.class, () -> socket.setSoTimeout(1));
        assertThrows(SocketException.class, socket::getSoTimeout);
        assertThrows(SocketException.class, socket::getBroadcast);
        SocketException receive = assertThrows(SocketException.class,
                () -> socket.receive(new DatagramPacket(new byte[1], 1)));
        assertEquals("Socket closed", receive.getMessage());
        assertThrows(SocketException.class, () -> socket.send(
                new DatagramPacket(new byte[1], 1, new InetSocketAddress(LOOPBACK_V4, 9))));
        assertThrows(IOException.class,
                () -> socket.setOption(StandardSocketOptions.IP_TOS, 1));
        socket.connect(new InetSocketAddress(LOOPBACK_V4, 9)); // no effect, no exception
        assertFalse(socket.isConnected());
    }

    @Test
    void closeReleasesABlockedAdaptorReceive() throws Exception {
        DatagramSocket socket = boundV4().socket();
        Task<Object> receiver = start("receiver", () -> {
            socket.receive(new DatagramPacket(new byte[4], 4));
            return null;
        });
        receiver.awaitBlockedIn(socket.getChannel(), "blockingReceive");
        socket.close();
        Throwable thrown = receiver.failure(PROMPTLY);
        assertInstanceOf(SocketException.class, thrown, thrown.toString());
        assertEquals("Socket closed", thrown.getMessage());
    }

    /**
     * An interrupt closes the channel and keeps the thread's interrupt status. What the adaptor
     * throws depends on the JDK, and the running one decides: JDK 17 wraps the
     * {@code ClosedByInterruptException} in {@code SocketException("Socket closed")}; JDK 21
     * and 25 throw it as it is.
     */
    @Test
    void interruptReleasesABlockedAdaptorReceiveAsTheRunningJdkDoes() throws Exception {
        DatagramSocket socket = boundV4().socket();
        AtomicBoolean stillInterrupted = new AtomicBoolean();
        Task<Object> receiver = start("receiver", () -> {
            try {
                socket.receive(new DatagramPacket(new byte[4], 4));
                return null;
            } catch (IOException e) {
                stillInterrupted.set(Thread.currentThread().isInterrupted());
                throw e;
            }
        });
        receiver.awaitBlockedIn(socket.getChannel(), "blockingReceive");
        receiver.thread().interrupt();
        assertInterruptedAsTheRunningJdk(receiver.failure(PROMPTLY));
        assertTrue(stillInterrupted.get(), "the interrupt status stays set");
        assertTrue(socket.isClosed());
    }

    /** The same when the thread is interrupted before it calls receive, with a timeout set. */
    @Test
    void aTimedReceiveOnAnInterruptedThreadFailsAsTheRunningJdkDoes() throws Exception {
        DatagramSocket socket = boundV4().socket();
        socket.setSoTimeout(60_000);
        Task<Object> receiver = startInterrupted("receiver", () -> {
            socket.receive(new DatagramPacket(new byte[4], 4));
            return null;
        });
        assertInterruptedAsTheRunningJdk(receiver.failure(PROMPTLY));
        assertTrue(socket.isClosed());
    }

    private static void assertInterruptedAsTheRunningJdk(Throwable thrown) {
        if (Runtime.version().feature() >= 19) {
            assertInstanceOf(ClosedByInterruptException.class, thrown, thrown.toString());
        } else {
            assertInstanceOf(SocketException.class, thrown, thrown.toString());
            assertEquals("Socket closed", thrown.getMessage());
            assertInstanceOf(ClosedByInterruptException.class, thrown.getCause());
        }
    }

    /** Send wraps it on every JDK (17, 21, 25). */
    @Test
    void aSendOnAnInterruptedThreadThrowsSocketClosed() throws Exception {
        DatagramSocket socket = boundV4().socket();
        Task<Object> sender = startInterrupted("sender", () -> {
            socket.send(new DatagramPacket(new byte[1], 1, new InetSocketAddress(LOOPBACK_V4, 9)));
            return null;
        });
        Throwable thrown = sender.failure(PROMPTLY);
        assertInstanceOf(SocketException.class, thrown, thrown.toString());
        assertEquals("Socket closed", thrown.getMessage());
        assertInstanceOf(ClosedByInterruptException.class, thrown.getCause());
        assertTrue(socket.isClosed());
    }

    @Test
    void anAdaptorOfAnIpv6ChannelReceivesFromIpv4() throws Exception {
        DatagramSocket dual = openDatagram(StandardProtocolFamily.INET6).socket();
        dual.bind(null);
        DatagramSocket v4 = boundV4().socket();
        v4.send(new DatagramPacket(bytes("mapped"), 6,
                new InetSocketAddress(LOOPBACK_V4, dual.getLocalPort())));
        DatagramPacket p = new DatagramPacket(new byte[16], 16);
        dual.receive(p);
        assertEquals("mapped", text(p));
        assertEquals(v4.getLocalSocketAddress(), p.getSocketAddress());
        assertTrue(dual.getLocalAddress().isAnyLocalAddress());
        assertArrayEquals(bytes("mapped"), java.util.Arrays.copyOf(p.getData(), 6));
    }
}
