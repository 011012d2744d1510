package io.mptcp.nio.pm;

import io.mptcp.nio.MptcpSelectorProvider;
import io.mptcp.nio.MptcpSocketOptions;
import io.mptcp.nio.MptcpToken;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.spi.SelectorProvider;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The event channel against the kernel, in a network namespace of its own: the sources, one
 * selector loop serving a TCP echo server and the events, close and interrupt of a blocked
 * receive, the per-connection filter, rtnetlink events, and an overrun that is reported and
 * recovered.
 */
@Timeout(60)
class MptcpEventChannelTest {
    private static final MptcpSelectorProvider PROVIDER = new MptcpSelectorProvider();
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    private PmNamespace ns;
    private final List<AutoCloseable> open = new ArrayList<>();

    @BeforeEach
    void namespace() throws Exception {
        ns = PmNamespace.create();
    }

    @AfterEach
    void cleanUp() throws Exception {
        for (AutoCloseable c : open) {
            c.close();
        }
        if (ns != null) {
            ns.close();
        }
    }

    private <T extends AutoCloseable> T track(T c) {
        open.add(c);
        return c;
    }

    private MptcpEventChannel events(MptcpEventChannel.Options options) throws Exception {
        return track(ns.call(() -> MptcpEventChannel.open(PROVIDER, options)));
    }

    private ServerSocketChannel server() throws Exception {
        ServerSocketChannel s = track(ns.call(() -> PROVIDER.openServerSocketChannel(
                StandardProtocolFamily.INET)));
        s.bind(new InetSocketAddress(LOOPBACK, 0));
        return s;
    }

    private SocketChannel client() throws Exception {
        return track(ns.call(() -> PROVIDER.openSocketChannel(StandardProtocolFamily.INET)));
    }

    private static MptcpToken token(SocketChannel ch) throws IOException {
        return ch.getOption(MptcpSocketOptions.MPTCP_TOKEN).orElseThrow();
    }

    /** Receives (blocking channel) until an event matches; returns everything received. */
    private static List<MptcpEvent> until(MptcpEventChannel ch, Predicate<MptcpEvent> match,
            List<MptcpEvent> seen) throws IOException {
        while (true) {
            MptcpEvent e = ch.receive();
            seen.add(e);
            if (match.test(e)) {
                return seen;
            }
        }
    }

    @Test
    void rootSubscribesToTheKernelsEvents() throws Exception {
        MptcpEventChannel ch = events(MptcpEventChannel.Options.DEFAULT);
        assertEquals(EventSource.NETLINK, ch.source());
        assertTrue(ch.netlinkRefusal().isEmpty());
        assertEquals(SelectionKey.OP_READ, ch.validOps());
        ch.configureBlocking(false);
        assertNull(ch.receive(), "nothing happened yet");
    }

    @Test
    void openWithoutOurProviderSaysWhichProviderIsNeeded() {
        SelectorProvider system = SelectorProvider.provider();
        if (system instanceof MptcpSelectorProvider) {
            return;
        }
        IllegalStateException e = assertThrows(IllegalStateException.class,
                MptcpEventChannel::open);
        assertTrue(e.getMessage().contains("io.mptcp.nio.MptcpSelectorProvider"),
                e.getMessage());
    }

    @Test
    void oneSelectorLoopServesAnEchoServerAndTheEvents() throws Exception {
        MptcpEventChannel events = events(MptcpEventChannel.Options.DEFAULT);
        ServerSocketChannel server = server();
        Selector selector = track(PROVIDER.openSelector());
        events.configureBlocking(false);
        server.configureBlocking(false);
        events.register(selector, SelectionKey.OP_READ);
        server.register(selector, SelectionKey.OP_ACCEPT);

        SocketChannel client = client();
        CompletableFuture<String> echoed = CompletableFuture.supplyAsync(() -> {
            try {
                client.connect(server.getLocalAddress());
                client.write(ByteBuffer.wrap("ping".getBytes()));
                ByteBuffer back = ByteBuffer.allocate(4);
                while (back.hasRemaining() && client.read(back) >= 0) {
                    // until all four bytes are back
                }
                return new String(back.array(), 0, back.position());
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });

        List<MptcpEvent> seen = new ArrayList<>();
        SocketChannel accepted = null;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!(echoed.isDone() && established(seen) >= 2)) {
            if (System.nanoTime() > deadline) {
                fail("no echo and two established connections in 20 s; events " + seen);
            }
            selector.select(100);
            for (SelectionKey k : selector.selectedKeys()) {
                if (k.channel() == events) {
                    for (MptcpEvent e = events.receive(); e != null; e = events.receive()) {
                        seen.add(e);
                    }
                } else if (k.isAcceptable()) {
                    accepted = track(server.accept());
                    accepted.configureBlocking(false);
                    accepted.register(selector, SelectionKey.OP_READ);
                } else if (k.isReadable()) {
                    SocketChannel s = (SocketChannel) k.channel();
                    ByteBuffer b = ByteBuffer.allocate(64);
                    if (s.read(b) < 0) {
                        k.cancel();
                    } else {
                        s.write(b.flip());
                    }
                }
            }
            selector.selectedKeys().clear();
        }
        assertEquals("ping", echoed.get());
        MptcpToken clientToken = token(client);
        MptcpToken serverToken = token(accepted);
        InetSocketAddress listening = (InetSocketAddress) server.getLocalAddress();
        assertTrue(seen.stream().anyMatch(e -> e instanceof MptcpEvent.ListenerCreated l
                && l.address().equals(listening)), "listener created: " + seen);
        assertTrue(seen.contains(new MptcpEvent.ConnectionCreated(EventSource.NETLINK,
                clientToken, (InetSocketAddress) client.getLocalAddress(),
                (InetSocketAddress) client.getRemoteAddress(), false)), seen.toString());
        assertTrue(seen.contains(new MptcpEvent.ConnectionEstablished(EventSource.NETLINK,
                serverToken, (InetSocketAddress) accepted.getLocalAddress(),
                (InetSocketAddress) accepted.getRemoteAddress(), true)), seen.toString());

        client.close();
        accepted.close();
        List<MptcpEvent> closed = List.of(
                new MptcpEvent.ConnectionClosed(EventSource.NETLINK, clientToken),
                new MptcpEvent.ConnectionClosed(EventSource.NETLINK, serverToken));
        while (!seen.containsAll(closed)) {
            if (System.nanoTime() > deadline) {
                fail("no CLOSED for both ends; events " + seen);
            }
            selector.select(100);
            for (SelectionKey k : selector.selectedKeys()) {
                if (k.channel() == events) {
                    for (MptcpEvent e = events.receive(); e != null; e = events.receive()) {
                        seen.add(e);
                    }
                }
            }
            selector.selectedKeys().clear();
        }
    }

