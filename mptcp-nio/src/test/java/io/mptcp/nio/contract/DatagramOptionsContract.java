package io.mptcp.nio.contract;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.ProtocolFamily;
import java.net.SocketException;
import java.net.SocketOption;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code DatagramChannel} options: the JDK's set, its defaults, what each reads back after it
 * is set (on IPv4 and IPv6 channels), and the errors. The JDK's own channel is opened next to
 * the one under test where the expected value is "whatever the JDK reports here".
 */
abstract class DatagramOptionsContract extends DatagramContract {

    /** An option of jdk.net.ExtendedSocketOptions, or null where this JDK lacks it. */
    private static SocketOption<?> jdkNet(String field) {
        try {
            return (SocketOption<?>) Class.forName("jdk.net.ExtendedSocketOptions")
                    .getField(field).get(null);
        } catch (ReflectiveOperationException e) {
            return null;
        }
    }

    @Test
    void theSupportedOptionsAreTheJdks() throws Exception {
        Set<SocketOption<?>> expected;
        try (DatagramChannel jdk = Providers.jdk().openDatagramChannel()) {
            expected = jdk.supportedOptions();
        }
        assertEquals(expected, openDatagram().supportedOptions());
        assertEquals(expected, openDatagram().socket().supportedOptions());
    }

    /** Every option of a fresh channel reads as on a fresh JDK channel of the same family. */
    @ParameterizedTest
    @ValueSource(strings = {"INET", "INET6"})
    void theDefaultsAreTheJdks(String family) throws Exception {
        ProtocolFamily f = StandardProtocolFamily.valueOf(family);
        DatagramChannel ch = openDatagram(f);
        try (DatagramChannel jdk = Providers.jdk().openDatagramChannel(f)) {
            assertEquals(values(jdk), values(ch));
        }
        assertEquals(false, ch.getOption(StandardSocketOptions.SO_BROADCAST));
        assertEquals(1, ch.getOption(StandardSocketOptions.IP_MULTICAST_TTL));
        assertEquals(true, ch.getOption(StandardSocketOptions.IP_MULTICAST_LOOP));
        assertEquals(null, ch.getOption(StandardSocketOptions.IP_MULTICAST_IF));
    }

    private static Map<String, Object> values(DatagramChannel ch) throws Exception {
        Map<String, Object> values = new TreeMap<>();
        for (SocketOption<?> option : ch.supportedOptions()) {
            values.put(option.name(), String.valueOf(ch.getOption(option)));
        }
        return values;
    }

    /**
     * Writing back what each option reads: the JDK's channel refuses two, so ours does too:
     * the read-only {@code SO_INCOMING_NAPI_ID} (SocketException) and {@code IP_MULTICAST_IF},
     * which reads null until set and refuses null (IllegalArgumentException).
     */
    @ParameterizedTest
    @ValueSource(strings = {"INET", "INET6"})
    void everyOptionButTwoTakesBackWhatItReads(String family) throws Exception {
        DatagramChannel ch = openDatagram(StandardProtocolFamily.valueOf(family));
        for (SocketOption<?> option : ch.supportedOptions()) {
            setWhatItReads(ch, option);
        }
        assertTrue(ch.isOpen());
    }

    private static <T> void setWhatItReads(DatagramChannel ch, SocketOption<T> option)
            throws Exception {
        T value = ch.getOption(option);
        if (option.name().equals("SO_INCOMING_NAPI_ID")) {
            assertThrows(SocketException.class, () -> ch.setOption(option, value));
        } else if (option == StandardSocketOptions.IP_MULTICAST_IF) {
            assertEquals(null, value);
            assertThrows(IllegalArgumentException.class, () -> ch.setOption(option, value));
        } else {
            ch.setOption(option, value);
            assertEquals(value, ch.getOption(option), option.name());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"INET", "INET6"})
    void optionsReadBackAsSet(String family) throws Exception {
        DatagramChannel ch = openDatagram(StandardProtocolFamily.valueOf(family));
        assertRoundTrip(ch, StandardSocketOptions.SO_SNDBUF, 65_536);
        assertRoundTrip(ch, StandardSocketOptions.SO_RCVBUF, 65_536);
        assertRoundTrip(ch, StandardSocketOptions.SO_REUSEADDR, true);
        assertRoundTrip(ch, StandardSocketOptions.SO_REUSEPORT, true);
        assertRoundTrip(ch, StandardSocketOptions.SO_BROADCAST, true);
        assertRoundTrip(ch, StandardSocketOptions.IP_TOS, 0x28);
        assertRoundTrip(ch, StandardSocketOptions.IP_MULTICAST_TTL, 7);
        assertRoundTrip(ch, StandardSocketOptions.IP_MULTICAST_TTL, 0);
        assertRoundTrip(ch, StandardSocketOptions.IP_MULTICAST_LOOP, false);
        NetworkInterface lo = NetworkInterface.getByInetAddress(LOOPBACK_V4);
        assertRoundTrip(ch, StandardSocketOptions.IP_MULTICAST_IF, lo);
        @SuppressWarnings("unchecked")
        SocketOption<Boolean> dontFragment = (SocketOption<Boolean>) jdkNet("IP_DONTFRAGMENT");
        if (dontFragment != null) {
            assertRoundTrip(ch, dontFragment, true);
            assertRoundTrip(ch, dontFragment, false);
        }
    }

