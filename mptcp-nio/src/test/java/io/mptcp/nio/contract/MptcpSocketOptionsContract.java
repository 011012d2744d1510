package io.mptcp.nio.contract;

import io.mptcp.nio.MptcpInfo;
import io.mptcp.nio.MptcpServerSocketChannel;
import io.mptcp.nio.MptcpSocketChannel;
import io.mptcp.nio.MptcpToken;
import io.mptcp.nio.Subflow;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketOption;
import java.net.StandardSocketOptions;
import java.nio.channels.NetworkChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.spi.SelectorProvider;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import static io.mptcp.nio.MptcpSocketOptions.MPTCP_ENABLED;
import static io.mptcp.nio.MptcpSocketOptions.MPTCP_INFO;
import static io.mptcp.nio.MptcpSocketOptions.MPTCP_SUBFLOWS;
import static io.mptcp.nio.MptcpSocketOptions.MPTCP_TOKEN;
import static io.mptcp.nio.contract.ContractSupport.loopback;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Case 8, our provider only: the options every socket option suite checks, plus
 * {@link io.mptcp.nio.MptcpSocketOptions#MPTCP_ENABLED}, which must read what the mode asked
 * for, and the tolerance of standard options on MPTCP sockets.
 */
abstract class MptcpSocketOptionsContract extends SocketOptionsContract {

    /** Whether connections in this suite's mode are MPTCP ({@code all}) or TCP ({@code off}). */
    protected abstract boolean mptcpExpected();

    @Override
    protected final SelectorProvider provider() {
        return Providers.MPTCP;
    }

    /** Aborts the test visibly unless this kernel can open MPTCP sockets. */
    private static void assumeMptcpKernel() throws IOException {
        Path enabled = Path.of("/proc/sys/net/mptcp/enabled");
        Assumptions.assumeTrue(Files.exists(enabled), "this kernel has no MPTCP");
        Assumptions.assumeTrue(Files.readString(enabled).trim().equals("1"),
                "MPTCP is disabled: sysctl net.mptcp.enabled=0");
    }

    /**
     * What {@code MPTCP_ENABLED} must read. Where MPTCP is expected, aborts the test visibly if
     * the kernel cannot give it (our provider then falls back to TCP, correctly).
     */
    private boolean expected() throws IOException {
        if (mptcpExpected()) {
            assumeMptcpKernel();
        }
        return mptcpExpected();
    }

    @Test
    void channelsAreOurTypesAndListMptcpEnabled() throws Exception {
        Pair pair = connectedPair();
        assertInstanceOf(MptcpServerSocketChannel.class, pair.server());
        for (SocketChannel ch : Set.of(openSocketChannel(), pair.client(), pair.accepted())) {
            assertInstanceOf(MptcpSocketChannel.class, ch);
            assertTrue(ch.supportedOptions().contains(MPTCP_ENABLED), "options of " + ch);
        }
    }

    @Test
    void unconnectedChannelTellsWhetherItWasOpenedAsMptcp() throws Exception {
        assertEquals(expected(), openSocketChannel().getOption(MPTCP_ENABLED));
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @ValueSource(strings = {"127.0.0.1", "::1"})
    void bothEndsOfALoopbackConnectionReadTheMode(String host) throws Exception {
        Pair pair = connectedPair(loopback(host));
        assertEquals(expected(), pair.client().getOption(MPTCP_ENABLED), "client side");
        assertEquals(expected(), pair.accepted().getOption(MPTCP_ENABLED), "accepted side");
    }

    /**
     * Token, MPTCP_INFO and the subflow list of a loopback connection: one subflow whose
     * addresses are the channel's. On TCP, and before connect, they are empty, never an error:
     * programs read every supported option (Netty's {@code config().getOptions()}).
     */
    @ParameterizedTest(name = "[{index}] {0}")
    @ValueSource(strings = {"127.0.0.1", "::1"})
    void connectionStateIsReadableOnMptcpAndEmptyOnTcp(String host) throws Exception {
        SocketChannel unconnected = openSocketChannel();
        assertEquals(Optional.empty(), unconnected.getOption(MPTCP_INFO));
        assertEquals(Optional.empty(), unconnected.getOption(MPTCP_TOKEN));
        assertEquals(List.of(), unconnected.getOption(MPTCP_SUBFLOWS));

        Pair pair = connectedPair(loopback(host));
        SocketChannel client = pair.client();
        SocketChannel accepted = pair.accepted();
        if (!expected()) {
            for (SocketChannel ch : List.of(client, accepted)) {
                assertEquals(Optional.empty(), ch.getOption(MPTCP_INFO));
                assertEquals(Optional.empty(), ch.getOption(MPTCP_TOKEN));
                assertEquals(List.of(), ch.getOption(MPTCP_SUBFLOWS));
            }
            return;
        }
        byte[] data = ContractSupport.randomBytes(7, 200_000);
        ContractSupport.writeFully(client, data);
        ContractSupport.readFully(accepted, data.length);

        MptcpInfo info = client.getOption(MPTCP_INFO).orElseThrow();
        MptcpToken token = client.getOption(MPTCP_TOKEN).orElseThrow();
        assertEquals(info.token(), token);
        assertNotEquals(0, token.value());
        assertNotEquals(token, accepted.getOption(MPTCP_TOKEN).orElseThrow(),
                "each end has its own token");
        assertTrue(info.remoteKeyReceived(), "flags " + info.flags());
        assertEquals(0, info.extraSubflows());
        if (info.bytesSent().isPresent()) { // Linux 6.5
            assertTrue(info.bytesSent().getAsLong() >= data.length, info.toString());
            assertTrue(accepted.getOption(MPTCP_INFO).orElseThrow().bytesReceived()
                    .orElseThrow() >= data.length);
        }
        if (info.subflowsTotal().isPresent()) { // Linux 6.8
            assertEquals(1, info.subflowsTotal().getAsInt());
        }

        for (SocketChannel ch : List.of(client, accepted)) {
            List<Subflow> subflows = ch.getOption(MPTCP_SUBFLOWS);
            assertEquals(1, subflows.size(), subflows.toString());
            Subflow initial = subflows.get(0);
            assertTrue(initial.id().orElse(1) == 1, "initial subflow id (none before 6.5) "
                    + initial);
            assertEquals(ch.getLocalAddress(), initial.local());
            assertEquals(ch.getRemoteAddress(), initial.remote());
            assertTrue(initial.tcp().isEstablished());
            assertTrue(initial.tcp().rttMicros() > 0, initial.tcp().toString());
            assertThrows(UnsupportedOperationException.class, () -> subflows.add(initial));
        }
        assertThrows(SocketException.class,
                () -> client.setOption(MPTCP_INFO, Optional.of(info)));
        assertThrows(UnsupportedOperationException.class,
                () -> pair.server().getOption(MPTCP_INFO), "a listener has no connection");
    }

    @Test
    void mptcpEnabledCannotChangeOnceConnected() throws Exception {
        Pair pair = connectedPair();
        for (SocketChannel ch : List.of(pair.client(), pair.accepted())) {
            boolean now = ch.getOption(MPTCP_ENABLED);
            ch.setOption(MPTCP_ENABLED, now);
            SocketException e = assertThrows(SocketException.class,
                    () -> ch.setOption(MPTCP_ENABLED, !now));
            assertTrue(e.getMessage().contains("already connected"), e.getMessage());
            assertEquals(now, ch.getOption(MPTCP_ENABLED), "unchanged");
            assertTrue(ch.isOpen());
        }
    }

    /**
     * A connection that fell back to TCP reads {@code MPTCP_ENABLED} false: writing back what it
     * reads is the no-op that writing any value a channel already has is (programs copy
     * options that way, Netty's {@code config().setOptions(getOptions())} too); asking for
     * MPTCP again is refused.
     */
    @ParameterizedTest(name = "[{index}] {0}")
    @ValueSource(strings = {"127.0.0.1", "::1"})
    void aFallenBackConnectionTakesBackWhatMptcpEnabledReads(String host) throws Exception {
        assumeMptcpKernel();
        ServerSocketChannel tcp = openServerSocketChannel();
        tcp.setOption(MPTCP_ENABLED, false);
        tcp.bind(new InetSocketAddress(loopback(host), 0));
        SocketChannel client = openSocketChannel();
        client.setOption(MPTCP_ENABLED, true);
        client.connect(tcp.getLocalAddress());
        SocketChannel accepted = track(tcp.accept());
        assertEquals(false, client.getOption(MPTCP_ENABLED), "fell back to TCP");

        for (SocketChannel ch : List.of(client, accepted)) {
            assertTakesBackWhatItReads(ch, READ_ONLY);
            assertEquals(false, ch.getOption(MPTCP_ENABLED));
            SocketException e = assertThrows(SocketException.class,
                    () -> ch.setOption(MPTCP_ENABLED, true));
            assertTrue(e.getMessage().contains("already connected"), e.getMessage());
        }
        ContractSupport.writeFully(client, new byte[] {7});
        assertArrayEquals(new byte[] {7}, ContractSupport.readFully(accepted, 1));
    }

    @Test
    void mptcpEnabledCannotChangeOnceBound() throws Exception {
        assumeMptcpKernel();
        SocketChannel client = openSocketChannel();
        client.bind(new InetSocketAddress(ContractSupport.LOOPBACK_V4, 0));
        ServerSocketChannel server = listen(ContractSupport.LOOPBACK_V4);
        for (NetworkChannel ch : List.of(client, server)) {
            boolean now = ch.getOption(MPTCP_ENABLED);
            SocketException e = assertThrows(SocketException.class,
                    () -> ch.setOption(MPTCP_ENABLED, !now));
            assertTrue(e.getMessage().contains("already bound"), e.getMessage());
        }
    }

    /**
     * RFC 6897 {@code TCP_MULTIPATH_ENABLE}: each end chooses before bind or connect, whatever
     * the mode; the connection is MPTCP only if both chose it, and both ends read that.
     */
    @ParameterizedTest(name = "[{index}] client MPTCP {0}, server MPTCP {1}, over {2}")
    @CsvSource({"true, true, 127.0.0.1", "true, false, 127.0.0.1", "false, true, 127.0.0.1",
            "false, false, 127.0.0.1", "true, true, ::1", "false, true, ::1"})
    void eachEndChoosesMptcpBeforeBindOrConnect(boolean clientMptcp, boolean serverMptcp,
            String host) throws Exception {
        assumeMptcpKernel();
        ServerSocketChannel server = openServerSocketChannel();
        assertSame(server, server.setOption(MPTCP_ENABLED, serverMptcp));
        assertEquals(serverMptcp, server.getOption(MPTCP_ENABLED));
        server.bind(new InetSocketAddress(loopback(host), 0));
        SocketChannel client = openSocketChannel();
        assertSame(client, client.setOption(MPTCP_ENABLED, clientMptcp));
        assertEquals(clientMptcp, client.getOption(MPTCP_ENABLED), "before connect");

        client.connect(server.getLocalAddress());
        SocketChannel accepted = track(server.accept());

        boolean mptcp = clientMptcp && serverMptcp;
        assertEquals(mptcp, client.getOption(MPTCP_ENABLED), "client side");
        assertEquals(mptcp, accepted.getOption(MPTCP_ENABLED), "accepted side");
        assertEquals(mptcp ? 1 : 0, client.getOption(MPTCP_SUBFLOWS).size());
        ContractSupport.writeFully(client, new byte[] {1, 2, 3});
        assertArrayEquals(new byte[] {1, 2, 3}, ContractSupport.readFully(accepted, 3));
    }

    @Test
    void optionsSetBeforeTheSwitchStaySet() throws Exception {
        assumeMptcpKernel();
        SocketChannel ch = openSocketChannel();
        ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
        ch.setOption(StandardSocketOptions.SO_KEEPALIVE, true);
        ch.setOption(StandardSocketOptions.SO_RCVBUF, 96 * 1024);
        ch.setOption(StandardSocketOptions.SO_LINGER, 7);
        ch.setOption(StandardSocketOptions.IP_TOS, 0x20);

        for (boolean mptcp : List.of(!expected(), expected())) {
            ch.setOption(MPTCP_ENABLED, mptcp);
            assertEquals(mptcp, ch.getOption(MPTCP_ENABLED));
            assertEquals(true, ch.getOption(StandardSocketOptions.TCP_NODELAY));
            assertEquals(true, ch.getOption(StandardSocketOptions.SO_KEEPALIVE));
            assertEquals(96 * 1024, ch.getOption(StandardSocketOptions.SO_RCVBUF));
            assertEquals(7, ch.getOption(StandardSocketOptions.SO_LINGER));
            assertEquals(0x20, ch.getOption(StandardSocketOptions.IP_TOS));
        }
    }

    /**
     * Netty's order: register with interest 0, set options, connect, then ask for OP_CONNECT.
     * A key with no interest is not in the epoll set, so the switch costs the selector nothing.
     */
    @Test
    void aChannelRegisteredWithoutInterestSwitchesThenConnectsAndReads() throws Exception {
        assumeMptcpKernel();
        // An MPTCP listener in either mode, so that the client's choice alone decides.
        ServerSocketChannel server = openServerSocketChannel().setOption(MPTCP_ENABLED, true);
        server.bind(new InetSocketAddress(ContractSupport.LOOPBACK_V4, 0));
        SocketChannel client = openSocketChannel();
        client.configureBlocking(false);
        Selector selector = openSelector();
        SelectionKey key = client.register(selector, 0);
        boolean mptcp = !expected();

        client.setOption(MPTCP_ENABLED, mptcp);
        client.connect(server.getLocalAddress());
        key.interestOps(SelectionKey.OP_CONNECT);

        ContractSupport.awaitReady(selector, key, SelectionKey.OP_CONNECT);
        assertTrue(client.finishConnect());
        SocketChannel accepted = track(server.accept());
        ContractSupport.writeFully(accepted, new byte[] {42});
        key.interestOps(SelectionKey.OP_READ);
        ContractSupport.awaitReady(selector, key, SelectionKey.OP_READ);
        assertEquals(mptcp, client.getOption(MPTCP_ENABLED));
    }

    /**
     * A key already in the epoll set when the channel switches: epoll forgets the entry with
     * the old socket, and the selector must watch the new one, or OP_CONNECT never comes.
     */
    @Test
    void aKeyAlreadyInTheEpollSetFollowsTheSwitch() throws Exception {
        assumeMptcpKernel();
        ServerSocketChannel server = listen(ContractSupport.LOOPBACK_V4);
        SocketChannel client = openSocketChannel();
        client.configureBlocking(false);
        Selector selector = openSelector();
        SelectionKey key = client.register(selector, SelectionKey.OP_CONNECT);
        selector.selectNow();
        selector.selectedKeys().clear();

        client.setOption(MPTCP_ENABLED, !expected());
        client.connect(server.getLocalAddress());

        ContractSupport.awaitReady(selector, key, SelectionKey.OP_CONNECT);
        assertTrue(client.finishConnect());
    }

    @Test
    void aRegisteredServerCanSwitchAndStillReportsAccept() throws Exception {
        assumeMptcpKernel();
        ServerSocketChannel server = openServerSocketChannel();
        server.configureBlocking(false);
        Selector selector = openSelector();
        SelectionKey key = server.register(selector, SelectionKey.OP_ACCEPT);
        selector.selectNow();
        selector.selectedKeys().clear();
        boolean mptcp = !expected();

        server.setOption(MPTCP_ENABLED, mptcp);
        server.bind(new InetSocketAddress(ContractSupport.LOOPBACK_V4, 0));
        SocketChannel client = openSocketChannel();
        client.setOption(MPTCP_ENABLED, true);
        client.connect(server.getLocalAddress());

        ContractSupport.awaitReady(selector, key, SelectionKey.OP_ACCEPT);
        SocketChannel accepted = track(server.accept());
        assertEquals(mptcp, accepted.getOption(MPTCP_ENABLED));
    }

    /**
     * What Kafka, ZooKeeper, Tomcat and Jetty set on every connection without catching
     * anything: an option that plain TCP accepts must not throw on an MPTCP socket.
     */
    @Test
    void standardOptionsThatServersSetUnconditionallyDoNotThrow() throws Exception {
        Pair pair = connectedPair();
        for (SocketChannel ch : Set.of(pair.client(), pair.accepted())) {
            Socket socket = ch.socket();
            assertDoesNotThrow(() -> socket.setTcpNoDelay(true), "setTcpNoDelay(true)");
            assertDoesNotThrow(() -> socket.setKeepAlive(true));
            assertDoesNotThrow(() -> socket.setSoLinger(false, -1));
            assertDoesNotThrow(() -> socket.setSoLinger(true, 0));
            assertDoesNotThrow(() -> socket.setSendBufferSize(65_536));
            assertDoesNotThrow(() -> socket.setReceiveBufferSize(65_536));
            assertDoesNotThrow(() -> socket.setTrafficClass(0x10));
            assertDoesNotThrow(() -> socket.setOOBInline(true));
            assertDoesNotThrow(() -> socket.setReuseAddress(true));
            assertDoesNotThrow(() -> ch.setOption(StandardSocketOptions.TCP_NODELAY, true));
        }
    }

    /** Whatever standard option the JDK's channels support, ours support too. */
    @Test
    void supportedOptionsCoverTheJdksStandardOptions() throws Exception {
        SelectorProvider jdk = Providers.jdk();
        try (NetworkChannel jdkSocket = jdk.openSocketChannel();
                NetworkChannel jdkServer = jdk.openServerSocketChannel()) {
            assertCovers(jdkSocket, openSocketChannel(), 8);
            assertCovers(jdkServer, openServerSocketChannel(), 3);
        }
    }

    private static void assertCovers(NetworkChannel jdk, NetworkChannel ours, int atLeast)
            throws Exception {
        Set<Object> standard = new HashSet<>();
        for (Field field : StandardSocketOptions.class.getFields()) {
            if (Modifier.isStatic(field.getModifiers())
                    && SocketOption.class.isAssignableFrom(field.getType())) {
                standard.add(field.get(null));
            }
        }
        Set<SocketOption<?>> missing = new HashSet<>(jdk.supportedOptions());
        missing.retainAll(standard);
        assertTrue(missing.size() >= atLeast, "the JDK lists its standard options: " + missing);
        missing.removeAll(ours.supportedOptions());
        assertEquals(Set.of(), missing, "standard options the JDK supports and we do not");
    }
}
