package io.mptcp.nio.contract;

import static io.mptcp.nio.contract.ContractSupport.PROMPTLY;
import static io.mptcp.nio.contract.ContractSupport.loopback;
import static io.mptcp.nio.contract.ContractSupport.port;
import static java.nio.channels.SelectionKey.OP_READ;
import static java.nio.channels.SelectionKey.OP_WRITE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.BindException;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.net.ProtocolFamily;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.AlreadyBoundException;
import java.nio.channels.AlreadyConnectedException;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.nio.channels.IllegalBlockingModeException;
import java.nio.channels.NotYetConnectedException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.channels.UnresolvedAddressException;
import java.nio.channels.UnsupportedAddressTypeException;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

import io.mptcp.nio.contract.ContractSupport.BufferKind;
import io.mptcp.nio.contract.ContractSupport.Task;

/**
 * {@code DatagramChannel} on loopback: opening, binding, sending and receiving (IPv4, IPv6 and
 * IPv4 through an IPv6 channel), connect and disconnect, read and write with scatter/gather,
 * blocking operations released by close and interrupt, the errors, and selection. Options are
 * {@link DatagramOptionsContract}, multicast {@link DatagramMulticastContract}, the socket
 * adaptor {@link DatagramSocketAdaptorContract}.
 */
abstract class DatagramChannelContract extends DatagramContract {

    @Test
    void aNewChannelIsOpenUnboundUnconnectedAndBlocking() throws Exception {
        DatagramChannel ch = openDatagram();
        assertTrue(ch.isOpen());
        assertFalse(ch.isConnected());
        assertTrue(ch.isBlocking());
        assertNull(ch.getLocalAddress());
        assertNull(ch.getRemoteAddress());
        assertEquals(SelectionKey.OP_READ | SelectionKey.OP_WRITE, ch.validOps());
    }

    @Test
    void familiesAreInetAndInet6AndUnixIsUnsupported() throws Exception {
        DatagramChannel v4 = openDatagram(StandardProtocolFamily.INET);
        v4.bind(null);
        assertInstanceOf(Inet4Address.class, ((InetSocketAddress) v4.getLocalAddress())
                .getAddress());
        DatagramChannel v6 = openDatagram(StandardProtocolFamily.INET6);
        v6.bind(new InetSocketAddress(loopback("::1"), 0));
        assertInstanceOf(Inet6Address.class, ((InetSocketAddress) v6.getLocalAddress())
                .getAddress());
        assertThrows(UnsupportedOperationException.class,
                () -> provider().openDatagramChannel(StandardProtocolFamily.UNIX));
        assertThrows(UnsupportedOperationException.class,
                () -> provider().openDatagramChannel(() -> "APPLETALK"));
        assertThrows(NullPointerException.class, () -> provider().openDatagramChannel(null));
    }

    @ParameterizedTest
    @ValueSource(strings = {"INET", "INET6", "default"})
    void bindNullTakesTheWildcardAndAnEphemeralPort(String family) throws Exception {
        DatagramChannel ch = family.equals("default") ? openDatagram()
                : openDatagram(StandardProtocolFamily.valueOf(family));
        assertSame(ch, ch.bind(null));
        InetSocketAddress local = (InetSocketAddress) ch.getLocalAddress();
        assertTrue(local.getAddress().isAnyLocalAddress(), "wildcard: " + local);
        assertTrue(local.getPort() > 0, "ephemeral port: " + local);
    }