    private static <T> void assertRoundTrip(DatagramChannel ch, SocketOption<T> option, T value)
            throws Exception {
        assertEquals(ch, ch.setOption(option, value));
        assertEquals(value, ch.getOption(option), option.name());
    }

    @Test
    void invalidValuesAndUnknownOptionsAreRefused() throws Exception {
        DatagramChannel ch = openDatagram();
        assertThrows(IllegalArgumentException.class,
                () -> ch.setOption(StandardSocketOptions.IP_TOS, 256));
        assertThrows(IllegalArgumentException.class,
                () -> ch.setOption(StandardSocketOptions.IP_TOS, -1));
        assertThrows(IllegalArgumentException.class,
                () -> ch.setOption(StandardSocketOptions.IP_MULTICAST_TTL, 256));
        assertThrows(IllegalArgumentException.class,
                () -> ch.setOption(StandardSocketOptions.SO_SNDBUF, -1));
        assertThrows(IllegalArgumentException.class,
                () -> ch.setOption(StandardSocketOptions.SO_RCVBUF, null));
        assertThrows(IllegalArgumentException.class,
                () -> ch.setOption(StandardSocketOptions.IP_MULTICAST_IF, null));
        @SuppressWarnings({"unchecked", "rawtypes"})
        SocketOption<Object> raw = (SocketOption) StandardSocketOptions.SO_BROADCAST;
        assertThrows(IllegalArgumentException.class, () -> ch.setOption(raw, 1));
        assertThrows(UnsupportedOperationException.class,
                () -> ch.setOption(StandardSocketOptions.TCP_NODELAY, true));
        assertThrows(UnsupportedOperationException.class,
                () -> ch.getOption(StandardSocketOptions.SO_LINGER));
        assertThrows(NullPointerException.class, () -> ch.getOption(null));
        @SuppressWarnings("unchecked")
        SocketOption<Integer> napiId = (SocketOption<Integer>) jdkNet("SO_INCOMING_NAPI_ID");
        if (napiId != null && ch.supportedOptions().contains(napiId)) {
            assertThrows(SocketException.class, () -> ch.setOption(napiId, 1), "read-only");
        }
        try (DatagramChannel jdk = Providers.jdk().openDatagramChannel()) {
            jdk.setOption(StandardSocketOptions.SO_RCVBUF, 0);
            assertEquals(jdk.getOption(StandardSocketOptions.SO_RCVBUF),
                    ch.setOption(StandardSocketOptions.SO_RCVBUF, 0)
                            .getOption(StandardSocketOptions.SO_RCVBUF),
                    "0 is accepted: the kernel's minimum, halved");
        }
        ch.close();
        assertThrows(ClosedChannelException.class,
                () -> ch.getOption(StandardSocketOptions.SO_BROADCAST));
        assertThrows(ClosedChannelException.class,
                () -> ch.setOption(StandardSocketOptions.SO_BROADCAST, true));
    }

    /** 127.255.255.255 is the broadcast address of lo: the datagram stays on this host. */
    @Test
    void broadcastNeedsSoBroadcast() throws Exception {
        DatagramChannel receiver = openDatagram(StandardProtocolFamily.INET).bind(null);
        InetSocketAddress broadcast = new InetSocketAddress(
                InetAddress.getByName("127.255.255.255"), ContractSupport.port(
                        receiver.getLocalAddress()));
        DatagramChannel sender = openDatagram(StandardProtocolFamily.INET);
        assertThrows(BindException.class, () -> sender.send(text("no"), broadcast),
                "EACCES, mapped as the JDK maps it");
        sender.setOption(StandardSocketOptions.SO_BROADCAST, true);
        sender.send(text("all"), broadcast);
        ByteBuffer dst = ByteBuffer.allocate(8);
        assertTrue(receiver.receive(dst) != null);
        assertEquals("all", text(dst));
    }
}
