package io.mptcp.it.jetty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mptcp.it.support.ChildJvm;
import io.mptcp.it.support.KernelView;
import io.mptcp.it.support.Prerequisites;
import io.mptcp.nio.MptcpSelectorProvider;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.unixdomain.server.UnixDomainServerConnector;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An unmodified Jetty 12 server ({@link JettyServerMain}) serves HTTP over TCP and over a
 * UNIX-domain socket in one child JVM; the JDK's {@code java.net.http.HttpClient} (TCP) and a
 * small HTTP/1.1 client over a UNIX-domain {@code SocketChannel} ({@link HttpClientMain}) fetch
 * from it in another. Both JVMs run under mptcp-nio: every listening, accepted and connecting
 * channel must be ours (the server's responses name the channel that carried them), the TCP
 * connection between Jetty and HttpClient must be MPTCP (the kernel says so with {@code ss}
 * while HttpClient keeps it alive, and Jetty's end reads {@code MPTCP_ENABLED}), and the
 * responses must be right.
 *
 * <p>The same run under the JDK's provider is the control: the JDK's channels, plain TCP.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class JettyIT {

    private static final Duration STEP = Duration.ofSeconds(60);
    private static final Pattern TCP_BODY = Pattern.compile("hello over tcp: channel=(\\S+)"
            + " local=/127\\.0\\.0\\.1:(\\d+) remote=/127\\.0\\.0\\.1:(\\d+) mptcp=(\\S+)");

    @TempDir
    Path dir;

    @BeforeAll
    static void prerequisites() {
        Prerequisites.requireKernelView();
        ChildJvm.requireOnClassPath(JettyServerMain.class, Server.class,
                UnixDomainServerConnector.class, MptcpSelectorProvider.class);
    }

    @Test
    void underMptcpNioJettyServesTcpAndUnixOnOurChannelsAndTheTcpConnectionIsMptcp()
            throws Exception {
        run(true);
    }

    @Test
    void underTheJdkProviderTheSameRunUsesTheJdksChannelsAndPlainTcp() throws Exception {
        run(false);
    }

    private void run(boolean ours) throws Exception {
        List<String> jvmArgs = ours
                ? List.of("-D" + ChildJvm.PROVIDER_PROPERTY + "=" + ChildJvm.PROVIDER_CLASS)
                : List.of();
        String unixPath = dir.resolve("jetty.sock").toString();
        String pkg = ours ? "io.mptcp.nio.internal.stream." : "sun.nio.ch.";
        try (ChildJvm server = ChildJvm.start(List.of(), jvmArgs,
                JettyServerMain.class.getName(), unixPath)) {
            assertProvider(server, ours);
            String listening = server.awaitLine(l -> l.startsWith("LISTENING "), STEP,
                    "LISTENING");
            Matcher m = Pattern.compile("LISTENING tcp=(\\d+) unix=(\\S+)").matcher(listening);
            assertTrue(m.matches(), server::describe);
            int port = Integer.parseInt(m.group(1));
            assertEquals(unixPath, m.group(2));
            String acceptors = server.awaitLine(l -> l.startsWith("ACCEPTORS "), STEP,
                    "ACCEPTORS");
            System.out.println("server: " + acceptors);
            assertEquals(ours ? "ACCEPTORS tcp=io.mptcp.nio.internal.stream.ServerSocketChannelImpl"
                    + " unix=io.mptcp.nio.internal.stream.UnixServerSocketChannelImpl"
                    : "ACCEPTORS tcp=sun.nio.ch.ServerSocketChannelImpl"
                            + " unix=sun.nio.ch.ServerSocketChannelImpl", acceptors,
                    server::describe);

            try (ChildJvm client = ChildJvm.start(List.of(), jvmArgs,
                    HttpClientMain.class.getName(), Integer.toString(port), unixPath)) {
                assertProvider(client, ours);
                int clientPort = -1;
                for (int i = 1; i <= 2; i++) {
                    String line = client.awaitLine(l -> l.startsWith("TCP "), STEP, "TCP");
                    System.out.println("client: " + line);
                    String prefix = "TCP " + i + " status=200 body=";
                    assertTrue(line.startsWith(prefix), () -> line + "\n" + client.describe());
                    Matcher body = TCP_BODY.matcher(line.substring(prefix.length()));
                    assertTrue(body.matches(), () -> line + "\n" + client.describe());
                    assertEquals(pkg + "SocketChannelImpl", body.group(1), "Jetty's channel");
                    assertEquals(port, Integer.parseInt(body.group(2)));
                    assertEquals(ours ? "true" : "n/a", body.group(4),
                            "MPTCP_ENABLED at Jetty's end");
                    int remote = Integer.parseInt(body.group(3));
                    if (i == 2) {
                        assertEquals(clientPort, remote, "HttpClient kept its connection alive");
                    }
                    clientPort = remote;
                }
                String unixChannel = ours ? "io.mptcp.nio.internal.stream.UnixSocketChannelImpl"
                        : "sun.nio.ch.SocketChannelImpl";
                assertEquals("UNIX-CHANNEL " + unixChannel, client.awaitLine(
                        l -> l.startsWith("UNIX-CHANNEL "), STEP, "UNIX-CHANNEL"));
                String unix = client.awaitLine(l -> l.startsWith("UNIX "), STEP, "UNIX");
                System.out.println("client: " + unix);
                assertEquals("UNIX status=200 body=hello over unix: channel=" + unixChannel
                        + " local=" + unixPath + " remote= mptcp=n/a", unix, client::describe);

                client.awaitLine(l -> l.equals("HOLDING"), STEP, "HOLDING");
                KernelView view = KernelView.of(clientPort, port);
                System.out.printf("kernel, ports %d/%d:%n%s", clientPort, port, view);
                int p = clientPort;
                assertTrue(ours ? view.isMptcp() : view.isPlainTcp(), () -> "expected "
                        + (ours ? "MPTCP" : "plain TCP") + " for ports " + p + "/" + port
                        + "\n" + view + client.describe() + server.describe());
                client.send("DONE");
                assertEquals(0, client.awaitExit(STEP), client::describe);
            }
            server.send("STOP");
            server.awaitLine(l -> l.equals("STOPPED"), STEP, "STOPPED");
            assertEquals(0, server.awaitExit(STEP), server::describe);
        }
    }

    private static void assertProvider(ChildJvm child, boolean ours) throws Exception {
        String line = child.awaitLine(l -> l.startsWith("PROVIDER "), STEP, "PROVIDER");
        String expected = "PROVIDER " + (ours ? ChildJvm.PROVIDER_CLASS : "sun.nio.ch.");
        assertTrue(line.startsWith(expected), () -> "wrong provider\n" + child.describe());
    }
}
