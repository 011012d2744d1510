package io.mptcp.it.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mptcp.it.support.ChildJvm;
import io.mptcp.it.support.KernelView;
import io.mptcp.it.support.Route;

import java.time.Duration;
import java.util.List;

/**
 * One run of these tests: a server main and a client main, each in its own JVM started by
 * {@link Route}; the client's exchanges must all be right and ride one kept-alive connection,
 * which the kernel ({@code ss}) must show as MPTCP at both ends when both JVMs run mptcp-nio,
 * and as plain TCP on the JDK's defaults.
 */
final class HttpRun {
    private static final Duration STEP = Duration.ofSeconds(60);
    private static final String OURS = ChildJvm.PROVIDER_CLASS + " " + Route.ASYNC_CLASS;
    private static final String JDKS = "sun.nio.ch.EPollSelectorProvider"
            + " sun.nio.ch.LinuxAsynchronousChannelProvider";

    private HttpRun() {
    }

    /**
     * Runs the pair, checks it, and returns what the kernel showed for the connection.
     *
     * @param serverPrints lines the server must have printed besides the protocol's
     * @param clientPrints the same for the client
     */
    static KernelView run(Route launch, Class<?> serverMain, Class<?> clientMain,
            List<String> serverPrints, List<String> clientPrints) throws Exception {
        String providers = "PROVIDERS " + (launch.ours() ? OURS : JDKS);
        try (ChildJvm server = launch.start(serverMain.getName())) {
            assertEquals(providers, server.awaitLine(l -> l.startsWith("PROVIDERS "), STEP,
                    "PROVIDERS"), server::describe);
            int port = Integer.parseInt(server.awaitLine(l -> l.startsWith("LISTENING "), STEP,
                    "LISTENING").substring("LISTENING ".length()));
            KernelView view;
            try (ChildJvm client = launch.start(clientMain.getName(), Integer.toString(port))) {
                assertEquals(providers, client.awaitLine(l -> l.startsWith("PROVIDERS "),
                        STEP, "PROVIDERS"), client::describe);
                for (String what : new String[] {"get size=" + HttpBodies.SIZES[0],
                    "get size=" + HttpBodies.SIZES[1], "post"}) {
                    String line = client.awaitLine(l -> l.startsWith("OK ")
                            || l.startsWith("BAD "), STEP, what);
                    System.out.println("client: " + line);
                    assertTrue(line.startsWith("OK " + what), () -> line + "\n"
                            + client.describe() + server.describe());
                }
                String[] local = client.awaitLine(l -> l.startsWith("LOCAL "), STEP, "LOCAL")
                        .split(" ");
                assertEquals(local[1], local[2], () -> "one kept-alive connection\n"
                        + client.describe());
                client.awaitLine(l -> l.equals("HOLDING"), STEP, "HOLDING");
                int clientPort = Integer.parseInt(local[1]);
                view = KernelView.of(clientPort, port);
                System.out.printf("%s, %s, kernel, ports %d/%d:%n%s", launch,
                        clientMain.getSimpleName(), clientPort, port, view);
                KernelView seen = view;
                assertTrue(launch.ours() ? view.isMptcp() : view.isPlainTcp(), () -> "expected "
                        + (launch.ours() ? "MPTCP" : "plain TCP") + " for ports " + clientPort
                        + "/" + port + "\n" + seen + client.describe() + server.describe());
                client.send("DONE");
                assertEquals(0, client.awaitExit(STEP), client::describe);
                assertPrinted(client, clientPrints);
            }
            server.send("STOP");
            server.awaitLine(l -> l.equals("STOPPED"), STEP, "STOPPED");
            assertEquals(0, server.awaitExit(STEP), server::describe);
            assertPrinted(server, serverPrints);
            return view;
        }
    }

    private static void assertPrinted(ChildJvm child, List<String> lines) {
        for (String line : lines) {
            assertTrue(child.describe().contains("\n" + line + "\n"), () -> "expected a line '"
                    + line + "'\n" + child.describe());
        }
    }
}
