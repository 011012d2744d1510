package io.mptcp.nio.internal.stream;

import io.mptcp.ffi.Errno;
import io.mptcp.ffi.ErrnoException;
import io.mptcp.ffi.LinuxSyscalls;
import io.mptcp.ffi.LinuxUapi;
import io.mptcp.ffi.MptcpUapi;
import io.mptcp.nio.MptcpSelectorProvider;
import io.mptcp.nio.MptcpServerSocketChannel;
import io.mptcp.nio.MptcpSocketChannel;
import io.mptcp.nio.MptcpSocketOptions;
import io.mptcp.nio.TestProviders;
import io.mptcp.nio.internal.MockKernel;
import io.mptcp.nio.internal.net.MptcpPolicy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.SocketException;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static io.mptcp.nio.internal.MockKernel.FD;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyInt;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.doThrow;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

/** Which sockets become MPTCP, what happens when the kernel refuses, and option tolerance. */
@Timeout(10)
class MptcpPolicyAndOptionsTest {
    private static final int MPTCP = LinuxUapi.IPPROTO_MPTCP;
    private final MockKernel kernel = new MockKernel();

    MptcpPolicyAndOptionsTest() throws ErrnoException {
    }

    private void kernelRefusesMptcp(int errno) throws ErrnoException {
        when(kernel.sys.socket(anyInt(), anyInt(), eq(MPTCP)))
                .thenThrow(new ErrnoException("socket", errno));
    }

    @Test
    void clientSocketsAskForMptcpByDefault() throws Exception {
        kernel.provider().openSocketChannel(StandardProtocolFamily.INET);
        verify(kernel.sys).socket(eq(LinuxUapi.AF_INET), anyInt(), eq(MPTCP));
    }

    @Test
    void modeOffNeverAsksForMptcp() throws Exception {
        MptcpSelectorProvider off = kernel.provider("off", false);
        off.openSocketChannel(StandardProtocolFamily.INET);
        off.openServerSocketChannel(StandardProtocolFamily.INET);
        verify(kernel.sys, never()).socket(anyInt(), anyInt(), eq(MPTCP));
        verify(kernel.sys, times(2)).socket(eq(LinuxUapi.AF_INET), anyInt(), eq(0));
    }

    @Test
    void modeServerMakesOnlyListenersMptcp() throws Exception {
        MptcpSelectorProvider server = kernel.provider("server", false);
        server.openSocketChannel(StandardProtocolFamily.INET);
        verify(kernel.sys, never()).socket(anyInt(), anyInt(), eq(MPTCP));
        server.openServerSocketChannel(StandardProtocolFamily.INET);
        verify(kernel.sys).socket(anyInt(), anyInt(), eq(MPTCP));
    }

    @Test
    void disabledInNamespaceFallsBackToTcpAndAsksAgainNextTime() throws Exception {
        kernelRefusesMptcp(Errno.ENOPROTOOPT);
        MptcpSelectorProvider provider = kernel.provider();
        MptcpSocketChannel ch =
                (MptcpSocketChannel) provider.openSocketChannel(StandardProtocolFamily.INET);
        assertFalse(ch.getOption(MptcpSocketOptions.MPTCP_ENABLED));
        provider.openSocketChannel(StandardProtocolFamily.INET);
        // ENOPROTOOPT (net.mptcp.enabled=0) may change at run time: asked for every socket.
        verify(kernel.sys, times(2)).socket(anyInt(), anyInt(), eq(MPTCP));
        verify(kernel.sys, times(2)).socket(anyInt(), anyInt(), eq(0));
    }

    @Test
    void permanentRefusalIsRememberedByTheProvider() throws Exception {
        kernelRefusesMptcp(Errno.EPROTONOSUPPORT);
        MptcpSelectorProvider provider = kernel.provider();
        provider.openSocketChannel(StandardProtocolFamily.INET);
        provider.openSocketChannel(StandardProtocolFamily.INET);
        verify(kernel.sys, times(1)).socket(anyInt(), anyInt(), eq(MPTCP));
    }

    @Test
    void strictModeFailsInsteadOfFallingBackAndSaysWhy() throws Exception {
        kernelRefusesMptcp(Errno.ENOPROTOOPT);
        SocketException e = assertThrows(SocketException.class, () -> kernel.provider("all", true)
                .openSocketChannel(StandardProtocolFamily.INET));
        assertTrue(e.getMessage().contains("net.mptcp.enabled=0"), e.getMessage());
        assertTrue(e.getMessage().contains(MptcpPolicy.STRICT_PROPERTY), e.getMessage());
        assertEquals(Errno.ENOPROTOOPT, ((ErrnoException) e.getCause()).errno());
        verify(kernel.sys, never()).socket(anyInt(), anyInt(), eq(0));
    }

    @Test
    void otherSocketErrorsAreNotMistakenForRefusals() throws Exception {
        kernelRefusesMptcp(Errno.EMFILE);
        SocketException e = assertThrows(SocketException.class,
                () -> kernel.provider().openSocketChannel(StandardProtocolFamily.INET));
        assertEquals("Too many open files", e.getMessage());
        verify(kernel.sys, never()).socket(anyInt(), anyInt(), eq(0));
    }

