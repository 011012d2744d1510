package io.mptcp.nio.contract;

import static io.mptcp.nio.contract.ContractSupport.port;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.ProtocolFamily;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.nio.channels.MembershipKey;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Multicast ({@code MulticastChannel}): joins, the membership keys, source filters and their
 * errors, in a {@link MulticastNamespace} (IPv4 over {@code lo}, IPv6 over a veth pair inside
 * it). A datagram that must not arrive is shown by a unicast sentinel arriving first.
 */
abstract class DatagramMulticastContract extends DatagramContract {
    private static final InetAddress V4_GROUP = address("239.7.7.7");
    private static final InetAddress V4_SSM_GROUP = address("232.7.7.7");
    private static final InetAddress V4_OTHER = address("127.0.0.2");
    private static final InetAddress V6_GROUP = address("ff12::7:7");
    private static final InetAddress V6_SSM_GROUP = address("ff32::8000:7");

    private static InetAddress address(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    private MulticastNamespace namespace() throws Exception {
        return track(MulticastNamespace.create());
    }

    /**
     * A non-blocking channel receiving on the wildcard address, ephemeral port: a datagram
     * that does not arrive fails the test with its name instead of hanging it.
     */
    private DatagramChannel receiver(ProtocolFamily family) throws Exception {
        DatagramChannel ch = openDatagram(family).bind(null);
        ch.configureBlocking(false);
        return ch;
    }

    /** A channel bound to {@code source} that sends multicast out of {@code interf}. */
    private DatagramChannel sender(ProtocolFamily family, InetAddress source,
            NetworkInterface interf) throws Exception {
        DatagramChannel ch = openDatagram(family).bind(new InetSocketAddress(source, 0));
        ch.setOption(StandardSocketOptions.IP_MULTICAST_IF, interf);
        return ch;
    }

    private static void sendTo(DatagramChannel from, String s, InetAddress group,
            DatagramChannel to) throws Exception {
        from.send(text(s), new InetSocketAddress(group, port(to.getLocalAddress())));
    }

    @ParameterizedTest
    @ValueSource(strings = {"INET", "INET6"})
    void anIpv4GroupJoinedOnLoopbackDelivers(String family) throws Exception {
        MulticastNamespace ns = namespace();
        ns.call(() -> {
            NetworkInterface lo = NetworkInterface.getByName("lo");
            DatagramChannel r = receiver(StandardProtocolFamily.valueOf(family));
            MembershipKey key = r.join(V4_GROUP, lo);
            assertTrue(key.isValid());
            assertSame(r, key.channel());
            assertEquals(V4_GROUP, key.group());
            assertEquals(lo, key.networkInterface());
            assertNull(key.sourceAddress());
            assertSame(key, r.join(V4_GROUP, lo), "joining again returns the same key");

            DatagramChannel s = sender(StandardProtocolFamily.INET, LOOPBACK_V4, lo);
            sendTo(s, "to the group", V4_GROUP, r);
            assertEquals("to the group", awaitFrom(r, s.getLocalAddress(), "to the group"));
            return null;
        });
    }

    @Test
    void dropStopsDeliveryAndInvalidatesTheKey() throws Exception {
        MulticastNamespace ns = namespace();
        ns.call(() -> {
            NetworkInterface lo = NetworkInterface.getByName("lo");
            DatagramChannel r = receiver(StandardProtocolFamily.INET);
            MembershipKey key = r.join(V4_GROUP, lo);
            DatagramChannel s = sender(StandardProtocolFamily.INET, LOOPBACK_V4, lo);
            key.drop();
            assertFalse(key.isValid());
            key.drop(); // again: nothing
            sendTo(s, "nobody listens", V4_GROUP, r);
            assertNextIsSentinel(s, loopbackOf(r), r);
            assertThrows(IllegalStateException.class, () -> key.block(V4_OTHER));
            MembershipKey again = r.join(V4_GROUP, lo);
            assertTrue(again.isValid() && again != key, "a new membership");
            return null;
        });
    }

    @Test
    void blockAndUnblockASource() throws Exception {
        MulticastNamespace ns = namespace();
        ns.call(() -> {
            NetworkInterface lo = NetworkInterface.getByName("lo");
            DatagramChannel r = receiver(StandardProtocolFamily.INET);
            MembershipKey key = r.join(V4_GROUP, lo);
            DatagramChannel s = sender(StandardProtocolFamily.INET, LOOPBACK_V4, lo);
            assertSame(key, key.block(LOOPBACK_V4));
            assertSame(key, key.block(LOOPBACK_V4), "blocking again does nothing");
            sendTo(s, "blocked", V4_GROUP, r);
            assertNextIsSentinel(s, loopbackOf(r), r);
            assertSame(key, key.unblock(LOOPBACK_V4));
            sendTo(s, "unblocked", V4_GROUP, r);
            assertEquals("unblocked", awaitFrom(r, s.getLocalAddress(), "unblocked"));
            assertThrows(IllegalStateException.class, () -> key.unblock(LOOPBACK_V4),
                    "not blocked");
            assertThrows(IllegalArgumentException.class,
                    () -> key.block(InetAddress.getByName("0.0.0.0")));
            assertThrows(IllegalArgumentException.class, () -> key.block(V4_GROUP));
            return null;
        });
    }

    @Test
    void aSourceSpecificMembershipReceivesFromItsSourceOnly() throws Exception {
        MulticastNamespace ns = namespace();
        ns.call(() -> {
            NetworkInterface lo = NetworkInterface.getByName("lo");
            DatagramChannel r = receiver(StandardProtocolFamily.INET);
            MembershipKey key = r.join(V4_SSM_GROUP, lo, LOOPBACK_V4);
            assertEquals(LOOPBACK_V4, key.sourceAddress());
            assertSame(key, r.join(V4_SSM_GROUP, lo, LOOPBACK_V4));
            assertThrows(IllegalStateException.class, () -> key.block(V4_OTHER),
                    "a source-specific key blocks nothing");

            DatagramChannel other = sender(StandardProtocolFamily.INET, V4_OTHER, lo);
            sendTo(other, "not included", V4_SSM_GROUP, r);
            assertNextIsSentinel(other, loopbackOf(r), r);
            DatagramChannel s = sender(StandardProtocolFamily.INET, LOOPBACK_V4, lo);
            sendTo(s, "included", V4_SSM_GROUP, r);
            assertEquals("included", awaitFrom(r, s.getLocalAddress(), "included"));
            return null;
        });
    }

    @Test
    void anySourceAndSourceSpecificMembershipsExcludeEachOther() throws Exception {
        MulticastNamespace ns = namespace();
        ns.call(() -> {
            NetworkInterface lo = NetworkInterface.getByName("lo");
            DatagramChannel r = receiver(StandardProtocolFamily.INET);
            r.join(V4_GROUP, lo);
            assertThrows(IllegalStateException.class, () -> r.join(V4_GROUP, lo, LOOPBACK_V4));
            r.join(V4_SSM_GROUP, lo, LOOPBACK_V4);
            assertThrows(IllegalStateException.class, () -> r.join(V4_SSM_GROUP, lo));
            MembershipKey second = r.join(V4_SSM_GROUP, lo, V4_OTHER);
            assertEquals(V4_OTHER, second.sourceAddress(), "another source of the same group");
            return null;
        });
    }

    @Test
    void closingTheChannelInvalidatesItsKeys() throws Exception {
        MulticastNamespace ns = namespace();
        ns.call(() -> {
            NetworkInterface lo = NetworkInterface.getByName("lo");
            DatagramChannel r = receiver(StandardProtocolFamily.INET);
            MembershipKey any = r.join(V4_GROUP, lo);
            MembershipKey ssm = r.join(V4_SSM_GROUP, lo, LOOPBACK_V4);
            r.close();
            assertFalse(any.isValid());
            assertFalse(ssm.isValid());
            any.drop();
            assertThrows(ClosedChannelException.class, () -> r.join(V4_GROUP, lo));
            return null;
        });
    }

    @Test
    void anIpv6GroupDeliversAndFiltersSources() throws Exception {
        MulticastNamespace ns = namespace();
        InetAddress source = ns.onV6Device(MulticastNamespace.V6_SOURCE);
        InetAddress other = ns.onV6Device(MulticastNamespace.V6_OTHER);
        ns.call(() -> {
            NetworkInterface mc0 = NetworkInterface.getByName(MulticastNamespace.V6_DEVICE);
            DatagramChannel r = receiver(StandardProtocolFamily.INET6);
            MembershipKey key = r.join(V6_GROUP, mc0);
            DatagramChannel s = sender(StandardProtocolFamily.INET6, source, mc0);
            DatagramChannel o = sender(StandardProtocolFamily.INET6, other, mc0);
            SocketAddress rUnicast = new InetSocketAddress(source, port(r.getLocalAddress()));

            sendTo(s, "six", V6_GROUP, r);
            assertEquals("six", awaitFrom(r, s.getLocalAddress(), "six"));
            key.block(other);
            sendTo(o, "blocked", V6_GROUP, r);
            assertNextIsSentinel(o, rUnicast, r);
            key.unblock(other);
            sendTo(o, "unblocked", V6_GROUP, r);
            assertEquals("unblocked", awaitFrom(r, o.getLocalAddress(), "unblocked"));

            MembershipKey ssm = r.join(V6_SSM_GROUP, mc0, source);
            sendTo(o, "not included", V6_SSM_GROUP, r);
            assertNextIsSentinel(o, rUnicast, r);
            sendTo(s, "included", V6_SSM_GROUP, r);
            assertEquals("included", awaitFrom(r, s.getLocalAddress(), "included"));
            ssm.drop();
            sendTo(s, "dropped", V6_SSM_GROUP, r);
            assertNextIsSentinel(s, rUnicast, r);
            return null;
        });
    }

    @Test
    void theSocketAdaptorJoinsAndLeaves() throws Exception {
        MulticastNamespace ns = namespace();
        ns.call(() -> {
            NetworkInterface lo = NetworkInterface.getByName("lo");
            DatagramChannel r = receiver(StandardProtocolFamily.INET);
            DatagramSocket socket = r.socket();
            SocketAddress group = new InetSocketAddress(V4_GROUP, 0);
            socket.joinGroup(group, lo);
            assertThrows(SocketException.class, () -> socket.joinGroup(group, lo),
                    "Already a member of group");
            DatagramChannel s = sender(StandardProtocolFamily.INET, LOOPBACK_V4, lo);
            sendTo(s, "adaptor", V4_GROUP, r);
            assertEquals("adaptor", awaitFrom(r, s.getLocalAddress(), "adaptor"));
            socket.leaveGroup(group, lo);
            assertThrows(SocketException.class, () -> socket.leaveGroup(group, lo),
                    "Not a member of group");
            sendTo(s, "left", V4_GROUP, r);
            assertNextIsSentinel(s, loopbackOf(r), r);

            // Without an interface: the kernel's choice (the route of 224.0.0.0/4 is lo).
            socket.joinGroup(group, null);
            sendTo(s, "any interface", V4_GROUP, r);
            assertEquals("any interface", awaitFrom(r, s.getLocalAddress(), "any interface"));
            socket.leaveGroup(group, null);
            assertThrows(SocketException.class,
                    () -> socket.joinGroup(new InetSocketAddress(LOOPBACK_V4, 0), lo),
                    "Not a multicast address");
            assertThrows(IllegalArgumentException.class, () -> socket.joinGroup(
                    InetSocketAddress.createUnresolved("group.invalid", 0), lo));
            return null;
        });
    }

    /** Argument checks, made before the kernel is asked: no namespace needed. */
    @Test
    void joinRefusesBadArguments() throws Exception {
        NetworkInterface lo = NetworkInterface.getByInetAddress(LOOPBACK_V4);
        DatagramChannel v4 = openDatagram(StandardProtocolFamily.INET);
        DatagramChannel v6 = openDatagram(StandardProtocolFamily.INET6);
        assertThrows(IllegalArgumentException.class, () -> v4.join(LOOPBACK_V4, lo),
                "not a multicast address");
        assertThrows(IllegalArgumentException.class, () -> v4.join(V6_GROUP, lo),
                "an IPv6 group on an IPv4 channel");
        assertThrows(IllegalArgumentException.class,
                () -> v4.join(V4_SSM_GROUP, lo, InetAddress.getByName("0.0.0.0")));
        assertThrows(IllegalArgumentException.class, () -> v4.join(V4_SSM_GROUP, lo, V4_GROUP));
        assertThrows(IllegalArgumentException.class,
                () -> v6.join(V6_SSM_GROUP, lo, LOOPBACK_V4), "source of another family");
        assertThrows(NullPointerException.class, () -> v4.join(V4_GROUP, null));
        assertThrows(NullPointerException.class, () -> v4.join(V4_SSM_GROUP, lo, null));
        assertThrows(NullPointerException.class, () -> v4.join(null, lo));
    }

    /** The receiver's unicast address on loopback (it is bound to the wildcard). */
    private static SocketAddress loopbackOf(DatagramChannel r) throws Exception {
        return new InetSocketAddress(LOOPBACK_V4, port(r.getLocalAddress()));
    }
}