    @Test
    void bindRefusesWhatTheJdkRefuses() throws Exception {
        DatagramChannel ch = boundV4();
        assertThrows(AlreadyBoundException.class, () -> ch.bind(null));
        InetSocketAddress taken = (InetSocketAddress) ch.getLocalAddress();
        assertThrows(BindException.class, () -> openDatagram().bind(taken));
        DatagramChannel v4 = openDatagram(StandardProtocolFamily.INET);
        assertThrows(UnsupportedAddressTypeException.class,
                () -> v4.bind(new InetSocketAddress(InetAddress.getByName("::1"), 0)));
        assertThrows(UnsupportedAddressTypeException.class,
                () -> v4.bind(UnixDomainSocketAddress.of("/tmp/x")));
        assertThrows(UnresolvedAddressException.class,
                () -> v4.bind(InetSocketAddress.createUnresolved("nowhere.invalid", 0)));
        v4.close();
        assertThrows(ClosedChannelException.class, () -> v4.bind(null));
    }

    @ParameterizedTest
    @EnumSource(BufferKind.class)
    void aDatagramArrivesWholeWithItsSender(BufferKind kind) throws Exception {
        DatagramChannel a = boundV4();
        DatagramChannel b = boundV4();
        byte[] bytes = ContractSupport.randomBytes(kind.ordinal(), 1200);
        ByteBuffer src = kind.allocate(bytes.length).put(bytes).flip();
        ByteBuffer out = kind.forWrite(src);
        assertEquals(1200, a.send(out, b.getLocalAddress()));
        assertEquals(1200, out.position(), "send advances the position");

        if (kind.canBeReadInto()) {
            ByteBuffer dst = kind.allocate(2000);
            assertEquals(a.getLocalAddress(), b.receive(dst));
            assertEquals(1200, dst.position(), "receive advances the position");
            byte[] got = new byte[1200];
            dst.flip().get(got);
            assertArrayEquals(bytes, got);
        } else {
            assertThrows(IllegalArgumentException.class,
                    () -> b.receive(ByteBuffer.allocate(10).asReadOnlyBuffer()));
        }
    }

    @Test
    void ipv6DatagramsAndIpv4OnesThroughAnIpv6Channel() throws Exception {
        DatagramChannel v6 = bound(StandardProtocolFamily.INET6, loopback("::1"));
        DatagramChannel other6 = bound(StandardProtocolFamily.INET6, loopback("::1"));
        send(other6, "six", v6);
        assertEquals("six", receiveFrom(v6, other6.getLocalAddress()));

        // A dual-stack channel talks to an IPv4 channel with IPv4 addresses on both sides.
        DatagramChannel dual = openDatagram(StandardProtocolFamily.INET6).bind(null);
        DatagramChannel v4 = boundV4();
        send(dual, "to4", v4);
        SocketAddress dualAs4 = new InetSocketAddress(LOOPBACK_V4, port(dual.getLocalAddress()));
        assertEquals("to4", receiveFrom(v4, dualAs4));
        v4.send(text("back"), dualAs4);
        ByteBuffer dst = ByteBuffer.allocate(10);
        InetSocketAddress sender = (InetSocketAddress) dual.receive(dst);
        assertInstanceOf(Inet4Address.class, sender.getAddress(), "IPv4-mapped comes back IPv4");
        assertEquals(v4.getLocalAddress(), sender);
    }

    @Test
    void theIpv4WildcardAsDestinationReachesIpv4Loopback() throws Exception {
        DatagramChannel dual = openDatagram(StandardProtocolFamily.INET6);
        DatagramChannel v4 = boundV4();
        InetSocketAddress any = new InetSocketAddress(InetAddress.getByName("0.0.0.0"),
                port(v4.getLocalAddress()));
        dual.send(text("any"), any);
        ByteBuffer dst = ByteBuffer.allocate(10);
        v4.receive(dst);
        assertEquals("any", text(dst));
    }

    @Test
    void receiveAndSendBindAnUnboundChannel() throws Exception {
        DatagramChannel receiver = openDatagram(StandardProtocolFamily.INET);
        receiver.configureBlocking(false);
        assertNull(receiver.receive(ByteBuffer.allocate(10)), "nothing pending");
        InetSocketAddress local = (InetSocketAddress) receiver.getLocalAddress();
        assertTrue(local.getAddress().isAnyLocalAddress() && local.getPort() > 0, "" + local);

        DatagramChannel sender = openDatagram(StandardProtocolFamily.INET);
        sender.send(text("x"), new InetSocketAddress(LOOPBACK_V4, local.getPort()));
        assertTrue(port(sender.getLocalAddress()) > 0, "send bound the sender");
    }

