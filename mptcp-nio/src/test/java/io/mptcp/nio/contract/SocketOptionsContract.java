package io.mptcp.nio.contract;

import static io.mptcp.nio.contract.ContractSupport.loopback;
import static java.net.StandardSocketOptions.IP_TOS;
import static java.net.StandardSocketOptions.SO_BROADCAST;
import static java.net.StandardSocketOptions.SO_KEEPALIVE;
import static java.net.StandardSocketOptions.SO_LINGER;
import static java.net.StandardSocketOptions.SO_RCVBUF;
import static java.net.StandardSocketOptions.SO_REUSEADDR;
import static java.net.StandardSocketOptions.SO_SNDBUF;
import static java.net.StandardSocketOptions.TCP_NODELAY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketOption;
import java.nio.channels.NetworkChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.List;
import java.util.Set;

import jdk.net.ExtendedSocketOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Case 8: socket options through {@code NetworkChannel.setOption/getOption}. Values stay
 * below the stock Linux {@code rmem_max}/{@code wmem_max} (212992), so that the expected values
 * hold on any host.
 */
abstract class SocketOptionsContract extends ChannelContract {

    static final Set<SocketOption<?>> SOCKET_OPTIONS = Set.of(
            SO_SNDBUF, SO_RCVBUF, SO_KEEPALIVE, SO_REUSEADDR, SO_LINGER, TCP_NODELAY, IP_TOS);
    static final Set<SocketOption<?>> SERVER_OPTIONS = Set.of(SO_RCVBUF, SO_REUSEADDR);

    @Test
    void standardOptionsAreSupported() throws Exception {
        Set<SocketOption<?>> socket = openSocketChannel().supportedOptions();
        assertTrue(socket.containsAll(SOCKET_OPTIONS), "socket channel options: " + socket);
        assertThrows(UnsupportedOperationException.class, () -> socket.add(SO_BROADCAST),
                "supportedOptions() is unmodifiable");
        Set<SocketOption<?>> server = openServerSocketChannel().supportedOptions();
        assertTrue(server.containsAll(SERVER_OPTIONS), "server channel options: " + server);
        assertEquals(socket, connectedPair().accepted().supportedOptions(),
                "accepted channels support what opened ones do");
    }

    /** Netty enumerates {@code supportedOptions()} and reads each one. */
    @Test
    void everySupportedOptionIsReadable() throws Exception {
        Pair pair = connectedPair();
        ServerSocketChannel unbound = openServerSocketChannel();
        List<NetworkChannel> channels = List.of(openSocketChannel(), pair.client(),
                pair.accepted(), pair.server(), unbound);
        for (NetworkChannel ch : channels) {
            for (SocketOption<?> option : ch.supportedOptions()) {
                Object value = ch.getOption(option);
                assertInstanceOf(option.type(), value, option + " of " + ch);
            }
        }
    }

    /**
     * {@code TCP_QUICKACK} reads true on a socket that never set it: Linux reports whether the
     * socket is in quick-ack mode, where every TCP socket starts (interactive traffic may turn
     * it false later, so only sockets that carried nothing are read here).
     */
    @ParameterizedTest(name = "[{index}] {0}")
    @ValueSource(strings = {"127.0.0.1", "::1"})
    void quickAckReadsTrueUntilSet(String host) throws Exception {
        Pair pair = connectedPair(loopback(host));
        List<NetworkChannel> channels = List.of(openSocketChannel(), pair.client(),
                pair.accepted(), pair.server(), openServerSocketChannel());
        for (NetworkChannel ch : channels) {
            assertEquals(true, ch.getOption(ExtendedSocketOptions.TCP_QUICKACK), "of " + ch);
        }
        SocketChannel ch = pair.client();
        assertRoundTrip(ch, ExtendedSocketOptions.TCP_QUICKACK, false, false);
        assertRoundTrip(ch, ExtendedSocketOptions.TCP_QUICKACK, true, true);
    }

