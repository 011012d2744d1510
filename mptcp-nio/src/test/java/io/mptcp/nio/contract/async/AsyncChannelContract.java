package io.mptcp.nio.contract.async;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mptcp.nio.MptcpSocketOptions;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.SocketOption;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.AcceptPendingException;
import java.nio.channels.AlreadyBoundException;
import java.nio.channels.AlreadyConnectedException;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.AsynchronousServerSocketChannel;
import java.nio.channels.AsynchronousSocketChannel;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.InterruptedByTimeoutException;
import java.nio.channels.NotYetBoundException;
import java.nio.channels.NotYetConnectedException;
import java.nio.channels.ReadPendingException;
import java.nio.channels.UnresolvedAddressException;
import java.nio.channels.WritePendingException;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CancellationException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/**
 * Asynchronous socket channels: connect, accept, read and write with futures and completion
 * handlers, scattering and gathering, timeouts and the state they leave, pending-operation
 * exceptions, cancellation, close, options. All in the default group.
 */
abstract class AsyncChannelContract extends AsyncContract {

    private static final Set<SocketOption<?>> MPTCP_OPTIONS = Set.of(
            MptcpSocketOptions.MPTCP_ENABLED, MptcpSocketOptions.MPTCP_TOKEN,
            MptcpSocketOptions.MPTCP_INFO, MptcpSocketOptions.MPTCP_SUBFLOWS,
            MptcpSocketOptions.MPTCP_FALLBACK_REASON);

    private static byte[] data(int n, long seed) {
        byte[] b = new byte[n];
        new SplittableRandom(seed).nextBytes(b);
        return b;
    }

    @Test
    void connectAcceptEchoWithFutures() throws Exception {
        AsynchronousServerSocketChannel server = listen(null);
        AsynchronousSocketChannel client = open(null);
        assertSame(provider(), client.provider());
        assertSame(provider(), server.provider());
        assertNull(client.getLocalAddress(), "unbound before connect");
        assertNull(client.getRemoteAddress());
        assertTrue(client.toString().contains("unconnected"), client.toString());

        Future<AsynchronousSocketChannel> accept = server.accept();
        assertNull(client.connect(server.getLocalAddress()).get(STEP_SECONDS, TimeUnit.SECONDS));
        AsynchronousSocketChannel accepted = track(accept.get(STEP_SECONDS, TimeUnit.SECONDS));
        assertSame(provider(), accepted.provider());
        assertEquals(server.getLocalAddress(), client.getRemoteAddress());
        assertEquals(client.getLocalAddress(), accepted.getRemoteAddress());
        assertEquals(server.getLocalAddress(), accepted.getLocalAddress());
        assertTrue(client.toString().contains("connected"), client.toString());

        byte[] sent = data(300_000, 1);
        Future<byte[]> received = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
                return readFully(accepted, sent.length);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        writeFully(client, sent);
        assertArrayEquals(sent, received.get(STEP_SECONDS, TimeUnit.SECONDS));

        client.shutdownOutput();
        assertEquals(-1, accepted.read(ByteBuffer.allocate(8)).get(STEP_SECONDS,
                TimeUnit.SECONDS), "end of stream after the peer's shutdownOutput");
    }

    @Test
    void completionHandlersGetResultAndAttachment() throws Exception {
        AsynchronousServerSocketChannel server = listen(null);
        AsynchronousSocketChannel client = open(null);
        Completion<AsynchronousSocketChannel> accepted = new Completion<>();
        server.accept("accept", accepted);
        Completion<Void> connected = new Completion<>();
        client.connect(server.getLocalAddress(), "connect", connected);
        assertNull(connected.await());
        assertEquals("connect", connected.attachment);
        AsynchronousSocketChannel peer = track(accepted.await());
        assertEquals("accept", accepted.attachment);
        assertTrue(accepted.thread.isDaemon(), "default group threads are daemons");

        Completion<Integer> written = new Completion<>();
        client.write(ByteBuffer.wrap(new byte[] {1, 2, 3}), 0, TimeUnit.SECONDS, "w", written);
        assertEquals(3, written.await());
        assertEquals("w", written.attachment);
        Completion<Integer> read = new Completion<>();
        ByteBuffer dst = ByteBuffer.allocateDirect(3);
        while (dst.hasRemaining()) {
            read = new Completion<>();
            peer.read(dst, 0, TimeUnit.SECONDS, "r", read);
            assertTrue(read.await() > 0);
        }
        assertEquals("r", read.attachment);
        dst.flip();
        assertEquals(1, dst.get(0));
        assertEquals(3, dst.get(2));
    }

