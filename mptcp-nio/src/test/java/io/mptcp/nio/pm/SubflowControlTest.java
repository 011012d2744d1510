package io.mptcp.nio.pm;

import io.mptcp.nio.MptcpSelectorProvider;
import io.mptcp.nio.MptcpSocketChannel;
import io.mptcp.nio.MptcpSocketOptions;
import io.mptcp.nio.MptcpToken;
import io.mptcp.nio.Subflow;

import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.NotYetConnectedException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Subflow control against the kernel: a network namespace of its own with the userspace path
 * manager, a loopback connection (client and server in the namespace), a second local address
 * {@code 10.77.0.1} on {@code lo} for the extra subflows. The observers are the subflow list,
 * {@code ss} and {@code /proc/net/snmp} of the namespace, and a separate events subscription.
 */
@Timeout(60)
class SubflowControlTest {
    private static final MptcpSelectorProvider PROVIDER = new MptcpSelectorProvider();
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
    private static final Duration WAIT = Duration.ofSeconds(20);

    private PmNamespace ns;
    private InetAddress second;
    private final List<AutoCloseable> open = new ArrayList<>();

    @BeforeEach
    void namespace() throws Exception {
        ns = PmNamespace.create();
        ns.exec("sysctl", "-q", "-w", pmSysctl("userspace"));
        ns.ip("addr", "add", "10.77.0.1/32", "dev", "lo");
        second = InetAddress.getByName("10.77.0.1");
    }