    /**
     * The options a channel lists but never takes: the JDK's read-only
     * {@code SO_INCOMING_NAPI_ID}, and our read-only MPTCP keys, which describe the connection.
     */
    static final Set<String> READ_ONLY = Set.of("SO_INCOMING_NAPI_ID", "MPTCP_TOKEN",
            "MPTCP_INFO", "MPTCP_SUBFLOWS", "MPTCP_FALLBACK_REASON");

    /**
     * The idiom {@code for (o : supportedOptions()) ch.setOption(o, ch.getOption(o))} (and
     * Netty's {@code config().setOptions(config().getOptions())}) works for every option but
     * the read-only ones, which throw SocketException as the JDK's {@code SO_INCOMING_NAPI_ID}
     * does; the JDK lists that one in {@code supportedOptions()} too, so the idiom as written
     * fails on the JDK's own channels.
     */
    static void assertTakesBackWhatItReads(NetworkChannel ch, Set<String> readOnly)
            throws IOException {
        for (SocketOption<?> option : ch.supportedOptions()) {
            setWhatItReads(ch, option, readOnly.contains(option.name()));
        }
        assertTrue(ch.isOpen());
    }

    private static <T> void setWhatItReads(NetworkChannel ch, SocketOption<T> option,
            boolean readOnly) throws IOException {
        T value = ch.getOption(option);
        if (readOnly) {
            assertThrows(java.net.SocketException.class, () -> ch.setOption(option, value),
                    option + " is read-only");
        } else {
            ch.setOption(option, value);
        }
    }