    @Test
    void scatteringReadAndGatheringWriteReportLongs() throws Exception {
        Pair p = connect(null);
        ByteBuffer[] srcs = {ByteBuffer.wrap(new byte[] {1, 2}), ByteBuffer.allocate(0),
            ByteBuffer.allocateDirect(3).put(new byte[] {3, 4, 5}).flip()};
        Completion<Long> written = new Completion<>();
        p.client().write(srcs, 0, 3, 0, TimeUnit.SECONDS, null, written);
        assertEquals(5L, written.await());

        ByteBuffer[] dsts = {ByteBuffer.allocate(0), ByteBuffer.allocate(4),
            ByteBuffer.allocateDirect(4)};
        long total = 0;
        while (total < 5) {
            Completion<Long> read = new Completion<>();
            p.accepted().read(dsts, 1, 2, 0, TimeUnit.SECONDS, null, read);
            total += read.await();
        }
        assertEquals(5, total);
        assertEquals(4, dsts[1].position());
        assertEquals(1, dsts[2].position());
        assertEquals(5, dsts[2].get(0));

        Completion<Long> none = new Completion<>();
        p.accepted().read(new ByteBuffer[] {ByteBuffer.allocate(0)}, 0, 1, 0,
                TimeUnit.SECONDS, null, none);
        assertEquals(0L, none.await(), "nothing to read into: 0");
        assertThrows(IndexOutOfBoundsException.class, () -> p.accepted().read(dsts, 2, 2, 0,
                TimeUnit.SECONDS, null, new Completion<Long>()));
    }