    private static long established(List<MptcpEvent> seen) {
        return seen.stream().filter(e -> e instanceof MptcpEvent.ConnectionEstablished).count();
    }

    @Test
    void blockingReceiveIsReleasedByClose() throws Exception {
        MptcpEventChannel ch = events(MptcpEventChannel.Options.DEFAULT.localEvents(false));
        CompletableFuture<Throwable> blocked = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try {
                ch.receive();
                blocked.complete(null);
            } catch (Throwable x) {
                blocked.complete(x);
            }
        });
        t.start();
        awaitBlocked(t);
        ch.close();
        assertInstanceOf(AsynchronousCloseException.class, blocked.get(10, TimeUnit.SECONDS));
        assertThrows(ClosedChannelException.class, ch::receive);
    }

    @Test
    void interruptClosesTheChannel() throws Exception {
        MptcpEventChannel ch = events(MptcpEventChannel.Options.DEFAULT.localEvents(false));
        CompletableFuture<Throwable> blocked = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try {
                ch.receive();
                blocked.complete(null);
            } catch (Throwable x) {
                blocked.complete(x);
            }
        });
        t.start();
        awaitBlocked(t);
        t.interrupt();
        assertInstanceOf(ClosedByInterruptException.class, blocked.get(10, TimeUnit.SECONDS));
        assertFalse(ch.isOpen());
    }

    private static void awaitBlocked(Thread t) throws InterruptedException {
        // In poll(2) the thread looks RUNNABLE: give it the time to get there.
        Thread.sleep(200);
        assertTrue(t.isAlive(), "receive returned without an event");
    }

    @Test
    void snapshotSourceSynthesisesConnectionEvents() throws Exception {
        ServerSocketChannel server = server();
        SocketChannel client = client();
        client.connect(server.getLocalAddress());
        SocketChannel accepted = track(server.accept());
        MptcpToken t = token(client);
        MptcpEventChannel ch = events(MptcpEventChannel.Options.DEFAULT
                .source(EventSource.SNAPSHOT).snapshotInterval(Duration.ofMillis(10))
                .connection(t));
        assertEquals(EventSource.SNAPSHOT, ch.source());
        assertTrue(ch.netlinkRefusal().isEmpty(), "snapshots were asked for");
        // The channel starts from what exists: an existing connection is no event.
        client.close();
        MptcpEvent e = ch.receive();
        assertEquals(new MptcpEvent.ConnectionClosed(EventSource.SNAPSHOT, t), e);
        accepted.close();
    }

    @Test
    void snapshotSourceSeesNewConnectionsAndTheirClose() throws Exception {
        MptcpEventChannel ch = events(MptcpEventChannel.Options.DEFAULT
                .source(EventSource.SNAPSHOT).snapshotInterval(Duration.ofMillis(10))
                .localEvents(false));
        ServerSocketChannel server = server();
        SocketChannel client = client();
        client.connect(server.getLocalAddress());
        SocketChannel accepted = track(server.accept());
        MptcpToken t = token(client);
        InetSocketAddress local = (InetSocketAddress) client.getLocalAddress();
        InetSocketAddress remote = (InetSocketAddress) client.getRemoteAddress();
        List<MptcpEvent> seen = until(ch, e -> e instanceof MptcpEvent.ConnectionEstablished c
                && c.token().equals(t), new ArrayList<>());
        assertEquals(new MptcpEvent.ConnectionEstablished(EventSource.SNAPSHOT, t, local,
                remote, false), seen.get(seen.size() - 1));
        client.close();
        until(ch, e -> e.equals(new MptcpEvent.ConnectionClosed(EventSource.SNAPSHOT, t)),
                seen);
        accepted.close();
    }

    @Test
    void filterDeliversOneConnectionsEvents() throws Exception {
        ServerSocketChannel server = server();
        SocketChannel first = client();
        first.connect(server.getLocalAddress());
        SocketChannel firstAccepted = track(server.accept());
        MptcpToken t = token(first);
        MptcpEventChannel ch = events(MptcpEventChannel.Options.DEFAULT.connection(t));
        SocketChannel other = client();
        other.connect(server.getLocalAddress());
        track(server.accept()).close();
        other.close();
        first.close();
        firstAccepted.close();
        List<MptcpEvent> seen = until(ch, e -> e instanceof MptcpEvent.ConnectionClosed,
                new ArrayList<>());
        assertEquals(new MptcpEvent.ConnectionClosed(EventSource.NETLINK, t),
                seen.get(seen.size() - 1));
        // The kernel may still send this connection's ESTABLISHED after its CLOSED (it became
        // fully established by the closing handshake): collect a moment longer.
        ch.configureBlocking(false);
        Thread.sleep(200);
        for (MptcpEvent e = ch.receive(); e != null; e = ch.receive()) {
            seen.add(e);
        }
        for (MptcpEvent e : seen) {
            assertTrue(e.toString().matches(".*token=" + t + "[,\\]].*"),
                    "another's event: " + e);
        }
    }

    @Test
    void linkAndAddressEventsComeFromRtnetlink() throws Exception {
        MptcpEventChannel ch = events(MptcpEventChannel.Options.DEFAULT);
        // veth: this kernel has no dummy driver; a veth has carrier once both ends are up.
        ns.ip("link", "add", "ev0", "type", "veth", "peer", "name", "ev1");
        ns.ip("addr", "add", "10.99.0.1/24", "dev", "ev0");
        ns.ip("link", "set", "ev1", "up");
        ns.ip("link", "set", "ev0", "up");
        int index = Integer.parseInt(ns.exec("cat", "/sys/class/net/ev0/ifindex").trim());
        List<MptcpEvent> seen = until(ch, e -> e instanceof MptcpEvent.LinkUp l
                && l.interfaceIndex() == index, new ArrayList<>());
        assertTrue(seen.contains(new MptcpEvent.LocalAddressAdded(EventSource.NETLINK, index,
                InetAddress.getByName("10.99.0.1"), 24, java.util.Optional.of("ev0"))),
                seen.toString());
        ns.ip("link", "set", "ev0", "down");
        until(ch, e -> e instanceof MptcpEvent.LinkDown l && l.interfaceIndex() == index,
                seen);
        ns.ip("addr", "del", "10.99.0.1/24", "dev", "ev0");
        until(ch, e -> e instanceof MptcpEvent.LocalAddressRemoved a
                && a.interfaceIndex() == index, seen);
    }

    @Test
    void overrunIsReportedAndOurConnectionsAreRecovered() throws Exception {
        // The smallest buffer the kernel allows (it rounds up to SOCK_MIN_RCVBUF).
        MptcpEventChannel ch = events(MptcpEventChannel.Options.DEFAULT.localEvents(false)
                .receiveBufferBytes(1));
        ServerSocketChannel server = server();
        for (int i = 0; i < 100; i++) {
            SocketChannel c = ns.call(() -> PROVIDER.openSocketChannel(
                    StandardProtocolFamily.INET));
            c.connect(server.getLocalAddress());
            server.accept().close();
            c.close();
        }
        SocketChannel kept = client();
        kept.connect(server.getLocalAddress());
        SocketChannel keptAccepted = track(server.accept());
        MptcpToken t = token(kept);
        // More events, so that the buffer is surely full after the kept connection's.
        for (int i = 0; i < 100; i++) {
            SocketChannel c = ns.call(() -> PROVIDER.openSocketChannel(
                    StandardProtocolFamily.INET));
            c.connect(server.getLocalAddress());
            server.accept().close();
            c.close();
        }
        ch.configureBlocking(false);
        List<MptcpEvent> seen = new ArrayList<>();
        for (MptcpEvent e = ch.receive(); e != null; e = ch.receive()) {
            seen.add(e);
        }
        int lost = seen.indexOf(new MptcpEvent.EventsLost(EventSource.NETLINK,
                "mptcp_pm_events"));
        assertTrue(lost >= 0, "an overrun with a 2 KiB buffer: " + seen.size() + " events");
        assertTrue(seen.stream().anyMatch(e -> e instanceof MptcpEvent.ConnectionEstablished c
                && c.token().equals(t)), "the kept connection is known established");
        keptAccepted.close();
        kept.close();
    }
}
