package io.mptcp.nio.contract;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.NoRouteToHostException;
import java.net.SocketException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * The exception, class and message, for an errno the kernel returns, as the JDK's
 * {@code Net.c}, {@code SocketDispatcher} and {@code convertReturnVal} map it (see
 * {@code NioExceptions}): a reset seen by a write is an {@link IOException} "Connection reset
 * by peer" and by a read a {@link SocketException} "Connection reset"; {@code ENETUNREACH} is a
 * {@link SocketException}, only {@code EHOSTUNREACH} a {@link NoRouteToHostException}; a failed
 * multicast join says "(setsockopt failed)". Classes are compared exactly (the expected ones
 * are superclasses of the wrong ones).
 */
abstract class ErrnoMappingContract extends ChannelContract {

    private final List<String> mismatches = new ArrayList<>();

    private void expect(Class<? extends Throwable> type, String message, String what,
            Executable call) {
        try {
            call.execute();
            mismatches.add(what + ": returned instead of throwing " + type.getSimpleName());
        } catch (Throwable t) {
            if (t.getClass() != type || !message.equals(t.getMessage())) {
                mismatches.add(what + ": " + t + " instead of " + type.getName() + ": "
                        + message);
            }
        }
    }

    private void assertNoMismatch() {
        assertTrue(mismatches.isEmpty(), () -> String.join("\n  ", mismatches));
    }

    /** A pair whose accepted end was closed with SO_LINGER 0: the client's side is reset. */
    private Pair resetPair() throws Exception {
        Pair pair = connectedPair();
        pair.accepted().setOption(StandardSocketOptions.SO_LINGER, 0);
        pair.accepted().close();
        // Let the RST arrive (loopback: at once, but asynchronously).
        Thread.sleep(200);
        return pair;
    }

    @Test
    void aResetSeenByAWriteIsConnectionResetByPeer() throws Exception {
        Pair pair = resetPair();
        expect(IOException.class, "Connection reset by peer", "write after RST",
                () -> pair.client().write(ByteBuffer.allocate(10)));
        assertNoMismatch();
    }

    @Test
    void aResetSeenByAReadIsConnectionResetAgainAndAgain() throws Exception {
        Pair pair = resetPair();
        expect(SocketException.class, "Connection reset", "read after RST",
                () -> pair.client().read(ByteBuffer.allocate(10)));
        expect(SocketException.class, "Connection reset", "second read after RST",
                () -> pair.client().read(ByteBuffer.allocate(10)));
        expect(IOException.class, "Broken pipe", "write after the read saw the RST",
                () -> pair.client().write(ByteBuffer.allocate(10)));
        assertNoMismatch();
    }

    @Test
    void routingErrorsInANamespace() throws Exception {
        try (RouteNamespace ns = RouteNamespace.create()) {
            ns.call(() -> {
                routingErrors("network unreachable", RouteNamespace.NO_ROUTE,
                        SocketException.class, "Network is unreachable");
                routingErrors("host unreachable", RouteNamespace.UNREACHABLE,
                        NoRouteToHostException.class, "No route to host");
                routingErrors("prohibited", RouteNamespace.PROHIBITED, BindException.class,
                        "Permission denied");
                return null;
            });
        }
        assertNoMismatch();
    }

    private void routingErrors(String route, InetAddress to,
            Class<? extends Throwable> type, String message) throws IOException {
        InetSocketAddress target = new InetSocketAddress(to, 80);
        SocketChannel blocking = openSocketChannel();
        expect(type, message, route + ": blocking connect", () -> blocking.connect(target));
        SocketChannel nonBlocking = openSocketChannel();
        nonBlocking.configureBlocking(false);
        expect(type, message, route + ": non-blocking connect",
                () -> nonBlocking.connect(target));
        DatagramChannel send = track(provider().openDatagramChannel());
        expect(type, message, route + ": datagram send",
                () -> send.send(ByteBuffer.allocate(1), target));
        DatagramChannel connect = track(provider().openDatagramChannel());
        expect(type, message, route + ": datagram connect", () -> connect.connect(target));
    }

    /**
     * Linux lets a socket join {@code igmp_max_memberships} (20 in a new namespace) IPv4
     * groups; the next join fails with {@code ENOBUFS}.
     */
    @Test
    void aFailedJoinSaysSetsockoptFailed() throws Exception {
        try (RouteNamespace ns = RouteNamespace.create()) {
            ns.call(() -> {
                NetworkInterface lo = NetworkInterface.getByName("lo");
                DatagramChannel ch = track(provider().openDatagramChannel());
                for (int i = 1; i <= 20; i++) {
                    ch.join(InetAddress.getByName("239.1.2." + i), lo);
                }
                expect(SocketException.class, "No buffer space available (setsockopt failed)",
                        "join beyond igmp_max_memberships",
                        () -> ch.join(InetAddress.getByName("239.1.2.21"), lo));
                return null;
            });
        }
        assertNoMismatch();
    }
}