    @Test
    void aLongDatagramIsTruncatedToTheBufferAndItsRestDiscarded() throws Exception {
        DatagramChannel a = boundV4();
        DatagramChannel b = boundV4();
        send(a, "0123456789", b);
        send(a, "next", b);
        ByteBuffer small = ByteBuffer.allocate(4);
        assertEquals(a.getLocalAddress(), b.receive(small));
        assertEquals("0123", text(small));
        assertEquals("next", receiveFrom(b, a.getLocalAddress()));
    }

    @Test
    void aFullBufferStillTakesADatagramAndAnEmptyDatagramArrives() throws Exception {
        DatagramChannel a = boundV4();
        DatagramChannel b = boundV4();
        send(a, "lost", b);
        a.send(ByteBuffer.allocate(0), b.getLocalAddress());
        ByteBuffer full = ByteBuffer.allocate(0);
        assertEquals(a.getLocalAddress(), b.receive(full), "an empty buffer takes a datagram");
        ByteBuffer dst = ByteBuffer.allocateDirect(8);
        assertEquals(a.getLocalAddress(), b.receive(dst), "the empty datagram");
        assertEquals(0, dst.position());
        assertNextIsSentinel(a, b.getLocalAddress(), b);
    }

    @Test
    void aBlockingReceiveWaitsForADatagram() throws Exception {
        DatagramChannel a = boundV4();
        DatagramChannel b = boundV4();
        Task<String> receiver = start("receiver", () -> receiveFrom(b, a.getLocalAddress()));
        receiver.awaitBlockedIn(b, "receive");
        send(a, "late", b);
        assertEquals("late", receiver.get(PROMPTLY));
    }

    @Test
    void aBlockedReceiveDoesNotHoldUpSendsOnTheSameChannel() throws Exception {
        DatagramChannel a = boundV4();
        DatagramChannel b = boundV4();
        Task<String> receiver = start("receiver", () -> receiveFrom(a, b.getLocalAddress()));
        receiver.awaitBlockedIn(a, "receive");
        send(a, "ping", b);
        assertEquals("ping", receiveFrom(b, a.getLocalAddress()));
        send(b, "pong", a);
        assertEquals("pong", receiver.get(PROMPTLY));
    }

    @Test
    void closeReleasesABlockedReceive() throws Exception {
        DatagramChannel ch = boundV4();
        Task<SocketAddress> receiver = start("receiver", () -> ch.receive(ByteBuffer.allocate(8)));
        receiver.awaitBlockedIn(ch, "receive");
        ch.close();
        assertSame(AsynchronousCloseException.class, receiver.failure(PROMPTLY).getClass());
        assertThrows(ClosedChannelException.class, () -> ch.receive(ByteBuffer.allocate(8)));
    }

    @Test
    void closeReleasesABlockedRead() throws Exception {
        DatagramChannel ch = boundV4();
        ch.connect(boundV4().getLocalAddress());
        Task<Integer> reader = start("reader", () -> ch.read(ByteBuffer.allocate(8)));
        reader.awaitBlockedIn(ch, "read");
        ch.close();
        assertSame(AsynchronousCloseException.class, reader.failure(PROMPTLY).getClass());
    }

    @Test
    void interruptReleasesABlockedReceiveAndClosesTheChannel() throws Exception {
        DatagramChannel ch = boundV4();
        Task<SocketAddress> receiver = start("receiver", () -> {
            try {
                return ch.receive(ByteBuffer.allocate(8));
            } finally {
                assertTrue(Thread.currentThread().isInterrupted(), "interrupt status kept");
            }
        });
        receiver.awaitBlockedIn(ch, "receive");
        receiver.thread().interrupt();
        assertSame(ClosedByInterruptException.class, receiver.failure(PROMPTLY).getClass());
        assertFalse(ch.isOpen());
    }