    @Test
    void readTimeoutThenReadingIsNotAllowed() throws Exception {
        Pair p = connect(null);
        Completion<Integer> read = new Completion<>();
        long start = System.nanoTime();
        p.client().read(ByteBuffer.allocate(16), 200, TimeUnit.MILLISECONDS, "t", read);
        read.failure(InterruptedByTimeoutException.class);
        assertTrue(System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(190));
        assertEquals("t", read.attachment);
        assertTrue(p.client().isOpen(), "a timeout does not close the channel");
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> p.client().read(ByteBuffer.allocate(16)));
        assertEquals("Reading not allowed due to timeout or cancellation", e.getMessage());
        // Writing still works, both ways of the connection stay usable for writes.
        writeFully(p.client(), new byte[] {9});
        assertArrayEquals(new byte[] {9}, readFully(p.accepted(), 1));
    }

    @Test
    void writeTimeoutThenWritingIsNotAllowed() throws Exception {
        Pair p = connect(null);
        p.client().setOption(StandardSocketOptions.SO_SNDBUF, 8192);
        p.accepted().setOption(StandardSocketOptions.SO_RCVBUF, 8192);
        ByteBuffer big = ByteBuffer.allocate(1 << 20);
        Throwable failure = null;
        // The peer never reads: the socket buffers fill and a write stays pending.
        for (int i = 0; i < 200 && failure == null; i++) {
            Completion<Integer> w = new Completion<>();
            p.client().write(big, 200, TimeUnit.MILLISECONDS, null, w);
            try {
                w.await();
            } catch (java.util.concurrent.ExecutionException e) {
                failure = e.getCause();
            }
        }
        assertTrue(failure instanceof InterruptedByTimeoutException, String.valueOf(failure));
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> p.client().write(ByteBuffer.allocate(1)));
        assertEquals("Writing not allowed due to timeout or cancellation", e.getMessage());
        assertTrue(p.client().isOpen());
        // Reading still works.
        writeFully(p.accepted(), new byte[] {7});
        assertArrayEquals(new byte[] {7}, readFully(p.client(), 1));
    }

    @Test
    void secondPendingReadOrWriteThrows() throws Exception {
        Pair p = connect(null);
        Future<Integer> pending = p.client().read(ByteBuffer.allocate(8));
        assertThrows(ReadPendingException.class, () -> p.client().read(ByteBuffer.allocate(8)));
        assertThrows(ReadPendingException.class, () -> p.client().read(ByteBuffer.allocate(8),
                0, TimeUnit.SECONDS, null, new Completion<Integer>()));
        writeFully(p.accepted(), new byte[] {1});
        assertEquals(1, pending.get(STEP_SECONDS, TimeUnit.SECONDS));

        Future<Integer> w;
        do {
            w = p.client().write(ByteBuffer.allocate(1 << 20));
        } while (w.isDone() || waitsLess(w));
        Future<Integer> stuck = w;
        assertThrows(WritePendingException.class,
                () -> p.client().write(ByteBuffer.allocate(1)));
        // Not drained: on loopback an MPTCP sender sometimes gets no write-space wakeup once its
        // buffer drains (the JDK's channels under mptcpize too); close ends the write instead.
        p.client().close();
        failure(stuck, AsynchronousCloseException.class);
    }

    // Whether a write completes within a short while (then it was not stuck yet).
    private static boolean waitsLess(Future<Integer> w) throws Exception {
        try {
            w.get(200, TimeUnit.MILLISECONDS);
            return true;
        } catch (java.util.concurrent.TimeoutException e) {
            return false;
        }
    }

    @Test
    void closeFailsPendingOperationsWithAsynchronousCloseException() throws Exception {
        Pair p = connect(null);
        Completion<Integer> read = new Completion<>();
        p.client().read(ByteBuffer.allocate(8), 0, TimeUnit.SECONDS, "x", read);
        // A read pending at each end of a second connection: whichever end closes first ends
        // the other's read with end of stream, so only one of them is closed here.
        Pair q = connect(null);
        Future<Integer> futureRead = q.accepted().read(ByteBuffer.allocate(8));
        Future<AsynchronousSocketChannel> accept = p.server().accept();
        p.client().close();
        q.accepted().close();
        p.server().close();
        read.failure(AsynchronousCloseException.class);
        assertEquals("x", read.attachment);
        failure(futureRead, AsynchronousCloseException.class);
        failure(accept, AsynchronousCloseException.class);
        assertFalse(p.client().isOpen());
        assertThrows(ClosedChannelException.class, () -> p.client().getLocalAddress());
        assertThrows(ClosedChannelException.class, () -> p.client().getRemoteAddress());
        assertTrue(p.client().toString().contains("closed"));
        failure(p.client().read(ByteBuffer.allocate(1)), ClosedChannelException.class);
        failure(p.client().write(ByteBuffer.allocate(1)), ClosedChannelException.class);
        Completion<Integer> closedRead = new Completion<>();
        p.client().read(ByteBuffer.allocate(1), 0, TimeUnit.SECONDS, null, closedRead);
        closedRead.failure(ClosedChannelException.class);
        p.client().close();
    }

    @Test
    void cancelForbidsFurtherReadsAndCancelTrueCloses() throws Exception {
        Pair p = connect(null);
        Future<Integer> read = p.client().read(ByteBuffer.allocate(8));
        assertTrue(read.cancel(false));
        assertTrue(read.isCancelled());
        assertTrue(read.isDone());
        assertThrows(CancellationException.class, read::get);
        assertFalse(read.cancel(false), "cancelled already");
        assertThrows(IllegalStateException.class, () -> p.client().read(ByteBuffer.allocate(8)));
        assertTrue(p.client().isOpen());

        Future<Integer> other = p.accepted().read(ByteBuffer.allocate(8));
        assertTrue(other.cancel(true));
        assertFalse(p.accepted().isOpen(), "cancel(true) closes the channel");
    }

    @Test
    void stateExceptions() throws Exception {
        AsynchronousSocketChannel client = open(null);
        assertThrows(NotYetConnectedException.class, () -> client.read(ByteBuffer.allocate(1)));
        assertThrows(NotYetConnectedException.class, () -> client.write(ByteBuffer.allocate(1)));
        assertThrows(NotYetConnectedException.class, client::shutdownInput);
        assertThrows(NotYetConnectedException.class, client::shutdownOutput);
        assertThrows(UnresolvedAddressException.class,
                () -> client.connect(InetSocketAddress.createUnresolved("nowhere.invalid", 1)));
        assertThrows(NullPointerException.class,
                () -> client.connect(null, null, new Completion<Void>()));
        assertThrows(NullPointerException.class,
                () -> client.connect(new InetSocketAddress(1), null, null));

        AsynchronousServerSocketChannel unbound =
                track(provider().openAsynchronousServerSocketChannel(null));
        assertThrows(NotYetBoundException.class, unbound::accept);
        assertTrue(unbound.toString().contains("unbound"));

        Pair p = connect(null);
        assertThrows(AlreadyConnectedException.class,
                () -> p.client().connect(p.server().getLocalAddress()));
        assertThrows(AlreadyBoundException.class, () -> p.client().bind(null));
        assertThrows(AlreadyBoundException.class, () -> p.server().bind(null));
        p.server().accept();
        assertThrows(AcceptPendingException.class, () -> p.server().accept());
        assertThrows(IllegalArgumentException.class,
                () -> p.client().read(ByteBuffer.allocate(1).asReadOnlyBuffer()));
        Future<Integer> empty = p.client().read(ByteBuffer.allocate(0));
        assertEquals(0, empty.get(STEP_SECONDS, TimeUnit.SECONDS), "no space: 0 at once");
        assertEquals(0, p.client().write(ByteBuffer.allocate(0)).get());

        p.client().shutdownInput();
        assertEquals(-1, p.client().read(ByteBuffer.allocate(1)).get(),
                "input shut down: end of stream at once");
        assertTrue(p.client().toString().contains("ishut"), p.client().toString());
        p.client().shutdownOutput();
        failure(p.client().write(ByteBuffer.allocate(1)), ClosedChannelException.class);
        IOException e = assertThrows(IOException.class,
                () -> p.client().setOption(StandardSocketOptions.TCP_NODELAY, true));
        assertEquals("Connection has been shutdown for writing", e.getMessage());
    }

    @Test
    void connectionRefusedClosesTheChannel() throws Exception {
        int port;
        try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = free.getLocalPort();
        }
        AsynchronousSocketChannel client = open(null);
        Future<Void> f = client.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(),
                port));
        ConnectException e = failure(f, ConnectException.class);
        assertEquals("Connection refused", e.getMessage());
        assertFalse(client.isOpen(), "a failed connect closes the channel");

        AsynchronousSocketChannel other = open(null);
        Completion<Void> handler = new Completion<>();
        other.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), null,
                handler);
        handler.failure(ConnectException.class);
        assertFalse(other.isOpen());
    }

    @Test
    void optionsAreTheJdksPlusMptcp() throws Exception {
        Pair p = connect(null);
        Set<SocketOption<?>> options = new HashSet<>(p.client().supportedOptions());
        options.removeAll(MPTCP_OPTIONS);
        Set<SocketOption<?>> jdk = new HashSet<>(
                AsyncProviders.jdk().openAsynchronousSocketChannel(null).supportedOptions());
        assertEquals(names(jdk), names(options), "a socket channel's options");
        assertEquals(options, new HashSet<>(p.accepted().supportedOptions()).stream()
                .filter(o -> !MPTCP_OPTIONS.contains(o)).collect(
                        java.util.stream.Collectors.toSet()));

        Set<SocketOption<?>> server = new HashSet<>(p.server().supportedOptions());
        server.remove(MptcpSocketOptions.MPTCP_ENABLED);
        server.remove(MptcpSocketOptions.MPTCP_FALLBACK_REASON);
        try (AsynchronousServerSocketChannel j =
                AsyncProviders.jdk().openAsynchronousServerSocketChannel(null)) {
            assertEquals(names(j.supportedOptions()), names(server), "a listener's options");
        }

        p.client().setOption(StandardSocketOptions.SO_RCVBUF, 65536);
        assertEquals(65536, p.client().getOption(StandardSocketOptions.SO_RCVBUF));
        p.client().setOption(StandardSocketOptions.TCP_NODELAY, true);
        assertTrue(p.client().getOption(StandardSocketOptions.TCP_NODELAY));
        assertTrue(p.server().getOption(StandardSocketOptions.SO_REUSEADDR),
                "listeners start with SO_REUSEADDR");
        UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
                () -> p.client().getOption(StandardSocketOptions.SO_LINGER));
        assertEquals("'SO_LINGER' not supported", e.getMessage());
        assertThrows(UnsupportedOperationException.class,
                () -> p.server().setOption(StandardSocketOptions.IP_TOS, 0));
        assertThrows(NullPointerException.class, () -> p.client().getOption(null));
        assertThrows(IllegalArgumentException.class,
                () -> p.client().setOption(StandardSocketOptions.SO_RCVBUF, -1));
    }

    private static Set<String> names(Set<SocketOption<?>> options) {
        Set<String> names = new java.util.TreeSet<>();
        options.forEach(o -> names.add(o.name()));
        return names;
    }

    @Test
    void manyConcurrentEchoesThroughHandlers() throws Exception {
        AsynchronousServerSocketChannel server = listen(null);
        int clients = 20;
        byte[] payload = data(50_000, 7);
        // Echo server: each accepted channel reads and writes back until end of stream.
        server.accept(null, new java.nio.channels.CompletionHandler<AsynchronousSocketChannel,
                Object>() {
            @Override
            public void completed(AsynchronousSocketChannel ch, Object att) {
                track(ch);
                server.accept(null, this);
                echo(ch, ByteBuffer.allocateDirect(4096));
            }

            @Override
            public void failed(Throwable exc, Object att) {
            }
        });
        java.util.List<Future<byte[]>> results = new java.util.ArrayList<>();
        for (int i = 0; i < clients; i++) {
            AsynchronousSocketChannel c = open(null);
            c.connect(server.getLocalAddress()).get(STEP_SECONDS, TimeUnit.SECONDS);
            results.add(java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                try {
                    writeFully(c, payload);
                    return readFully(c, payload.length);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }));
        }
        for (Future<byte[]> r : results) {
            assertTrue(Arrays.equals(payload, r.get(20, TimeUnit.SECONDS)));
        }
    }

    private static void echo(AsynchronousSocketChannel ch, ByteBuffer buf) {
        buf.clear();
        ch.read(buf, null, new java.nio.channels.CompletionHandler<Integer, Object>() {
            @Override
            public void completed(Integer n, Object att) {
                if (n < 0) {
                    return;
                }
                buf.flip();
                writeAll(ch, buf, () -> echo(ch, buf));
            }

            @Override
            public void failed(Throwable exc, Object att) {
            }
        });
    }

    private static void writeAll(AsynchronousSocketChannel ch, ByteBuffer buf, Runnable then) {
        ch.write(buf, null, new java.nio.channels.CompletionHandler<Integer, Object>() {
            @Override
            public void completed(Integer n, Object att) {
                if (buf.hasRemaining()) {
                    ch.write(buf, null, this);
                } else {
                    then.run();
                }
            }

            @Override
            public void failed(Throwable exc, Object att) {
            }
        });
    }

    @Test
    void acceptedChannelIsNotNullAndConnected() throws Exception {
        Pair p = connect(null);
        assertNotNull(p.accepted().getRemoteAddress());
        assertTrue(p.accepted().isOpen());
    }
}