    @Test
    void everyWritableOptionTakesBackWhatItReads() throws Exception {
        Pair pair = connectedPair();
        for (NetworkChannel ch : List.of(openSocketChannel(), pair.client(), pair.accepted(),
                pair.server(), openServerSocketChannel())) {
            assertTakesBackWhatItReads(ch, READ_ONLY);
        }
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @ValueSource(strings = {"127.0.0.1", "::1"})
    void socketOptionsRoundTrip(String host) throws Exception {
        SocketChannel ch = connectedPair(loopback(host)).client();
        assertRoundTrip(ch, TCP_NODELAY, true, true);
        assertRoundTrip(ch, TCP_NODELAY, false, false);
        assertRoundTrip(ch, SO_KEEPALIVE, true, true);
        assertRoundTrip(ch, SO_KEEPALIVE, false, false);
        assertRoundTrip(ch, SO_LINGER, 5, 5);
        assertRoundTrip(ch, SO_LINGER, 0, 0);
        assertRoundTrip(ch, SO_LINGER, -1, -1);
        assertRoundTrip(ch, SO_LINGER, -5, -1);
        assertRoundTrip(ch, SO_LINGER, 100_000, 65_535);
        assertRoundTrip(ch, IP_TOS, 0x10, 0x10);
        assertRoundTrip(ch, IP_TOS, 0xB8, 0xB8);
        assertRoundTrip(ch, IP_TOS, 0, 0);
        assertBuffersGrow(ch, SO_RCVBUF);
        assertBuffersGrow(ch, SO_SNDBUF);
    }

    /**
     * Linux reports twice the size set (its bookkeeping overhead); the JDK halves it, so that a
     * size reads back as set. Then a larger size reads back larger.
     */
    private static void assertBuffersGrow(NetworkChannel ch, SocketOption<Integer> option)
            throws IOException {
        assertRoundTrip(ch, option, 16_384, 16_384);
        assertRoundTrip(ch, option, 131_072, 131_072);
    }

    private static <T> void assertRoundTrip(NetworkChannel ch, SocketOption<T> option, T value,
            T expected) throws IOException {
        ch.setOption(option, value);
        assertEquals(expected, ch.getOption(option), option + " set to " + value);
    }

    @Test
    void serverOptionsRoundTrip() throws Exception {
        ServerSocketChannel server = openServerSocketChannel();
        assertRoundTrip(server, SO_REUSEADDR, true, true);
        assertRoundTrip(server, SO_REUSEADDR, false, false);
        assertBuffersGrow(server, SO_RCVBUF);

        SocketChannel unbound = openSocketChannel();
        assertRoundTrip(unbound, SO_REUSEADDR, true, true);
        assertRoundTrip(unbound, SO_REUSEADDR, false, false);
    }

    /** Options set before connect (window scaling needs SO_RCVBUF then) survive the connect. */
    @Test
    void optionsSetBeforeConnectSurviveTheConnect() throws Exception {
        ServerSocketChannel server = listen(ContractSupport.LOOPBACK_V4);
        SocketChannel ch = openSocketChannel();
        ch.setOption(TCP_NODELAY, true);
        ch.setOption(SO_KEEPALIVE, true);
        ch.setOption(SO_RCVBUF, 131_072);
        ch.setOption(SO_LINGER, 3);
        ch.connect(server.getLocalAddress());
        track(server.accept());
        assertEquals(true, ch.getOption(TCP_NODELAY));
        assertEquals(true, ch.getOption(SO_KEEPALIVE));
        assertEquals(131_072, ch.getOption(SO_RCVBUF));
        assertEquals(3, ch.getOption(SO_LINGER));
    }

    /** Accepted sockets inherit the listener's receive buffer (the documented way to set it). */
    @Test
    void acceptedChannelsInheritTheListenersReceiveBuffer() throws Exception {
        ServerSocketChannel server = openServerSocketChannel();
        server.setOption(SO_RCVBUF, 131_072);
        server.bind(new InetSocketAddress(ContractSupport.LOOPBACK_V4, 0));
        SocketChannel client = openSocketChannel();
        client.connect(server.getLocalAddress());
        SocketChannel accepted = track(server.accept());
        assertEquals(131_072, accepted.getOption(SO_RCVBUF));
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    @Test
    void invalidOptionsAndValuesAreRefused() throws Exception {
        SocketChannel ch = connectedPair().client();
        assertThrows(NullPointerException.class, () -> ch.setOption(null, 1));
        assertThrows(NullPointerException.class, () -> ch.getOption(null));
        assertThrows(UnsupportedOperationException.class, () -> ch.setOption(SO_BROADCAST, true));
        assertThrows(UnsupportedOperationException.class, () -> ch.getOption(SO_BROADCAST));
        assertThrows(IllegalArgumentException.class, () -> ch.setOption(SO_RCVBUF, -1));
        assertThrows(IllegalArgumentException.class, () -> ch.setOption(SO_SNDBUF, -1));
        assertThrows(IllegalArgumentException.class, () -> ch.setOption(IP_TOS, 256));
        assertThrows(IllegalArgumentException.class, () -> ch.setOption(IP_TOS, -1));
        assertThrows(IllegalArgumentException.class, () -> ch.setOption(SO_RCVBUF, null));
        assertThrows(IllegalArgumentException.class, () -> ch.setOption(TCP_NODELAY, null));
        assertThrows(IllegalArgumentException.class, () -> ch.setOption(SO_LINGER, null));
        assertThrows(IllegalArgumentException.class,
                () -> ch.setOption((SocketOption) SO_RCVBUF, "x"), "value of the wrong type");
        assertTrue(ch.isOpen(), "refused options leave the channel open");
        assertTrue(ch.getOption(SO_RCVBUF) > 0);

        ServerSocketChannel server = openServerSocketChannel();
        assertThrows(NullPointerException.class, () -> server.setOption(null, 1));
        assertThrows(UnsupportedOperationException.class,
                () -> server.setOption(TCP_NODELAY, true));
        assertThrows(UnsupportedOperationException.class, () -> server.getOption(SO_LINGER));
        assertThrows(IllegalArgumentException.class, () -> server.setOption(SO_RCVBUF, -1));
    }
}