    @Test
    void anInterruptedThreadCannotReceive() throws Exception {
        DatagramChannel ch = boundV4();
        Task<SocketAddress> receiver =
                startInterrupted("receiver", () -> ch.receive(ByteBuffer.allocate(8)));
        assertSame(ClosedByInterruptException.class, receiver.failure(PROMPTLY).getClass());
        assertFalse(ch.isOpen());
    }

    @Test
    void sendRefusesBadTargets() throws Exception {
        DatagramChannel v4 = openDatagram(StandardProtocolFamily.INET);
        ByteBuffer one = ByteBuffer.allocate(1);
        assertThrows(NullPointerException.class, () -> v4.send(one, null));
        assertThrows(NullPointerException.class, () -> v4.send(null, v4.getLocalAddress()));
        assertThrows(UnresolvedAddressException.class,
                () -> v4.send(one, InetSocketAddress.createUnresolved("nowhere.invalid", 9)));
        assertThrows(UnsupportedAddressTypeException.class,
                () -> v4.send(one, UnixDomainSocketAddress.of("/tmp/x")));
        assertThrows(UnsupportedAddressTypeException.class,
                () -> v4.send(one, new InetSocketAddress(InetAddress.getByName("::1"), 9)));
        assertThrows(SocketException.class,
                () -> v4.send(one, new InetSocketAddress(LOOPBACK_V4, 0)), "port 0");
        assertThrows(SocketException.class, () -> v4.send(ByteBuffer.allocate(65_508),
                boundV4().getLocalAddress()), "longer than an IPv4 datagram can be");
    }

    @Test
    void aConnectedChannelTalksOnlyToItsPeer() throws Exception {
        DatagramChannel a = openDatagram(StandardProtocolFamily.INET).bind(null);
        DatagramChannel b = boundV4();
        DatagramChannel stranger = boundV4();
        send(stranger, "queued before connect", a);
        int port = port(a.getLocalAddress());
        assertSame(a, a.connect(b.getLocalAddress()));
        assertTrue(a.isConnected());
        assertEquals(b.getLocalAddress(), a.getRemoteAddress());
        assertEquals(new InetSocketAddress(LOOPBACK_V4, port), a.getLocalAddress(),
                "connected: the address the route chose, the same port");

        send(stranger, "filtered", a);
        send(b, "from peer", a);
        assertEquals("from peer", receiveFrom(a, b.getLocalAddress()),
                "datagrams queued before connect and from others are not received");

        assertEquals(5, a.write(text("hello")));
        assertEquals("hello", receiveFrom(b, a.getLocalAddress()));
        assertEquals(4, a.send(text("sent"), b.getLocalAddress()), "send to the peer is allowed");
        assertEquals("sent", receiveFrom(b, a.getLocalAddress()));
        assertThrows(AlreadyConnectedException.class,
                () -> a.send(text("x"), stranger.getLocalAddress()));

        send(b, "read", a);
        ByteBuffer dst = ByteBuffer.allocate(16);
        assertEquals(4, a.read(dst));
        assertEquals("read", text(dst));
        assertThrows(IllegalArgumentException.class,
                () -> a.read(ByteBuffer.allocate(1).asReadOnlyBuffer()));
    }

