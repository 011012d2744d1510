package io.mptcp.nio.contract;

import static io.mptcp.nio.MptcpSocketOptions.MPTCP_ENABLED;
import static io.mptcp.nio.contract.ContractSupport.loopback;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketOption;
import java.net.StandardSocketOptions;
import java.nio.channels.NetworkChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.spi.SelectorProvider;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.mptcp.nio.MptcpServerSocketChannel;
import io.mptcp.nio.MptcpSocketChannel;

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

    /**
     * What {@code MPTCP_ENABLED} must read. Where MPTCP is expected, aborts the test visibly if
     * the kernel cannot give it (our provider then falls back to TCP, correctly).
     */
    private boolean expected() throws IOException {
        if (mptcpExpected()) {
            Path enabled = Path.of("/proc/sys/net/mptcp/enabled");
            Assumptions.assumeTrue(Files.exists(enabled), "this kernel has no MPTCP");
            Assumptions.assumeTrue(Files.readString(enabled).trim().equals("1"),
                    "MPTCP is disabled: sysctl net.mptcp.enabled=0");
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

    @Test
    void mptcpEnabledIsReadOnlyOnAConnectedChannel() throws Exception {
        SocketChannel ch = connectedPair().client();
        assertThrows(SocketException.class, () -> ch.setOption(MPTCP_ENABLED, true));
        assertThrows(SocketException.class, () -> ch.setOption(MPTCP_ENABLED, false));
        assertEquals(expected(), ch.getOption(MPTCP_ENABLED), "unchanged");
        assertTrue(ch.isOpen());
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
