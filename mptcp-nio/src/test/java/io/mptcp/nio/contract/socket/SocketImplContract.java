package io.mptcp.nio.contract.socket;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mptcp.nio.MptcpSocketOptions;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.BindException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketOption;
import java.net.SocketTimeoutException;
import java.net.StandardSocketOptions;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code java.net.Socket} and {@code ServerSocket} as the JDK's {@code NioSocketImpl} makes
 * them behave, run against the JDK's impl and ours ({@link SocketKinds}). Messages are compared
 * where a program could depend on them (the JDK's "Socket closed", "Read timed out").
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
abstract class SocketImplContract {

    static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    /**
     * Whether {@code Socket.connect} closes the socket when it fails: JDK 25 does, JDK 17 does
     * not (the two JDKs this is verified on). {@code ServerSocket.bind} closes on neither.
     */
    static final boolean CLOSES_ON_FAILURE = Runtime.version().feature() >= 25;

    private final List<AutoCloseable> opened = new ArrayList<>();

    protected abstract SocketKinds.Kind kind();

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : opened) {
            c.close();
        }
    }

    private <T extends AutoCloseable> T track(T c) {
        opened.add(c);
        return c;
    }

    Socket socket() throws IOException {
        return track(kind().socket());
    }

    ServerSocket listener() throws IOException {
        ServerSocket ss = track(kind().serverSocket());
        ss.bind(new InetSocketAddress(LOOPBACK, 0));
        return ss;
    }

    /** A connected pair: [0] the client, [1] the accepted socket. */
    Socket[] pair(ServerSocket ss) throws Exception {
        Socket client = socket();
        CompletableFuture<Socket> accepted = CompletableFuture.supplyAsync(() -> {
            try {
                return ss.accept();
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
        client.connect(ss.getLocalSocketAddress(), 5000);
        return new Socket[] {client, track(accepted.get(5, TimeUnit.SECONDS))};
    }

    Socket[] pair() throws Exception {
        return pair(listener());
    }

    private static <T> CompletableFuture<T> async(Call<T> call) {
        CompletableFuture<T> f = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try {
                f.complete(call.call());
            } catch (Throwable e) {
                f.completeExceptionally(e);
            }
        }, "contract-helper");
        t.setDaemon(true);
        t.start();
        return f;
    }

    interface Call<T> {
        T call() throws Exception;
    }

    private static Throwable failureOf(CompletableFuture<?> f) throws Exception {
        try {
            Object v = f.get(5, TimeUnit.SECONDS);
            throw new AssertionError("returned " + v + " instead of throwing");
        } catch (ExecutionException e) {
            return e.getCause();
        }
    }

    // ---- states ----------------------------------------------------------------------------

    @Test
    void unconnectedSocket() throws Exception {
        Socket s = socket();
        assertFalse(s.isConnected());
        assertFalse(s.isBound());
        assertFalse(s.isClosed());
        assertNull(s.getInetAddress());
        assertNull(s.getChannel(), "a Socket of a SocketImpl has no channel");
        assertEquals(0, s.getPort());
        assertEquals(-1, s.getLocalPort());
        assertTrue(s.getLocalAddress().isAnyLocalAddress());
        assertNull(s.getRemoteSocketAddress());
        assertEquals("Socket[unconnected]", s.toString());
        SocketException in = assertThrows(SocketException.class, s::getInputStream);
        assertEquals("Socket is not connected", in.getMessage());
        assertThrows(SocketException.class, s::shutdownOutput);

        s.bind(new InetSocketAddress(LOOPBACK, 0));
        assertTrue(s.isBound());
        assertTrue(s.getLocalPort() > 0);
        assertEquals(LOOPBACK, s.getLocalAddress());
        assertEquals(new InetSocketAddress(LOOPBACK, s.getLocalPort()), s.getLocalSocketAddress());
        SocketException again = assertThrows(SocketException.class,
                () -> s.bind(new InetSocketAddress(LOOPBACK, 0)));
        assertEquals("Already bound", again.getMessage());
    }

    @Test
    void connectedAddressesAndEcho() throws Exception {
        ServerSocket ss = listener();
        Socket[] p = pair(ss);
        Socket client = p[0];
        Socket server = p[1];
        assertTrue(client.isConnected() && client.isBound());
        assertTrue(server.isConnected() && server.isBound());
        assertEquals(LOOPBACK, client.getInetAddress());
        assertEquals(ss.getLocalPort(), client.getPort());
        assertEquals(client.getLocalPort(), server.getPort());
        assertEquals(server.getLocalPort(), client.getPort());
        assertEquals(LOOPBACK, server.getInetAddress());
        assertEquals(LOOPBACK, client.getLocalAddress());
        assertEquals(LOOPBACK, server.getLocalAddress());
        assertEquals(server.getLocalSocketAddress(), client.getRemoteSocketAddress());
        assertEquals(client.getLocalSocketAddress(), server.getRemoteSocketAddress());
        assertEquals("Socket[addr=" + LOOPBACK + ",port=" + client.getPort() + ",localport="
                + client.getLocalPort() + "]", client.toString());

        byte[] data = new byte[300_000];
        new java.util.Random(13).nextBytes(data);
        CompletableFuture<Void> writer = async(() -> {
            client.getOutputStream().write(data);
            client.getOutputStream().write(7);
            client.shutdownOutput();
            return null;
        });
        byte[] got = server.getInputStream().readNBytes(data.length);
        assertArrayEquals(data, got);
        assertEquals(7, server.getInputStream().read());
        assertEquals(-1, server.getInputStream().read());
        writer.get(5, TimeUnit.SECONDS);
        assertTrue(client.isOutputShutdown());
        server.getOutputStream().write(new byte[] {1, 2, 3});
        assertArrayEquals(new byte[] {1, 2, 3}, client.getInputStream().readNBytes(3));
    }

    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.1", "::1"})
    void connectWithoutTimeoutBothFamilies(String literal) throws Exception {
        InetAddress addr = InetAddress.getByName(literal);
        ServerSocket ss = track(kind().serverSocket());
        ss.bind(new InetSocketAddress(addr, 0));
        Socket c = socket();
        CompletableFuture<Socket> accepted = async(ss::accept);
        c.connect(new InetSocketAddress(addr, ss.getLocalPort()));
        Socket a = track(accepted.get(5, TimeUnit.SECONDS));
        assertEquals(addr, c.getInetAddress());
        assertEquals(addr, a.getLocalAddress());
        c.getOutputStream().write(42);
        assertEquals(42, a.getInputStream().read());
    }

    @Test
    void connectRefusedClosesTheSocket() throws Exception {
        int port;
        try (ServerSocket probe = new ServerSocket(0, 1, LOOPBACK)) {
            port = probe.getLocalPort();
        }
        Socket s = socket();
        ConnectException e = assertThrows(ConnectException.class,
                () -> s.connect(new InetSocketAddress(LOOPBACK, port), 2000));
        assertTrue(e.getMessage().startsWith("Connection refused"), e.getMessage());
        assertEquals(CLOSES_ON_FAILURE, s.isClosed(), "Socket.connect closes on failure");
    }

    @Test
    void connectUnresolved() throws Exception {
        Socket s = socket();
        assertThrows(UnknownHostException.class,
                () -> s.connect(InetSocketAddress.createUnresolved("no.such.host.invalid", 80)));
        assertEquals(CLOSES_ON_FAILURE, s.isClosed());
    }

    @Test
    void connectTwice() throws Exception {
        ServerSocket ss = listener();
        Socket c = pair(ss)[0];
        SocketException e = assertThrows(SocketException.class,
                () -> c.connect(ss.getLocalSocketAddress()));
        // "already connected" on JDK 17, "Already connected" on 25: Socket's own check.
        assertEquals("already connected", e.getMessage().toLowerCase(java.util.Locale.ROOT));
    }

    // ---- timeouts ---------------------------------------------------------------------------

    @Test
    void readTimeoutKeepsTheSocketUsable() throws Exception {
        Socket[] p = pair();
        p[0].setSoTimeout(200);
        assertEquals(200, p[0].getSoTimeout());
        long start = System.nanoTime();
        SocketTimeoutException e = assertThrows(SocketTimeoutException.class,
                () -> p[0].getInputStream().read());
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertEquals("Read timed out", e.getMessage());
        assertTrue(millis >= 190 && millis < 3000, millis + " ms");
        assertFalse(p[0].isClosed());
        p[1].getOutputStream().write(5);
        assertEquals(5, p[0].getInputStream().read());
    }

    /**
     * After a timed read (which leaves the JDK's descriptor non-blocking for good), untimed
     * reads and writes still block until they can go on, a write larger than the socket
     * buffers arrives whole, and close still wakes a blocked reader.
     */
    @Test
    void afterATimedReadUntimedCallsStillBlock() throws Exception {
        Socket[] p = pair();
        p[0].setSoTimeout(100);
        assertThrows(SocketTimeoutException.class, () -> p[0].getInputStream().read());
        p[1].getOutputStream().write(7);
        assertEquals(7, p[0].getInputStream().read(), "a timed read that finds data");
        p[0].setSoTimeout(0);
        InputStream in = p[0].getInputStream();
        CompletableFuture<Integer> reader = async(in::read);
        Thread.sleep(300);
        assertFalse(reader.isDone(), "an untimed read blocks");
        p[1].getOutputStream().write(9);
        assertEquals(9, reader.get(5, TimeUnit.SECONDS));
        // Larger than both socket buffers: the write must wait for the reader.
        byte[] big = new byte[8 << 20];
        for (int i = 0; i < big.length; i++) {
            big[i] = (byte) (i * 31);
        }
        CompletableFuture<Void> writer = async(() -> {
            p[0].getOutputStream().write(big);
            return null;
        });
        Thread.sleep(300);
        assertFalse(writer.isDone(), "a write larger than the buffers blocks");
        byte[] got = p[1].getInputStream().readNBytes(big.length);
        writer.get(5, TimeUnit.SECONDS);
        assertArrayEquals(big, got);
        CompletableFuture<Integer> blocked = async(in::read);
        Thread.sleep(300);
        assertFalse(blocked.isDone());
        p[0].close();
        Throwable t = failureOf(blocked);
        assertInstanceOf(SocketException.class, t);
        assertEquals("Socket closed", t.getMessage());
    }

    @Test
    void acceptTimeoutKeepsTheListenerUsable() throws Exception {
        ServerSocket ss = listener();
        ss.setSoTimeout(200);
        assertEquals(200, ss.getSoTimeout());
        SocketTimeoutException e = assertThrows(SocketTimeoutException.class, ss::accept);
        assertEquals("Accept timed out", e.getMessage());
        assertFalse(ss.isClosed());
        Socket c = socket();
        c.connect(ss.getLocalSocketAddress());
        Socket a = track(ss.accept());
        assertTrue(a.isConnected());
        assertEquals(0, a.getSoTimeout(), "an accepted socket has no read timeout");
    }

    // ---- end of stream, close, shutdown ----------------------------------------------------

    @Test
    void endOfStreamStaysEvenAfterClose() throws Exception {
        Socket[] p = pair();
        p[1].shutdownOutput();
        InputStream in = p[0].getInputStream();
        assertEquals(-1, in.read());
        assertEquals(-1, in.read(new byte[4]));
        p[0].close();
        assertEquals(-1, in.read(), "the JDK's legacy behaviour: EOF once, EOF always");
    }

    @Test
    void readAfterCloseFails() throws Exception {
        Socket[] p = pair();
        InputStream in = p[0].getInputStream();
        OutputStream out = p[0].getOutputStream();
        p[0].close();
        SocketException r = assertThrows(SocketException.class, in::read);
        assertEquals("Socket closed", r.getMessage());
        SocketException w = assertThrows(SocketException.class, () -> out.write(1));
        assertEquals("Socket closed", w.getMessage());
        SocketException a = assertThrows(SocketException.class, in::available);
        assertEquals("Socket closed", a.getMessage());
        SocketException o = assertThrows(SocketException.class,
                () -> p[0].getOption(StandardSocketOptions.SO_RCVBUF));
        assertEquals("Socket is closed", o.getMessage());
    }

    @Test
    void closeWakesABlockedReader() throws Exception {
        Socket[] p = pair();
        InputStream in = p[0].getInputStream();
        CompletableFuture<Integer> reader = async(in::read);
        Thread.sleep(300);
        assertFalse(reader.isDone());
        p[0].close();
        Throwable t = failureOf(reader);
        assertInstanceOf(SocketException.class, t);
        assertEquals("Socket closed", t.getMessage());
    }

    @Test
    void closeWakesABlockedAccept() throws Exception {
        ServerSocket ss = listener();
        CompletableFuture<Socket> acceptor = async(ss::accept);
        Thread.sleep(300);
        ss.close();
        Throwable t = failureOf(acceptor);
        assertInstanceOf(SocketException.class, t);
        assertEquals("Socket closed", t.getMessage());
    }

    @Test
    void interruptDoesNotCloseAPlatformThreadsSocket() throws Exception {
        Socket[] p = pair();
        InputStream in = p[0].getInputStream();
        CompletableFuture<Thread> self = new CompletableFuture<>();
        CompletableFuture<Integer> reader = async(() -> {
            self.complete(Thread.currentThread());
            return in.read();
        });
        Thread t = self.get(5, TimeUnit.SECONDS);
        Thread.sleep(300);
        t.interrupt();
        Thread.sleep(300);
        assertFalse(reader.isDone(), "the JDK's Socket read is not interruptible");
        assertFalse(p[0].isClosed());
        p[1].getOutputStream().write(9);
        assertEquals(9, reader.get(5, TimeUnit.SECONDS));
    }

    @Test
    void interruptDoesNotEndAPlatformThreadsAccept() throws Exception {
        ServerSocket ss = listener();
        CompletableFuture<Thread> self = new CompletableFuture<>();
        CompletableFuture<Socket> acceptor = async(() -> {
            self.complete(Thread.currentThread());
            return ss.accept();
        });
        Thread t = self.get(5, TimeUnit.SECONDS);
        Thread.sleep(300);
        t.interrupt();
        Thread.sleep(300);
        assertFalse(acceptor.isDone(), "the JDK's ServerSocket.accept is not interruptible");
        assertFalse(ss.isClosed());
        Socket c = socket();
        c.connect(ss.getLocalSocketAddress());
        track(acceptor.get(5, TimeUnit.SECONDS));
    }

    @Test
    void shutdownInputReadsEndOfStream() throws Exception {
        Socket[] p = pair();
        InputStream in = p[0].getInputStream();
        p[0].shutdownInput();
        assertTrue(p[0].isInputShutdown());
        assertEquals(-1, in.read());
        SocketException e = assertThrows(SocketException.class, p[0]::getInputStream);
        assertEquals("Socket input is shutdown", e.getMessage());
        SocketException twice = assertThrows(SocketException.class, p[0]::shutdownInput);
        assertEquals("Socket input is already shutdown", twice.getMessage());
    }

    @Test
    void writeToAClosedPeerFails() throws Exception {
        Socket[] p = pair();
        p[1].setSoLinger(true, 0);
        p[1].close();
        Thread.sleep(200);
        OutputStream out = p[0].getOutputStream();
        IOException e = assertThrows(IOException.class, () -> {
            for (int i = 0; i < 100; i++) {
                out.write(new byte[8192]);
                Thread.sleep(10);
            }
        });
        assertInstanceOf(SocketException.class, e, "a SocketException, as the JDK's impl");
    }

    @Test
    void availableCountsBufferedBytes() throws Exception {
        Socket[] p = pair();
        p[1].getOutputStream().write(new byte[100]);
        InputStream in = p[0].getInputStream();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (in.available() < 100 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertEquals(100, in.available());
        p[1].shutdownOutput();
        assertEquals(100, in.readNBytes(200).length);
    }

    // ---- urgent data ---------------------------------------------------------------------

    @Test
    void urgentData() throws Exception {
        Socket[] p = pair();
        if (kind().mptcp()) {
            // Where the kernel refuses MSG_OOB on MPTCP (EOPNOTSUPP) the adaptor's message says
            // what to do; where it takes it, the call returns as on TCP.
            try {
                p[0].sendUrgentData(1);
            } catch (SocketException e) {
                assertTrue(e.getMessage().contains("io.mptcp.nio.mode=off"), e.getMessage());
            }
            return;
        }
        p[1].setOOBInline(true);
        assertTrue(p[1].getOOBInline());
        p[0].sendUrgentData(0x41);
        assertEquals(0x41, p[1].getInputStream().read());
    }

    // ---- options ----------------------------------------------------------------------------

    @Test
    void classicOptions() throws Exception {
        Socket s = pair()[0];
        s.setTcpNoDelay(true);
        assertTrue(s.getTcpNoDelay());
        s.setKeepAlive(true);
        assertTrue(s.getKeepAlive());
        s.setSoLinger(true, 7);
        assertEquals(7, s.getSoLinger());
        s.setSoLinger(false, 0);
        assertEquals(-1, s.getSoLinger());
        s.setSoLinger(true, 100_000);
        assertEquals(65535, s.getSoLinger(), "Socket caps the linger interval");
        s.setSoLinger(false, 0);
        s.setSendBufferSize(65536);
        assertTrue(s.getSendBufferSize() >= 65536);
        s.setReceiveBufferSize(65536);
        assertTrue(s.getReceiveBufferSize() >= 65536);
        s.setTrafficClass(0x10);
        assertEquals(0x10, s.getTrafficClass());
        s.setReuseAddress(true);
        assertTrue(s.getReuseAddress());
        s.setOOBInline(true);
        assertTrue(s.getOOBInline());
        assertThrows(IllegalArgumentException.class, () -> s.setSendBufferSize(0));
        assertThrows(IllegalArgumentException.class, () -> s.setReceiveBufferSize(-1));
        assertThrows(IllegalArgumentException.class, () -> s.setSoTimeout(-1));
        assertThrows(IllegalArgumentException.class, () -> s.setSoLinger(true, -1));
        assertThrows(IllegalArgumentException.class, () -> s.setTrafficClass(256));
    }

    @Test
    void optionsBeforeConnectApply() throws Exception {
        ServerSocket ss = listener();
        Socket s = socket();
        s.setTcpNoDelay(true);
        s.setSoTimeout(1234);
        s.setReceiveBufferSize(32768);
        s.connect(ss.getLocalSocketAddress());
        track(ss.accept());
        assertTrue(s.getTcpNoDelay());
        assertEquals(1234, s.getSoTimeout());
    }

    @Test
    void socketOptionApi() throws Exception {
        Socket s = pair()[0];
        Set<SocketOption<?>> jdk = new Socket().supportedOptions();
        Set<SocketOption<?>> ours = new HashSet<>(s.supportedOptions());
        ours.removeAll(mptcpOptions());
        assertEquals(jdk, ours, "the JDK Socket's options (plus the MPTCP ones)");
        s.setOption(StandardSocketOptions.TCP_NODELAY, true);
        assertTrue(s.getOption(StandardSocketOptions.TCP_NODELAY));
        s.setOption(StandardSocketOptions.SO_LINGER, 3);
        assertEquals(3, s.getOption(StandardSocketOptions.SO_LINGER));
        assertThrows(UnsupportedOperationException.class,
                () -> s.setOption(StandardSocketOptions.IP_MULTICAST_TTL, 1));
        assertThrows(UnsupportedOperationException.class,
                () -> s.getOption(StandardSocketOptions.IP_MULTICAST_LOOP));
        assertThrows(IllegalArgumentException.class,
                () -> s.setOption(StandardSocketOptions.SO_KEEPALIVE, null));
    }

    @Test
    void serverSocketOptionApi() throws Exception {
        ServerSocket ss = listener();
        Set<SocketOption<?>> jdk;
        try (ServerSocket plain = new ServerSocket()) {
            jdk = plain.supportedOptions();
        }
        Set<SocketOption<?>> ours = new HashSet<>(ss.supportedOptions());
        ours.removeAll(mptcpOptions());
        assertEquals(jdk, ours, "the JDK ServerSocket's options (plus MPTCP_ENABLED and MPTCP_FALLBACK_REASON)");
        ss.setReceiveBufferSize(65536);
        assertTrue(ss.getReceiveBufferSize() >= 65536);
        assertTrue(ss.getReuseAddress(), "ServerSocket sets SO_REUSEADDR on Linux");
        ss.setOption(StandardSocketOptions.IP_TOS, 0x20);
        assertEquals(0x20, ss.getOption(StandardSocketOptions.IP_TOS));
        ss.setOption(StandardSocketOptions.SO_REUSEPORT, true);
        assertTrue(ss.getOption(StandardSocketOptions.SO_REUSEPORT));
    }

    static Set<SocketOption<?>> mptcpOptions() {
        return Set.of(MptcpSocketOptions.MPTCP_ENABLED, MptcpSocketOptions.MPTCP_TOKEN,
                MptcpSocketOptions.MPTCP_INFO, MptcpSocketOptions.MPTCP_SUBFLOWS,
                MptcpSocketOptions.MPTCP_FALLBACK_REASON);
    }

    // ---- server sockets ------------------------------------------------------------------

    @Test
    void serverSocketStates() throws Exception {
        ServerSocket ss = track(kind().serverSocket());
        assertFalse(ss.isBound());
        assertEquals(-1, ss.getLocalPort());
        assertNull(ss.getInetAddress());
        assertEquals("ServerSocket[unbound]", ss.toString());
        SocketException notBound = assertThrows(SocketException.class, ss::accept);
        assertEquals("Socket is not bound yet", notBound.getMessage());
        ss.bind(new InetSocketAddress(LOOPBACK, 0), 10);
        assertTrue(ss.isBound());
        assertEquals(LOOPBACK, ss.getInetAddress());
        assertTrue(ss.getLocalPort() > 0);
        assertEquals("ServerSocket[addr=" + LOOPBACK + ",localport=" + ss.getLocalPort() + "]",
                ss.toString());
        SocketException twice = assertThrows(SocketException.class,
                () -> ss.bind(new InetSocketAddress(LOOPBACK, 0)));
        assertEquals("Already bound", twice.getMessage());
        ss.close();
        assertTrue(ss.isClosed());
        SocketException closed = assertThrows(SocketException.class, ss::accept);
        assertEquals("Socket is closed", closed.getMessage());
    }

    @Test
    void bindToAPortInUse() throws Exception {
        ServerSocket first = listener();
        ServerSocket second = track(kind().serverSocket());
        second.setReuseAddress(false);
        BindException e = assertThrows(BindException.class,
                () -> second.bind(first.getLocalSocketAddress()));
        assertTrue(e.getMessage().startsWith("Address already in use"), e.getMessage());
        assertFalse(second.isClosed(), "ServerSocket.bind does not close on failure");
    }

    @Test
    void wildcardBind() throws Exception {
        ServerSocket ss = track(kind().serverSocket());
        ss.bind(null);
        assertTrue(ss.getInetAddress().isAnyLocalAddress());
        Socket c = socket();
        c.connect(new InetSocketAddress(LOOPBACK, ss.getLocalPort()));
        Socket a = track(ss.accept());
        assertEquals(c.getLocalPort(), a.getPort());
    }

    @Test
    void manyAcceptsInARow() throws Exception {
        ServerSocket ss = listener();
        for (int i = 0; i < 20; i++) {
            Socket[] p = pair(ss);
            p[0].getOutputStream().write(i);
            assertEquals(i, p[1].getInputStream().read());
            p[0].close();
            assertEquals(-1, p[1].getInputStream().read());
            p[1].close();
        }
    }
}