    @Test
    void connectRefusesWhatTheJdkRefuses() throws Exception {
        DatagramChannel ch = boundV4();
        DatagramChannel peer = boundV4();
        ch.connect(peer.getLocalAddress());
        assertThrows(AlreadyConnectedException.class, () -> ch.connect(peer.getLocalAddress()));
        DatagramChannel other = openDatagram(StandardProtocolFamily.INET);
        assertThrows(SocketException.class,
                () -> other.connect(new InetSocketAddress(LOOPBACK_V4, 0)), "port 0");
        assertThrows(UnresolvedAddressException.class,
                () -> other.connect(InetSocketAddress.createUnresolved("nowhere.invalid", 9)));
        assertThrows(UnsupportedAddressTypeException.class,
                () -> other.connect(new InetSocketAddress(InetAddress.getByName("::1"), 9)));
        other.close();
        assertThrows(ClosedChannelException.class, () -> other.connect(peer.getLocalAddress()));
        assertSame(other, other.disconnect(), "disconnecting a closed channel does nothing");
    }

    /**
     * Linux's disconnect (connect with AF_UNSPEC) forgets a port chosen automatically; the
     * channel keeps its local address anyway, as the JDK's does.
     */
    @ParameterizedTest
    @ValueSource(strings = {"INET", "INET6"})
    void disconnectKeepsTheLocalAddress(String family) throws Exception {
        ProtocolFamily f = StandardProtocolFamily.valueOf(family);
        DatagramChannel ch = openDatagram(f).bind(null);
        SocketAddress before = ch.getLocalAddress();
        DatagramChannel peer = boundV4();
        ch.connect(peer.getLocalAddress());
        assertNotEquals(before, ch.getLocalAddress(), "connected to loopback: a specific address");
        assertSame(ch, ch.disconnect());
        assertFalse(ch.isConnected());
        assertNull(ch.getRemoteAddress());
        assertEquals(before, ch.getLocalAddress());

        DatagramChannel stranger = boundV4();
        stranger.send(text("anyone again"), new InetSocketAddress(LOOPBACK_V4, port(before)));
        assertEquals("anyone again", receiveFrom(ch, stranger.getLocalAddress()));
        assertSame(ch, ch.disconnect(), "disconnecting again does nothing");
    }

    @Test
    void aConnectedChannelLearnsThatThePeerPortIsClosed() throws Exception {
        DatagramChannel gone = boundV4();
        SocketAddress nobody = gone.getLocalAddress();
        gone.close();
        DatagramChannel ch = boundV4();
        ch.connect(nobody);
        ch.write(text("anyone?"));
        assertThrows(PortUnreachableException.class, () -> ch.read(ByteBuffer.allocate(8)));
    }

    @Test
    void anUnconnectedChannelIgnoresPortUnreachable() throws Exception {
        DatagramChannel gone = boundV4();
        SocketAddress nobody = gone.getLocalAddress();
        gone.close();
        DatagramChannel ch = boundV4();
        DatagramChannel echo = boundV4();
        ch.send(text("anyone?"), nobody);
        ch.send(text("again"), nobody);
        send(echo, "still here", ch);
        assertEquals("still here", receiveFrom(ch, echo.getLocalAddress()));
    }

    @Test
    void scatterAndGatherOneDatagram() throws Exception {
        DatagramChannel a = boundV4();
        DatagramChannel b = boundV4();
        a.connect(b.getLocalAddress());
        b.connect(a.getLocalAddress());
        ByteBuffer[] srcs = {text("abc"), ByteBuffer.allocate(0), ByteBuffer.allocateDirect(4)
                .put(text("defg")).flip()};
        assertEquals(7, a.write(srcs));
        assertEquals(0, srcs[0].remaining() + srcs[2].remaining(), "gathered whole");
        ByteBuffer[] dsts = {ByteBuffer.allocate(2), ByteBuffer.allocateDirect(3),
            ByteBuffer.allocate(8)};
        assertEquals(7, b.read(dsts, 0, 3));
        assertEquals("ab", text(dsts[0]));
        assertEquals("cde", text(dsts[1]));
        assertEquals("fg", text(dsts[2]));
        assertThrows(IndexOutOfBoundsException.class, () -> b.read(dsts, 2, 2));
    }