    @Test
    void invalidModePropertyNamesPropertyValueAndChoices() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> MptcpPolicy.parse("sometimes", null));
        assertEquals("System property io.mptcp.nio.mode='sometimes' is not valid: use all,"
                + " server, client or off", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> MptcpPolicy.parse(null, "yes"));
        assertEquals(MptcpPolicy.Mode.OFF, MptcpPolicy.parse(" OFF ", "false").mode());
    }

    /**
     * A value the provider cannot use is reported once per property and value (a WARNING of
     * {@code System.Logger} "io.mptcp.nio"), and the default applies: opening sockets, which
     * reads the properties each time, never fails because of it.
     */
    @Test
    void invalidPropertiesAreReportedOnceAndTheDefaultsApply() throws Exception {
        String badMode = "sometimes-" + System.nanoTime();
        String badStrict = "yes-" + System.nanoTime();
        List<LogRecord> records = new ArrayList<>();
        Logger logger = Logger.getLogger("io.mptcp.nio");
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord r) {
                synchronized (records) {
                    records.add(r);
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        String savedMode = System.getProperty(MptcpPolicy.MODE_PROPERTY);
        String savedStrict = System.getProperty(MptcpPolicy.STRICT_PROPERTY);
        logger.addHandler(capture);
        try {
            System.setProperty(MptcpPolicy.MODE_PROPERTY, badMode);
            System.setProperty(MptcpPolicy.STRICT_PROPERTY, badStrict);
            MptcpSelectorProvider provider = TestProviders.of(kernel.sys, null);
            for (int i = 0; i < 3; i++) {
                provider.openSocketChannel(StandardProtocolFamily.INET);
                provider.openServerSocketChannel(StandardProtocolFamily.INET);
            }
            // mode all (the default): each of the six sockets asked for MPTCP.
            verify(kernel.sys, times(6)).socket(anyInt(), anyInt(), eq(MPTCP));
            assertEquals(new MptcpPolicy(MptcpPolicy.Mode.ALL, false),
                    MptcpPolicy.fromSystemProperties());
        } finally {
            logger.removeHandler(capture);
            restore(MptcpPolicy.MODE_PROPERTY, savedMode);
            restore(MptcpPolicy.STRICT_PROPERTY, savedStrict);
        }
        List<String> warnings = new ArrayList<>();
        synchronized (records) {
            for (LogRecord r : records) {
                if (r.getLevel() == Level.WARNING) {
                    warnings.add(r.getMessage());
                }
            }
        }
        assertEquals(List.of(
                "mptcp-nio: system property io.mptcp.nio.mode='" + badMode + "' is not valid"
                        + " (use all, server, client or off); using the default, all, until it"
                        + " is corrected",
                "mptcp-nio: system property io.mptcp.nio.strict='" + badStrict + "' is not"
                        + " valid (use true or false); using the default, false, until it is"
                        + " corrected"), warnings);
    }

    private static void restore(String property, String value) {
        if (value == null) {
            System.clearProperty(property);
        } else {
            System.setProperty(property, value);
        }
    }

    @Test
    void optionRefusedByMptcpSocketIsRecordedNotThrown() throws Exception {
        MptcpSocketChannel ch = kernel.connected(kernel.provider());
        doThrow(new ErrnoException("setsockopt", Errno.EOPNOTSUPP)).when(kernel.sys)
                .setsockoptInt(FD, LinuxUapi.SOL_SOCKET, LinuxUapi.SO_OOBINLINE, 1);
        when(kernel.sys.getsockoptInt(FD, LinuxUapi.SOL_SOCKET, LinuxUapi.SO_OOBINLINE))
                .thenThrow(new ErrnoException("getsockopt", Errno.EOPNOTSUPP));

        ch.socket().setOOBInline(true);

        assertEquals(Map.of("SO_OOBINLINE", true), names(ch.unappliedOptions()));
        assertTrue(ch.socket().getOOBInline(), "reading it back returns what was asked");
    }

    @Test
    void optionRefusedInStrictModeThrowsWithErrno() throws Exception {
        MptcpSocketChannel ch = kernel.connected(kernel.provider("all", true));
        doThrow(new ErrnoException("setsockopt", Errno.ENOPROTOOPT)).when(kernel.sys)
                .setsockoptInt(FD, LinuxUapi.SOL_TCP, LinuxUapi.TCP_NODELAY, 1);
        SocketException e = assertThrows(SocketException.class,
                () -> ch.setOption(StandardSocketOptions.TCP_NODELAY, true));
        assertEquals(Errno.ENOPROTOOPT, ((ErrnoException) e.getCause()).errno());
        assertTrue(ch.unappliedOptions().isEmpty());
    }

    @Test
    void optionRefusedByPlainTcpSocketThrowsLikeTheJdk() throws Exception {
        MptcpSocketChannel ch = kernel.connected(kernel.provider("off", false));
        doThrow(new ErrnoException("setsockopt", Errno.EOPNOTSUPP)).when(kernel.sys)
                .setsockoptInt(FD, LinuxUapi.SOL_SOCKET, LinuxUapi.SO_KEEPALIVE, 1);
        assertThrows(SocketException.class,
                () -> ch.setOption(StandardSocketOptions.SO_KEEPALIVE, true));
    }

    @Test
    void optionValuesAreCheckedLikeTheJdk() throws Exception {
        when(kernel.sys.getsockoptInt(FD, LinuxUapi.SOL_TCP, LinuxUapi.TCP_IS_MPTCP)).thenReturn(1);
        MptcpSocketChannel ch = kernel.connected(kernel.provider());
        assertThrows(NullPointerException.class, () -> ch.setOption(null, 1));
        assertThrows(IllegalArgumentException.class,
                () -> ch.setOption(StandardSocketOptions.SO_RCVBUF, -1));
        assertThrows(IllegalArgumentException.class,
                () -> ch.setOption(StandardSocketOptions.IP_TOS, 256));
        assertThrows(UnsupportedOperationException.class,
                () -> ch.setOption(StandardSocketOptions.IP_MULTICAST_TTL, 1));
        SocketException tooLate = assertThrows(SocketException.class,
                () -> ch.setOption(MptcpSocketOptions.MPTCP_ENABLED, false));
        assertTrue(tooLate.getMessage().contains("already connected"), tooLate.getMessage());
    }

    @Test
    void lingerIsAStructAndMinusOneMeansOff() throws Exception {
        MptcpSocketChannel ch = kernel.connected(kernel.provider());
        ch.setOption(StandardSocketOptions.SO_LINGER, 70000);
        verify(kernel.sys).setsockopt(eq(FD), eq(LinuxUapi.SOL_SOCKET), eq(LinuxUapi.SO_LINGER),
                org.mockito.ArgumentMatchers.argThat((ByteBuffer b) ->
                        b.getInt(0) == 1 && b.getInt(4) == 65535));
    }

    @Test
    void mptcpEnabledUsesTcpIsMptcp() throws Exception {
        MptcpSocketChannel ch = kernel.connected(kernel.provider());
        when(kernel.sys.getsockoptInt(FD, LinuxUapi.SOL_TCP, LinuxUapi.TCP_IS_MPTCP))
                .thenReturn(1, 0);
        assertTrue(ch.getOption(MptcpSocketOptions.MPTCP_ENABLED));
        assertFalse(ch.getOption(MptcpSocketOptions.MPTCP_ENABLED), "fell back since");
    }

    @Test
    void mptcpEnabledBefore610AsksMptcpInfo() throws Exception {
        MptcpSocketChannel ch = kernel.connected(kernel.provider());
        when(kernel.sys.getsockoptInt(FD, LinuxUapi.SOL_TCP, LinuxUapi.TCP_IS_MPTCP))
                .thenThrow(new ErrnoException("getsockopt", Errno.EOPNOTSUPP));
        when(kernel.sys.getsockopt(eq(FD), eq(MptcpUapi.SOL_MPTCP), eq(MptcpUapi.MPTCP_INFO),
                any())).thenReturn(0)
                .thenThrow(new ErrnoException("getsockopt", Errno.EOPNOTSUPP));
        assertTrue(ch.getOption(MptcpSocketOptions.MPTCP_ENABLED));
        assertFalse(ch.getOption(MptcpSocketOptions.MPTCP_ENABLED), "MPTCP_INFO fails after fallback");
    }

    @Test
    void acceptedSocketAsksTheKernelWhichProtocolTheClientChose() throws Exception {
        MptcpServerSocketChannel server = (MptcpServerSocketChannel) kernel.provider()
                .openServerSocketChannel(StandardProtocolFamily.INET);
        server.bind(MockKernel.LOCAL);
        int accepted = 77;
        when(kernel.sys.acceptInet(eq(FD), anyInt()))
                .thenReturn(new LinuxSyscalls.Accepted<>(accepted, MockKernel.REMOTE));
        when(kernel.sys.getsockname(accepted)).thenReturn(MockKernel.LOCAL);
        when(kernel.sys.getsockoptInt(accepted, LinuxUapi.SOL_SOCKET, LinuxUapi.SO_PROTOCOL))
                .thenReturn(LinuxUapi.IPPROTO_TCP);

        MptcpSocketChannel ch = server.accept();
        assertFalse(ch.getOption(MptcpSocketOptions.MPTCP_ENABLED), "a plain TCP client");
        assertTrue(ch.isBlocking(), "accepted channels start in blocking mode");
        assertEquals(MockKernel.REMOTE, ch.getRemoteAddress());
        verify(kernel.sys, never()).getsockoptInt(accepted, LinuxUapi.SOL_TCP,
                LinuxUapi.TCP_IS_MPTCP);
    }

    private static Map<String, Object> names(Map<java.net.SocketOption<?>, Object> options) {
        Map<String, Object> byName = new java.util.HashMap<>();
        options.forEach((k, v) -> byName.put(k.name(), v));
        return byName;
    }

    @Test
    void socketChannelOfTheProviderIsOurs() throws Exception {
        assertInstanceOf(MptcpSocketChannel.class,
                kernel.provider().openSocketChannel(StandardProtocolFamily.INET));
    }
}