    @AfterEach
    void cleanUp() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
        if (ns != null) {
            ns.close();
        }
    }

    /** {@code net.mptcp.path_manager} (6.15+) or {@code pm_type} before. */
    private static String pmSysctl(String type) {
        if (java.nio.file.Files.exists(java.nio.file.Path.of(
                "/proc/sys/net/mptcp/path_manager"))) {
            return "net.mptcp.path_manager=" + type;
        }
        return "net.mptcp.pm_type=" + (type.equals("userspace") ? 1 : 0);
    }

    private <T extends AutoCloseable> T track(T c) {
        open.add(c);
        return c;
    }

    /** A connected pair with one exchange each way (so the connection is fully established). */
    private record Conn(MptcpSocketChannel client, SocketChannel accepted,
            InetSocketAddress server) {
    }

    private ServerSocketChannel server() throws Exception {
        ServerSocketChannel s = track(ns.call(() -> PROVIDER.openServerSocketChannel(
                StandardProtocolFamily.INET)));
        s.bind(new InetSocketAddress(InetAddress.getByName("0.0.0.0"), 0));
        return s;
    }

    private Conn connect(boolean exchange) throws Exception {
        ServerSocketChannel server = server();
        int port = ((InetSocketAddress) server.getLocalAddress()).getPort();
        InetSocketAddress target = new InetSocketAddress(LOOPBACK, port);
        MptcpSocketChannel client = (MptcpSocketChannel) track(ns.call(
                () -> PROVIDER.openSocketChannel(StandardProtocolFamily.INET)));
        client.connect(target);
        SocketChannel accepted = track(server.accept());
        if (exchange) {
            echo(client, accepted);
        }
        return new Conn(client, accepted, target);
    }

    private static void echo(SocketChannel a, SocketChannel b) throws IOException {
        a.write(ByteBuffer.wrap("ping".getBytes()));
        ByteBuffer in = ByteBuffer.allocate(4);
        while (in.hasRemaining()) {
            b.read(in);
        }
        b.write(in.flip());
        in.clear();
        while (in.hasRemaining()) {
            a.read(in);
        }
    }

    private SubflowRequest toServer(InetAddress local, InetSocketAddress server) {
        return SubflowRequest.builder().local(local).remote(server).build();
    }

    private static List<Subflow> subflows(SocketChannel ch) throws IOException {
        return ch.getOption(MptcpSocketOptions.MPTCP_SUBFLOWS);
    }

    /** Established TCP sockets of the namespace as {@code ss} prints them (an outside view). */
    private String ss() throws IOException {
        return ns.exec("ss", "-tnH", "state", "established");
    }

    private long tcpCounter(String name) throws IOException {
        List<String> lines = ns.exec("cat", "/proc/net/snmp").lines()
                .filter(l -> l.startsWith("Tcp:")).toList();
        String[] names = lines.get(0).split("\\s+");
        String[] values = lines.get(1).split("\\s+");
        for (int i = 0; i < names.length; i++) {
            if (names[i].equals(name)) {
                return Long.parseLong(values[i]);
            }
        }
        throw new AssertionError("no Tcp " + name + " in /proc/net/snmp");
    }

    private MptcpEventChannel events() throws Exception {
        return track(ns.call(() -> MptcpEventChannel.open(PROVIDER,
                MptcpEventChannel.Options.DEFAULT)));
    }

    private static MptcpEvent until(MptcpEventChannel ch, Predicate<MptcpEvent> match)
            throws IOException {
        while (true) {
            MptcpEvent e = ch.receive();
            if (match.test(e)) {
                return e;
            }
        }
    }

    private static MptcpToken token(SocketChannel ch) throws IOException {
        return ch.getOption(MptcpSocketOptions.MPTCP_TOKEN).orElseThrow();
    }

    // ---- open ---------------------------------------------------------------------------------

    @Test
    void openReturnsTheListedSubflowAndTheDataFlowsOverIt() throws Exception {
        Conn c = connect(true);
        Subflow s = ns.call(() -> c.client().openSubflow(toServer(second, c.server()), WAIT));
        assertEquals(second, s.local().getAddress());
        assertEquals(c.server(), s.remote());
        assertTrue(subflows(c.client()).stream().anyMatch(l -> l.local().equals(s.local())
                && l.remote().equals(s.remote())), "listed: " + subflows(c.client()));
        String tuple = s.local().getAddress().getHostAddress() + ":" + s.local().getPort();
        assertTrue(ss().contains(tuple), "ss shows " + tuple + ": " + ss());
        assertEquals(2, subflows(c.client()).size());
        // The server's side of the join is established too.
        assertEquals(2, subflows(c.accepted()).size());
        echo(c.client(), c.accepted());
    }

    @Test
    void anIpv6SocketConnectedToAnIpv4MappedAddressOpensIpv4Subflows() throws Exception {
        ServerSocketChannel server = track(ns.call(() -> PROVIDER.openServerSocketChannel(
                StandardProtocolFamily.INET6)));
        server.bind(new InetSocketAddress(InetAddress.getByName("::"), 0));
        int port = ((InetSocketAddress) server.getLocalAddress()).getPort();
        InetSocketAddress target = new InetSocketAddress(LOOPBACK, port);
        MptcpSocketChannel client = (MptcpSocketChannel) track(ns.call(
                () -> PROVIDER.openSocketChannel(StandardProtocolFamily.INET6)));
        client.connect(target);
        SocketChannel accepted = track(server.accept());
        echo(client, accepted);
        Subflow s = ns.call(() -> client.openSubflow(toServer(second, target), WAIT));
        assertEquals(2, subflows(client).size(), subflows(client).toString());
        assertTrue(subflows(client).stream().anyMatch(l -> l.local().equals(s.local())
                && l.remote().equals(s.remote())), s + " in " + subflows(client));
        echo(client, accepted);
    }

    @Test
    void ipv6Subflows() throws Exception {
        ns.ip("addr", "add", "fd77::1/128", "dev", "lo", "nodad");
        InetAddress v6second = InetAddress.getByName("fd77::1");
        ServerSocketChannel server = track(ns.call(() -> PROVIDER.openServerSocketChannel(
                StandardProtocolFamily.INET6)));
        server.bind(new InetSocketAddress(InetAddress.getByName("::1"), 0));
        InetSocketAddress target = (InetSocketAddress) server.getLocalAddress();
        MptcpSocketChannel client = (MptcpSocketChannel) track(ns.call(
                () -> PROVIDER.openSocketChannel(StandardProtocolFamily.INET6)));
        client.connect(target);
        SocketChannel accepted = track(server.accept());
        echo(client, accepted);
        Subflow s = ns.call(() -> client.openSubflow(toServer(v6second, target), WAIT));
        assertEquals(v6second, s.local().getAddress());
        ns.call(() -> {
            client.closeSubflow(s, SubflowClose.ABORT);
            return null;
        });
        assertEquals(1, subflows(client).size(), subflows(client).toString());
        echo(client, accepted);
    }

    @Test
    void repeatedOpenAndCloseOverOneAddressPairTellSubflowsApart() throws Exception {
        // The SUB_CLOSED of a closed subflow may come after the next open started, from the
        // same address pair (another port): it must not fail that open.
        Conn c = connect(true);
        for (int i = 0; i < 12; i++) {
            SubflowClose how = i % 2 == 0 ? SubflowClose.ABORT : SubflowClose.GRACEFUL;
            Subflow s = ns.call(() -> c.client().openSubflow(toServer(second, c.server()),
                    WAIT));
            ns.call(() -> {
                c.client().setSubflowBackup(s, true);
                c.client().closeSubflow(s, how);
                return null;
            });
            echo(c.client(), c.accepted());
        }
        assertEquals(1, subflows(c.client()).size(), subflows(c.client()).toString());
    }

    @Test
    void openWithALocalPortAndAsBackup() throws Exception {
        Conn c = connect(true);
        SubflowRequest r = SubflowRequest.builder().local(second).localPort(41000)
                .remote(c.server()).backup(true).build();
        MptcpEventChannel ev = events();
        Subflow s = ns.call(() -> c.client().openSubflow(r, WAIT));
        assertEquals(41000, s.local().getPort());
        // The server's kernel saw the join with the backup bit (its SUB_ESTABLISHED carries
        // the peer's flag).
        MptcpToken server = token(c.accepted());
        MptcpEvent.SubflowEstablished e = (MptcpEvent.SubflowEstablished) until(ev,
                x -> x instanceof MptcpEvent.SubflowEstablished se && se.token().equals(server));
        assertTrue(e.backup(), "server side: " + e);
    }

    @Test
    void openWaitsForTheConnectionToBeFullyEstablished() throws Exception {
        Conn c = connect(false);
        CompletableFuture<Subflow> f = ns.call(() -> c.client().openSubflowAsync(
                toServer(second, c.server())));
        echo(c.client(), c.accepted());
        Subflow s = f.get(20, TimeUnit.SECONDS);
        assertEquals(second, s.local().getAddress());
    }

    @Test
    void openTimesOutWhileTheConnectionIsNotFullyEstablished() throws Exception {
        Conn c = connect(false);
        SocketTimeoutException e = assertThrows(SocketTimeoutException.class,
                () -> ns.call(() -> c.client().openSubflow(toServer(second, c.server()),
                        Duration.ofMillis(300))));
        assertTrue(e.getMessage().contains("fully established"), e.getMessage());
    }

    @Test
    void aJoinToAClosedPortFailsWithTheKernelsReason() throws Exception {
        Conn c = connect(true);
        int closed;
        try (ServerSocketChannel probe = ns.call(() -> PROVIDER.openServerSocketChannel(
                StandardProtocolFamily.INET))) {
            probe.bind(new InetSocketAddress(LOOPBACK, 0));
            closed = ((InetSocketAddress) probe.getLocalAddress()).getPort();
        }
        InetSocketAddress nowhere = new InetSocketAddress(LOOPBACK, closed);
        PathManagerException e = assertThrows(PathManagerException.class,
                () -> ns.call(() -> c.client().openSubflow(toServer(second, nowhere), WAIT)));
        assertEquals(111, e.errno(), e.getMessage());
        assertTrue(e.getMessage().contains("ECONNREFUSED"), e.getMessage());
        assertEquals(1, subflows(c.client()).size());
    }

    @Test
    void aJoinThePeerRejectsFailsEvenIfItLookedEstablished() throws Exception {
        // The client socket gets the userspace PM (fixed when it is created); the server's
        // side, created during the handshake, the in-kernel PM with no room for a subflow.
        ServerSocketChannel server = server();
        int port = ((InetSocketAddress) server.getLocalAddress()).getPort();
        InetSocketAddress target = new InetSocketAddress(LOOPBACK, port);
        MptcpSocketChannel client = (MptcpSocketChannel) track(ns.call(
                () -> PROVIDER.openSocketChannel(StandardProtocolFamily.INET)));
        ns.exec("sysctl", "-q", "-w", pmSysctl("kernel"));
        ns.ip("mptcp", "limits", "set", "subflows", "0");
        client.connect(target);
        SocketChannel accepted = track(server.accept());
        echo(client, accepted);
        ns.exec("sysctl", "-q", "-w", pmSysctl("userspace"));
        PathManagerException e = assertThrows(PathManagerException.class,
                () -> ns.call(() -> client.openSubflow(toServer(second, target), WAIT)));
        assertTrue(e.getMessage().contains("rejected"), e.getMessage());
        assertEquals(1, subflows(client).size(), subflows(client).toString());
        assertEquals(1, subflows(accepted).size(), subflows(accepted).toString());
    }

    // ---- close, backup --------------------------------------------------------------------------

    @Test
    void gracefulCloseEndsTheSubflowWithAFin() throws Exception {
        Conn c = connect(true);
        Subflow s = ns.call(() -> c.client().openSubflow(toServer(second, c.server()), WAIT));
        long rsts = tcpCounter("OutRsts");
        ns.call(() -> {
            c.client().closeSubflow(s, SubflowClose.GRACEFUL);
            return null;
        });
        assertFalse(subflows(c.client()).stream().anyMatch(l -> l.local().equals(s.local())),
                "dropped from the list: " + subflows(c.client()));
        echo(c.client(), c.accepted());
        assertEquals(rsts, tcpCounter("OutRsts"), "no RST sent");
    }

    @Test
    void abortiveCloseEndsTheSubflowWithARst() throws Exception {
        Conn c = connect(true);
        Subflow s = ns.call(() -> c.client().openSubflow(toServer(second, c.server()), WAIT));
        long rsts = tcpCounter("OutRsts");
        ns.call(() -> {
            c.client().closeSubflow(s, SubflowClose.ABORT);
            return null;
        });
        assertFalse(subflows(c.client()).stream().anyMatch(l -> l.local().equals(s.local())),
                "dropped from the list: " + subflows(c.client()));
        assertTrue(tcpCounter("OutRsts") > rsts, "a RST went out");
        echo(c.client(), c.accepted());
    }

    @Test
    void closingTheInitialSubflowKeepsTheConnection() throws Exception {
        Conn c = connect(true);
        ns.call(() -> c.client().openSubflow(toServer(second, c.server()), WAIT));
        Subflow initial = subflows(c.client()).get(0);
        assertEquals(LOOPBACK, initial.local().getAddress());
        ns.call(() -> {
            c.client().closeSubflow(initial, SubflowClose.GRACEFUL);
            return null;
        });
        echo(c.client(), c.accepted());
        assertEquals(List.of(second), subflows(c.client()).stream()
                .map(l -> l.local().getAddress()).toList());
    }

    @Test
    void backupIsSentToThePeer() throws Exception {
        Conn c = connect(true);
        Subflow s = ns.call(() -> c.client().openSubflow(toServer(second, c.server()), WAIT));
        MptcpEventChannel ev = events();
        MptcpToken server = token(c.accepted());
        ns.call(() -> {
            c.client().setSubflowBackup(s, true);
            return null;
        });
        MptcpEvent.SubflowPriority on = (MptcpEvent.SubflowPriority) until(ev,
                x -> x instanceof MptcpEvent.SubflowPriority p && p.token().equals(server));
        assertTrue(on.backup(), on.toString());
        assertEquals(s.local(), on.remote());
        ns.call(() -> {
            c.client().setSubflowBackup(s, false);
            return null;
        });
        MptcpEvent.SubflowPriority off = (MptcpEvent.SubflowPriority) until(ev,
                x -> x instanceof MptcpEvent.SubflowPriority p && p.token().equals(server));
        assertFalse(off.backup(), off.toString());
    }

    // ---- announce, withdraw ---------------------------------------------------------------------

    @Test
    void announceAndWithdrawReachThePeer() throws Exception {
        Conn c = connect(true);
        MptcpEventChannel ev = events();
        MptcpToken server = token(c.accepted());
        AnnouncedAddress a = ns.call(() -> c.client().announce(
                new InetSocketAddress(second, 0)));
        assertTrue(a.id() >= 1 && a.id() <= 255, a.toString());
        MptcpEvent.AddressAnnounced seen = (MptcpEvent.AddressAnnounced) until(ev,
                x -> x instanceof MptcpEvent.AddressAnnounced an && an.token().equals(server));
        assertEquals(a.id(), seen.remoteId());
        assertEquals(second, seen.address().getAddress());
        ns.call(() -> {
            c.client().withdraw(a);
            return null;
        });
        MptcpEvent.AddressRemoved gone = (MptcpEvent.AddressRemoved) until(ev,
                x -> x instanceof MptcpEvent.AddressRemoved r && r.token().equals(server));
        assertEquals(a.id(), gone.remoteId());
        assertThrows(IllegalArgumentException.class, () -> c.client().withdraw(a));
    }

    @Test
    void idsAreTheLibrarysOnePerLocalAddressAndPort() throws Exception {
        Conn c = connect(true);
        AnnouncedAddress a = ns.call(() -> c.client().announce(new InetSocketAddress(second,
                0)));
        AnnouncedAddress b = ns.call(() -> c.client().announce(new InetSocketAddress(second,
                42000)));
        assertTrue(a.id() != b.id(), a + " " + b);
        // A subflow from the announced address reuses its id: the kernel accepts it (it
        // refuses a known address under another id).
        Subflow s = ns.call(() -> c.client().openSubflow(toServer(second, c.server()), WAIT));
        assertEquals(second, s.local().getAddress());
    }

    // ---- preconditions --------------------------------------------------------------------------

    @Test
    void preconditionsAreNamed() throws Exception {
        Conn c = connect(true);
        MptcpSocketChannel unconnected = (MptcpSocketChannel) track(ns.call(
                () -> PROVIDER.openSocketChannel(StandardProtocolFamily.INET)));
        assertThrows(NotYetConnectedException.class, () -> unconnected.openSubflow(
                toServer(second, c.server()), WAIT));
        IllegalArgumentException v6 = assertThrows(IllegalArgumentException.class,
                () -> c.client().openSubflow(SubflowRequest.builder()
                        .local(InetAddress.getByName("::1"))
                        .remote(new InetSocketAddress(InetAddress.getByName("::1"), 1))
                        .build(), WAIT));
        assertTrue(v6.getMessage().contains("IPv4"), v6.getMessage());
        BindException notLocal = assertThrows(BindException.class, () -> ns.call(
                () -> c.client().openSubflow(toServer(InetAddress.getByName("10.77.9.9"),
                        c.server()), WAIT)));
        assertTrue(notLocal.getMessage().contains("10.77.9.9"), notLocal.getMessage());
        assertThrows(BindException.class, () -> ns.call(() -> c.client().announce(
                new InetSocketAddress("10.77.9.9", 0))));
        c.client().close();
        assertThrows(java.nio.channels.ClosedChannelException.class,
                () -> c.client().announce(new InetSocketAddress(second, 0)));
    }

    @Test
    void theFirstCallFromAThreadOfAnotherNamespaceSaysSo() throws Exception {
        Conn c = connect(true);
        // This thread is in the host's namespace, the socket in the test's.
        IOException e = assertThrows(IOException.class, () -> c.client().announce(
                new InetSocketAddress(second, 0)));
        assertTrue(e.getMessage().contains("another network namespace"), e.getMessage());
        // From the socket's namespace it works, and then from anywhere (the session exists).
        ns.call(() -> c.client().announce(new InetSocketAddress(second, 0)));
        c.client().announce(new InetSocketAddress(second, 7000));
    }

    @Test
    void aTcpConnectionIsRefusedWithTheReason() throws Exception {
        ServerSocketChannel server = server();
        int port = ((InetSocketAddress) server.getLocalAddress()).getPort();
        // The switch to TCP opens a new socket: in the namespace's thread too.
        MptcpSocketChannel tcp = (MptcpSocketChannel) track(ns.call(() -> PROVIDER
                .openSocketChannel(StandardProtocolFamily.INET)
                .setOption(MptcpSocketOptions.MPTCP_ENABLED, false)));
        tcp.connect(new InetSocketAddress(LOOPBACK, port));
        track(server.accept());
        IOException e = assertThrows(IOException.class, () -> ns.call(() -> tcp.openSubflow(
                toServer(second, new InetSocketAddress(LOOPBACK, port)), WAIT)));
        assertTrue(e.getMessage().contains("does not use MPTCP"), e.getMessage());
    }

    @Test
    void aConnectionCreatedUnderTheInKernelPathManagerIsRefusedWithTheSysctl()
            throws Exception {
        ns.exec("sysctl", "-q", "-w", pmSysctl("kernel"));
        Conn c = connect(true);
        ns.exec("sysctl", "-q", "-w", pmSysctl("userspace"));
        PathManagerException e = assertThrows(PathManagerException.class, () -> ns.call(
                () -> c.client().announce(new InetSocketAddress(second, 0))));
        assertEquals(22, e.errno());
        assertTrue(e.getMessage().contains("net.mptcp.path_manager"), e.getMessage());
        assertTrue(e.getMessage().contains("created"), e.getMessage());
        assertInstanceOf(PathManagerException.class, e.getCause());
    }

    @Test
    void asyncFailuresCompleteTheStage() throws Exception {
        MptcpSocketChannel unconnected = (MptcpSocketChannel) track(ns.call(
                () -> PROVIDER.openSocketChannel(StandardProtocolFamily.INET)));
        CompletableFuture<Subflow> f = unconnected.openSubflowAsync(toServer(second,
                new InetSocketAddress(LOOPBACK, 1)));
        ExecutionException e = assertThrows(ExecutionException.class,
                () -> f.get(5, TimeUnit.SECONDS));
        assertInstanceOf(NotYetConnectedException.class, e.getCause());
    }
}
