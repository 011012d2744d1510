package io.mptcp.nio.contract;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.nio.channels.Pipe;
import java.nio.channels.SelectableChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * An operation on a channel that the calling thread closed itself, in blocking and in
 * non-blocking mode, for every channel kind. Where the JDK checks that the channel is open
 * before it marks the start of a blocking operation, the caller gets
 * {@link ClosedChannelException}; where it checks within, the end of the operation reports the
 * close as {@link AsynchronousCloseException} (a subclass, so classes are compared exactly).
 * Which one depends on the operation and on the JDK release (measured on 17.0.15 and 25):
 * socket read and write check first on every release, datagram operations since JDK 23,
 * accept, connect, finishConnect and pipes on JDK 25. Non-blocking operations always throw
 * {@code ClosedChannelException}.
 */
abstract class ClosedByCallerContract extends UnixDomainChannelContract {

    private static final int FEATURE = Runtime.version().feature();

    /** Every mismatch of the current test, reported together. */
    private final List<String> mismatches = new ArrayList<>();

    /**
     * What a blocking operation on a closed channel throws, when the JDK checks for it first
     * from release {@code since} on.
     */
    private static Class<? extends ClosedChannelException> blockingClosed(int since) {
        return FEATURE >= since ? ClosedChannelException.class
                : AsynchronousCloseException.class;
    }

    private void expect(Class<? extends Throwable> type, String what, Executable call) {
        try {
            call.execute();
            mismatches.add(what + ": returned instead of throwing " + type.getSimpleName());
        } catch (Throwable t) {
            if (t.getClass() != type) {
                mismatches.add(what + ": " + t + " instead of " + type.getSimpleName());
            }
        }
    }

    private void assertNoMismatch() {
        assertTrue(mismatches.isEmpty(), () -> "on JDK " + FEATURE + ":\n  "
                + String.join("\n  ", mismatches));
    }

    private static String mode(SelectableChannel ch) {
        return ch.isBlocking() ? "blocking " : "non-blocking ";
    }

    private void socketIo(SocketChannel ch, String kind) throws Exception {
        ByteBuffer b = ByteBuffer.allocate(4);
        String m = mode(ch) + kind;
        expect(ClosedChannelException.class, m + " read", () -> ch.read(b));
        expect(ClosedChannelException.class, m + " write", () -> ch.write(b));
        expect(ClosedChannelException.class, m + " scattering read",
                () -> ch.read(new ByteBuffer[] {b}));
        expect(ClosedChannelException.class, m + " gathering write",
                () -> ch.write(new ByteBuffer[] {b}));
    }

    private void connect(SocketChannel ch, SocketAddress to, String kind) {
        Class<? extends Throwable> type = ch.isBlocking() ? blockingClosed(25)
                : ClosedChannelException.class;
        String m = mode(ch) + kind;
        expect(type, m + " connect", () -> ch.connect(to));
        expect(type, m + " finishConnect", ch::finishConnect);
    }

    private void accept(ServerSocketChannel server, String kind) {
        Class<? extends Throwable> type = server.isBlocking() ? blockingClosed(25)
                : ClosedChannelException.class;
        expect(type, mode(server) + kind + " accept", server::accept);
    }

    @Test
    void inetSocketChannel() throws Exception {
        for (boolean blocking : new boolean[] {true, false}) {
            Pair pair = connectedPair();
            SocketAddress to = pair.server().getLocalAddress();
            pair.client().configureBlocking(blocking);
            pair.client().close();
            socketIo(pair.client(), "connected INET");
            connect(pair.client(), to, "connected INET");

            SocketChannel fresh = openSocketChannel();
            fresh.configureBlocking(blocking);
            fresh.close();
            connect(fresh, to, "unconnected INET");

            pair.server().configureBlocking(blocking);
            pair.server().close();
            accept(pair.server(), "INET");
        }
        assertNoMismatch();
    }

    @Test
    void unixSocketChannel() throws Exception {
        for (boolean blocking : new boolean[] {true, false}) {
            ServerSocketChannel server = listenUnix("s-" + blocking);
            SocketChannel client = openUnixSocketChannel();
            client.connect(server.getLocalAddress());
            track(server.accept());
            SocketAddress to = server.getLocalAddress();
            client.configureBlocking(blocking);
            client.close();
            socketIo(client, "connected UNIX");
            connect(client, to, "connected UNIX");

            SocketChannel fresh = openUnixSocketChannel();
            fresh.configureBlocking(blocking);
            fresh.close();
            connect(fresh, to, "unconnected UNIX");

            server.configureBlocking(blocking);
            server.close();
            accept(server, "UNIX");
        }
        assertNoMismatch();
    }

    @Test
    void datagramChannel() throws Exception {
        InetSocketAddress peer = new InetSocketAddress(ContractSupport.LOOPBACK_V4, 9);
        for (boolean blocking : new boolean[] {true, false}) {
            for (boolean connected : new boolean[] {false, true}) {
                DatagramChannel ch = track(provider().openDatagramChannel());
                ch.bind(new InetSocketAddress(ContractSupport.LOOPBACK_V4, 0));
                if (connected) {
                    ch.connect(peer);
                }
                ch.configureBlocking(blocking);
                ch.close();
                Class<? extends Throwable> type = blocking ? blockingClosed(23)
                        : ClosedChannelException.class;
                String m = mode(ch) + (connected ? "connected" : "unconnected") + " datagram";
                ByteBuffer b = ByteBuffer.allocate(4);
                expect(type, m + " send", () -> ch.send(b, peer));
                expect(type, m + " receive", () -> ch.receive(b));
                expect(type, m + " read", () -> ch.read(b));
                expect(type, m + " write", () -> ch.write(b));
                expect(type, m + " scattering read", () -> ch.read(new ByteBuffer[] {b}));
                expect(type, m + " gathering write", () -> ch.write(new ByteBuffer[] {b}));
                expect(ClosedChannelException.class, m + " connect", () -> ch.connect(peer));
            }
        }
        assertNoMismatch();
    }

    @Test
    void pipe() throws Exception {
        for (boolean blocking : new boolean[] {true, false}) {
            Pipe pipe = openPipe();
            pipe.source().configureBlocking(blocking);
            pipe.sink().configureBlocking(blocking);
            pipe.source().close();
            pipe.sink().close();
            Class<? extends Throwable> type = blocking ? blockingClosed(25)
                    : ClosedChannelException.class;
            String m = mode(pipe.sink()) + "pipe";
            ByteBuffer b = ByteBuffer.allocate(4);
            expect(type, m + " read", () -> pipe.source().read(b));
            expect(type, m + " scattering read", () -> pipe.source().read(new ByteBuffer[] {b}));
            expect(type, m + " write", () -> pipe.sink().write(b));
            expect(type, m + " gathering write", () -> pipe.sink().write(new ByteBuffer[] {b}));
        }
        assertNoMismatch();
    }
}
