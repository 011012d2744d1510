package io.mptcp.it.tomcat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mptcp.it.support.ChildJvm;
import io.mptcp.it.support.KernelView;
import io.mptcp.it.support.Route;
import io.mptcp.it.support.Prerequisites;
import io.mptcp.nio.MptcpAsynchronousChannelProvider;
import org.apache.catalina.startup.Tomcat;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * An unmodified embedded Tomcat 11 ({@link TomcatServerMain}) with the NIO2 connector
 * ({@code Http11Nio2Protocol}: asynchronous channels) and with the NIO connector
 * ({@code Http11NioProtocol}: selectors), each in a child JVM started with the agent (one flag,
 * {@code -javaagent:mptcp-nio-agent.jar}) and, second, with the two system properties that
 * install mptcp-nio ({@code SelectorProvider} and {@code AsynchronousChannelProvider}); the
 * client ({@link HttpExchangeMain}, HTTP/1.1 on an {@code AsynchronousSocketChannel}) runs in
 * another JVM started the same way. The responses are checked byte for byte (4 MiB and 1 byte
 * downloads, a 2 MiB upload's SHA-256), and the kernel must show the kept-alive connection as
 * MPTCP at both ends ({@code ss}).
 *
 * <p>The same runs with neither are the control: the JDK's providers, plain TCP.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class TomcatIT {

    private static final Duration STEP = Duration.ofSeconds(60);

    @BeforeAll
    static void prerequisites() {
        Prerequisites.requireKernelView();
        ChildJvm.requireOnClassPath(TomcatServerMain.class, Tomcat.class,
                MptcpAsynchronousChannelProvider.class);
    }

    @ParameterizedTest(name = "connector {0}, {1}")
    @CsvSource({"nio2, AGENT", "nio2, PROPERTIES", "nio2, JDK", "nio, AGENT", "nio, PROPERTIES",
        "nio, JDK"})
    void tomcatServesCheckedResponsesOverMptcp(String connector, Route launch)
            throws Exception {
        boolean ours = launch.ours();
        try (ChildJvm server = launch.start(TomcatServerMain.class.getName(), connector)) {
            String providers = server.awaitLine(l -> l.startsWith("PROVIDERS "), STEP,
                    "PROVIDERS");
            System.out.println("server: " + providers);
            assertEquals(ours ? "PROVIDERS " + ChildJvm.PROVIDER_CLASS + " "
                    + MptcpAsynchronousChannelProvider.class.getName()
                    : "PROVIDERS sun.nio.ch.EPollSelectorProvider"
                            + " sun.nio.ch.LinuxAsynchronousChannelProvider", providers,
                    server::describe);
            int port = Integer.parseInt(server.awaitLine(l -> l.startsWith("LISTENING "), STEP,
                    "LISTENING").substring("LISTENING ".length()));

            try (ChildJvm client = launch.start(HttpExchangeMain.class.getName(),
                    Integer.toString(port))) {
                String provider = client.awaitLine(l -> l.startsWith("PROVIDER "), STEP,
                        "PROVIDER");
                assertTrue(provider.endsWith(ours ? "MptcpAsynchronousChannelProvider"
                        : "LinuxAsynchronousChannelProvider"), client::describe);
                for (String what : new String[] {"get size=4194304", "get size=1", "post"}) {
                    String line = client.awaitLine(l -> l.startsWith("OK ")
                            || l.startsWith("BAD ") || l.startsWith("Exception"), STEP, what);
                    System.out.println("client: " + line);
                    assertTrue(line.startsWith("OK " + what), () -> line + "\n"
                            + client.describe() + server.describe());
                }
                int local = Integer.parseInt(client.awaitLine(l -> l.startsWith("LOCAL "), STEP,
                        "LOCAL").substring("LOCAL ".length()));
                assertEquals("MPTCP " + (ours ? "true" : "n/a"), client.awaitLine(
                        l -> l.startsWith("MPTCP "), STEP, "MPTCP"), client::describe);
                client.awaitLine(l -> l.equals("HOLDING"), STEP, "HOLDING");
                KernelView view = KernelView.of(local, port);
                System.out.printf("kernel, ports %d/%d:%n%s", local, port, view);
                assertTrue(ours ? view.isMptcp() : view.isPlainTcp(), () -> "expected "
                        + (ours ? "MPTCP" : "plain TCP") + " for ports " + local + "/" + port
                        + "\n" + view + client.describe() + server.describe());
                client.send("DONE");
                assertEquals(0, client.awaitExit(STEP), client::describe);
            }
            server.send("STOP");
            server.awaitLine(l -> l.equals("STOPPED"), STEP, "STOPPED");
            assertEquals(0, server.awaitExit(STEP), server::describe);
        }
    }
}
