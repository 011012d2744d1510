package io.mptcp.it.tomcat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mptcp.it.support.ChildJvm;
import io.mptcp.it.support.KernelView;
import io.mptcp.it.support.Prerequisites;
import io.mptcp.nio.MptcpAsynchronousChannelProvider;
import org.apache.catalina.startup.Tomcat;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * An unmodified embedded Tomcat 11 ({@link TomcatServerMain}) with the NIO2 connector
 * ({@code Http11Nio2Protocol}: asynchronous channels) and with the NIO connector
 * ({@code Http11NioProtocol}: selectors), each in a child JVM started with the two system
 * properties that install mptcp-nio ({@code SelectorProvider} and
 * {@code AsynchronousChannelProvider}); the client ({@link HttpExchangeMain}, HTTP/1.1 on an
 * {@code AsynchronousSocketChannel}) runs in another JVM with the same properties. The
 * responses are checked byte for byte (4 MiB and 1 byte downloads, a 2 MiB upload's SHA-256),
 * and the kernel must show the kept-alive connection as MPTCP at both ends ({@code ss}).
 *
 * <p>The same runs without the properties are the control: the JDK's providers, plain TCP.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class TomcatIT {

    private static final Duration STEP = Duration.ofSeconds(60);
    private static final String ASYNC_PROPERTY =
            "java.nio.channels.spi.AsynchronousChannelProvider";

    @BeforeAll
    static void prerequisites() {
        Prerequisites.requireKernelView();
        ChildJvm.requireOnClassPath(TomcatServerMain.class, Tomcat.class,
                MptcpAsynchronousChannelProvider.class);
    }

    @ParameterizedTest(name = "connector {0}, mptcp-nio {1}")
    @CsvSource({"nio2, true", "nio2, false", "nio, true", "nio, false"})
    void tomcatServesCheckedResponsesOverMptcpUnderTheProperties(String connector, boolean ours)
            throws Exception {
        List<String> jvmArgs = new ArrayList<>();
        if (ours) {
            jvmArgs.add("-D" + ChildJvm.PROVIDER_PROPERTY + "=" + ChildJvm.PROVIDER_CLASS);
            jvmArgs.add("-D" + ASYNC_PROPERTY + "="
                    + MptcpAsynchronousChannelProvider.class.getName());
        }
        try (ChildJvm server = ChildJvm.start(List.of(), jvmArgs,
                TomcatServerMain.class.getName(), connector)) {
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

            try (ChildJvm client = ChildJvm.start(List.of(), jvmArgs,
                    HttpExchangeMain.class.getName(), Integer.toString(port))) {
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
