package io.mptcp.it.inherited;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mptcp.it.support.ChildJvm;
import io.mptcp.it.support.KernelView;
import io.mptcp.it.support.Prerequisites;
import io.mptcp.nio.MptcpSelectorProvider;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.spi.SelectorProvider;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code System.inheritedChannel()} in a JVM started as inetd or systemd socket activation
 * start a service: {@code src/test/python/inherit_socket.py} makes the socket, puts it on
 * descriptor 0 and execs the JVM, which runs {@link InheritedChannelMain}. Under mptcp-nio the
 * channel must be ours (an MPTCP one for an MPTCP socket, as the kernel confirms with
 * {@code ss}), serve a connection, and on close leave {@code /dev/null} on descriptors 0 to 2
 * as the JDK's does; the same service under the JDK's provider is the control.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class InheritedChannelIT {

    private static final Duration STEP = Duration.ofSeconds(30);
    private static final Path LAUNCHER = Path.of("src", "test", "python", "inherit_socket.py")
            .toAbsolutePath();
    private static final String OURS = "io.mptcp.nio.internal.stream.";
    private static final String OURS_DATAGRAM = "io.mptcp.nio.internal.datagram.";

    @TempDir
    Path dir;

    @BeforeAll
    static void prerequisites() {
        Prerequisites.require(Files.isRegularFile(LAUNCHER), "the launcher " + LAUNCHER
                + " is missing: run the integration tests from the it module");
        Prerequisites.require(python3Works(), "python3 is missing: apt-get install python3");
        ChildJvm.requireOnClassPath(InheritedChannelMain.class, MptcpSelectorProvider.class);
    }

    private static boolean python3Works() {
        try {
            Process p = new ProcessBuilder("python3", "-c", "import socket, os")
                    .redirectErrorStream(true).start();
            return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Starts the service with the socket the launcher makes ({@code mode kind where}). */
    private ChildJvm launch(boolean ours, String mode, String kind, String where)
            throws IOException {
        List<String> prefix = List.of("python3", LAUNCHER.toString(), mode, kind, where, "--");
        List<String> jvmArgs = ours
                ? List.of("-D" + ChildJvm.PROVIDER_PROPERTY + "=" + ChildJvm.PROVIDER_CLASS)
                : List.of();
        return ChildJvm.start(prefix, jvmArgs, InheritedChannelMain.class.getName(),
                report().toString());
    }

    private Path report() {
        return dir.resolve("report.txt");
    }

    /** The words of the child's line that starts with {@code tag}. */
    private static String[] line(ChildJvm child, String tag) throws InterruptedException {
        return child.awaitLine(l -> l.startsWith(tag + " "), STEP, tag).split(" ");
    }

    private static void assertLine(ChildJvm child, String tag, String expected)
            throws InterruptedException {
        String got = child.awaitLine(l -> l.startsWith(tag + " "), STEP, tag);
        assertEquals(tag + " " + expected, got, child::describe);
    }

    private static void send(SocketChannel ch, String text) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(text.getBytes(StandardCharsets.US_ASCII));
        while (b.hasRemaining()) {
            ch.write(b);
        }
    }

    private static String receive(SocketChannel ch, int length) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(length);
        while (b.hasRemaining() && ch.read(b) >= 0) {
            // until full or end of stream
        }
        return new String(b.array(), 0, b.position(), StandardCharsets.US_ASCII);
    }

    /**
     * PING/PONG with the service over {@code ch}; {@code whileOpen} runs while the connection
     * is still up; then BYE, and the service closes its inherited channel and ends.
     */
    private void exchange(ChildJvm child, SocketChannel ch, Runnable whileOpen)
            throws Exception {
        send(ch, "PING\n");
        assertEquals("PONG\n", receive(ch, 5), child::describe);
        child.awaitLine(l -> l.equals("EXCHANGED PING PONG"), STEP, "EXCHANGED");
        whileOpen.run();
        send(ch, "BYE\n");
        child.awaitLine(l -> l.equals("CLOSING"), STEP, "CLOSING");
        assertEquals(0, child.awaitExit(STEP), child::describe);
        assertEquals("", receive(ch, 1), "the service's end is closed: end of stream");
        assertDetached(child);
    }

    /** After close, descriptors 0 to 2 are /dev/null, and stdout went there. */
    private void assertDetached(ChildJvm child) throws IOException {
        List<String> expected = new ArrayList<>();
        for (int fd = 0; fd <= 2; fd++) {
            expected.add("fd" + fd + " /dev/null");
        }
        expected.add("DONE");
        assertEquals(expected, Files.readAllLines(report()), child::describe);
        assertFalse(child.describe().contains("AFTER-CLOSE"),
                () -> "stdout still reached the test after close\n" + child.describe());
    }

    private static void assertKernelSees(boolean mptcp, int portA, int portB, ChildJvm child) {
        KernelView view = KernelView.of(portA, portB);
        assertTrue(mptcp ? view.isMptcp() : view.isPlainTcp(), () -> "expected "
                + (mptcp ? "MPTCP" : "plain TCP") + " for ports " + portA + "/" + portB + "\n"
                + view + child.describe());
    }

    private static int port(String hostPort) {
        return Integer.parseInt(hostPort.substring(hostPort.lastIndexOf(':') + 1));
    }

    @Test
    void aListeningMptcpSocketBecomesOurMptcpServerChannel() throws Exception {
        Prerequisites.requireKernelView();
        try (ChildJvm child = launch(true, "listen", "mptcp", "127.0.0.1:0")) {
            int port = port(line(child, "INHERIT")[2]);
            assertLine(child, "PROVIDER", ChildJvm.PROVIDER_CLASS);
            assertLine(child, "CHANNEL", OURS + "ServerSocketChannelImpl same=true blocking=true");
            assertLine(child, "LISTENING", "/127.0.0.1:" + port + " mptcp=true");

            SelectorProvider mptcp = new MptcpSelectorProvider();
            try (SocketChannel client = mptcp.openSocketChannel()) {
                client.connect(new InetSocketAddress("127.0.0.1", port));
                int clientPort = ((InetSocketAddress) client.getLocalAddress()).getPort();
                assertLine(child, "ACCEPTED", OURS + "SocketChannelImpl local=/127.0.0.1:"
                        + port + " remote=/127.0.0.1:" + clientPort + " mptcp=true");
                exchange(child, client, () -> assertKernelSees(true, clientPort, port, child));
            }
        }
    }

    @Test
    void aListeningTcpSocketBecomesOurServerChannelThatSaysTcp() throws Exception {
        Prerequisites.requireKernelView();
        try (ChildJvm child = launch(true, "listen", "tcp", "127.0.0.1:0")) {
            int port = port(line(child, "INHERIT")[2]);
            assertLine(child, "CHANNEL", OURS + "ServerSocketChannelImpl same=true blocking=true");
            assertLine(child, "LISTENING", "/127.0.0.1:" + port + " mptcp=false");
            try (SocketChannel client = SocketChannel.open(
                    new InetSocketAddress("127.0.0.1", port))) {
                int clientPort = ((InetSocketAddress) client.getLocalAddress()).getPort();
                assertLine(child, "ACCEPTED", OURS + "SocketChannelImpl local=/127.0.0.1:"
                        + port + " remote=/127.0.0.1:" + clientPort + " mptcp=false");
                exchange(child, client, () -> assertKernelSees(false, clientPort, port, child));
            }
        }
    }

    /** inetd's "dgram wait" services: a bound UDP socket becomes our DatagramChannel. */
    @Test
    void aBoundUdpSocketBecomesOurDatagramChannel() throws Exception {
        try (ChildJvm child = launch(true, "bind", "udp", "127.0.0.1:0")) {
            int port = port(line(child, "INHERIT")[2]);
            assertLine(child, "CHANNEL", OURS_DATAGRAM + "DatagramChannelImpl same=true blocking=true");
            assertLine(child, "BOUND", "/127.0.0.1:" + port + " connected=false");
            try (DatagramChannel client = DatagramChannel.open()) {
                client.connect(new InetSocketAddress("127.0.0.1", port));
                client.write(ByteBuffer.wrap("PING\n".getBytes(StandardCharsets.US_ASCII)));
                child.awaitLine(l -> l.equals("EXCHANGED PING PONG"), STEP, "EXCHANGED");
                ByteBuffer reply = ByteBuffer.allocate(64);
                client.read(reply);
                assertEquals("PONG\n", new String(reply.array(), 0, reply.position(),
                        StandardCharsets.US_ASCII), child::describe);
            }
            child.awaitLine(l -> l.equals("CLOSING"), STEP, "CLOSING");
            assertEquals(0, child.awaitExit(STEP), child::describe);
            assertDetached(child);
        }
    }

    @Test
    void aConnectedMptcpSocketBecomesOurConnectedMptcpChannel() throws Exception {
        Prerequisites.requireKernelView();
        SelectorProvider mptcp = new MptcpSelectorProvider();
        try (ServerSocketChannel server = mptcp.openServerSocketChannel()) {
            server.bind(new InetSocketAddress("127.0.0.1", 0));
            int port = ((InetSocketAddress) server.getLocalAddress()).getPort();
            try (ChildJvm child = launch(true, "connect", "mptcp", "127.0.0.1:" + port);
                    SocketChannel accepted = server.accept()) {
                String[] inherit = line(child, "INHERIT");
                int servicePort = port(inherit[2]);
                assertEquals("connected", inherit[1]);
                assertLine(child, "CHANNEL", OURS + "SocketChannelImpl same=true blocking=true");
                assertLine(child, "CONNECTED", "local=/127.0.0.1:" + servicePort
                        + " remote=/127.0.0.1:" + port + " mptcp=true");
                exchange(child, accepted,
                        () -> assertKernelSees(true, servicePort, port, child));
            }
        }
    }

    @Test
    void aListeningUnixSocketBecomesOurUnixServerChannel() throws Exception {
        Path path = dir.resolve("service.sock");
        try (ChildJvm child = launch(true, "listen", "unix", path.toString())) {
            assertEquals(path.toString(), line(child, "INHERIT")[2]);
            assertLine(child, "CHANNEL",
                    OURS + "UnixServerSocketChannelImpl same=true blocking=true");
            assertLine(child, "LISTENING", path + " mptcp=n/a");
            try (SocketChannel client = SocketChannel.open(UnixDomainSocketAddress.of(path))) {
                assertLine(child, "ACCEPTED", OURS + "UnixSocketChannelImpl local=" + path
                        + " remote= mptcp=n/a");
                exchange(child, client, () -> { });
            }
        }
    }

    @Test
    void aConnectedUnixSocketBecomesOurConnectedUnixChannel() throws Exception {
        Path path = dir.resolve("test.sock");
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(path));
            try (ChildJvm child = launch(true, "connect", "unix", path.toString());
                    SocketChannel accepted = server.accept()) {
                assertEquals("connected", line(child, "INHERIT")[1]);
                assertLine(child, "CHANNEL", OURS + "UnixSocketChannelImpl same=true blocking=true");
                assertLine(child, "CONNECTED", "local= remote=" + path + " mptcp=n/a");
                exchange(child, accepted, () -> { });
            }
        }
    }

    @Test
    void theJdkProviderServesTheSameServiceTheSameWay() throws Exception {
        try (ChildJvm child = launch(false, "listen", "tcp", "127.0.0.1:0")) {
            int port = port(line(child, "INHERIT")[2]);
            assertTrue(line(child, "PROVIDER")[1].startsWith("sun.nio.ch."), child::describe);
            assertLine(child, "CHANNEL",
                    "sun.nio.ch.InheritedChannel$InheritedServerSocketChannelImpl same=true"
                            + " blocking=true");
            assertLine(child, "LISTENING", "/127.0.0.1:" + port + " mptcp=n/a");
            try (SocketChannel client = SocketChannel.open(
                    new InetSocketAddress("127.0.0.1", port))) {
                line(child, "ACCEPTED");
                exchange(child, client, () -> { });
            }
        }
    }

    @Test
    void standardInputThatIsNoSocketGivesNull() throws Exception {
        try (ChildJvm child = ChildJvm.start(List.of(),
                List.of("-D" + ChildJvm.PROVIDER_PROPERTY + "=" + ChildJvm.PROVIDER_CLASS),
                InheritedChannelMain.class.getName(), report().toString())) {
            assertLine(child, "CHANNEL", "null same=true");
            assertEquals(0, child.awaitExit(STEP), child::describe);
            assertTrue(Files.readAllLines(report()).get(0).startsWith("fd0 pipe:"),
                    "standard input untouched: " + Files.readAllLines(report()));
        }
    }
}