    @Test
    void writingNothingSendsNoDatagram() throws Exception {
        DatagramChannel a = boundV4();
        DatagramChannel b = boundV4();
        a.connect(b.getLocalAddress());
        assertEquals(0, a.write(ByteBuffer.allocate(0)));
        assertNextIsSentinel(a, b.getLocalAddress(), b);
    }

    @Test
    void nonBlockingOperationsDoNotWait() throws Exception {
        DatagramChannel a = boundV4();
        a.configureBlocking(false);
        assertNull(a.receive(ByteBuffer.allocate(8)));
        a.connect(boundV4().getLocalAddress());
        assertEquals(0, a.read(ByteBuffer.allocate(8)));
    }

    @Test
    void selectionReportsWritableAndReadable() throws Exception {
        Selector selector = openSelector();
        DatagramChannel a = boundV4();
        DatagramChannel b = boundV4();
        assertThrows(IllegalBlockingModeException.class, () -> b.register(selector, OP_READ));
        b.configureBlocking(false);
        SelectionKey key = b.register(selector, OP_READ | OP_WRITE);
        ContractSupport.awaitReady(selector, key, OP_WRITE);
        assertEquals(0, key.readyOps() & OP_READ, "nothing to read yet");

        key.interestOps(OP_READ);
        send(a, "wake", b);
        ContractSupport.awaitReady(selector, key, OP_READ);
        assertEquals(a.getLocalAddress(), b.receive(ByteBuffer.allocate(8)));
    }

    @Test
    void oneSelectorServesDatagramAndStreamChannels() throws Exception {
        Selector selector = openSelector();
        DatagramChannel udp = boundV4();
        udp.configureBlocking(false);
        SelectionKey udpKey = udp.register(selector, OP_READ);
        Pair pair = connectedPair();
        SocketChannel tcp = pair.client();
        tcp.configureBlocking(false);
        SelectionKey tcpKey = tcp.register(selector, OP_READ);

        send(boundV4(), "udp", udp);
        ContractSupport.writeFully(pair.accepted(), "tcp".getBytes());
        ContractSupport.awaitReady(selector, udpKey, OP_READ);
        ContractSupport.awaitReady(selector, tcpKey, OP_READ);
    }

    @Test
    void closingARegisteredChannelFreesItsPortAfterTheNextSelection() throws Exception {
        Selector selector = openSelector();
        DatagramChannel ch = boundV4();
        SocketAddress address = ch.getLocalAddress();
        ch.configureBlocking(false);
        SelectionKey key = ch.register(selector, OP_READ);
        ch.close();
        assertFalse(key.isValid());
        selector.selectNow();
        assertFalse(ch.isRegistered());
        // The descriptor is released: the port can be bound again.
        openDatagram(StandardProtocolFamily.INET).bind(address);
    }

    @Test
    void closedChannelRefusesEverything() throws Exception {
        DatagramChannel ch = boundV4();
        ch.close();
        ch.close();
        ByteBuffer one = ByteBuffer.allocate(1);
        assertThrows(ClosedChannelException.class, ch::getLocalAddress);
        assertThrows(ClosedChannelException.class, ch::getRemoteAddress);
        assertThrows(ClosedChannelException.class, () -> ch.receive(one));
        assertThrows(ClosedChannelException.class,
                () -> ch.send(one, new InetSocketAddress(LOOPBACK_V4, 9)));
        assertThrows(ClosedChannelException.class, () -> ch.configureBlocking(false));
    }

    @Test
    void readAndWriteNeedAConnection() throws Exception {
        DatagramChannel ch = boundV4();
        ByteBuffer one = ByteBuffer.allocate(1);
        assertThrows(NotYetConnectedException.class, () -> ch.read(one));
        assertThrows(NotYetConnectedException.class, () -> ch.read(new ByteBuffer[] {one}));
        assertThrows(NotYetConnectedException.class, () -> ch.write(one));
        assertThrows(NotYetConnectedException.class, () -> ch.write(new ByteBuffer[] {one}));
    }
}
