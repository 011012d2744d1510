package io.mptcp.it.netty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mptcp.it.support.ChildJvm;
import io.mptcp.it.support.KernelView;
import io.mptcp.it.support.Prerequisites;
import io.mptcp.nio.MptcpSelectorProvider;
import io.netty.channel.nio.NioIoHandler;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * An unmodified Netty 4 NIO echo server and client ({@link NettyEchoMain}) in a child JVM move
 * 100 MiB there and back with a SHA-256 check, while this test asks the kernel ({@code ss})
 * whether their connection is MPTCP: once right after connecting and once after the transfer,
 * both times while the connection is open.
 *
 * <p>Three runs make the check trustworthy: under mptcp-nio it must see MPTCP; under the JDK's
 * provider it must see plain TCP (so it does not say MPTCP for everything); and under the JDK
 * wrapped by {@code mptcpize run} it must see MPTCP (so it does not depend on mptcp-nio to
 * recognise MPTCP).
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class NettyEchoIT {

    private static final long BYTES = 100L << 20;
    private static final Duration STEP = Duration.ofSeconds(60);

    @BeforeAll
    static void prerequisites() {
        Prerequisites.requireKernelView();
        ChildJvm.requireOnClassPath(NettyEchoMain.class, NioIoHandler.class,
                MptcpSelectorProvider.class);
    }

    @Test
    void underMptcpNioTheNettyConnectionIsMptcp() throws Exception {
        String enabled = echo(List.of(),
                List.of("-D" + ChildJvm.PROVIDER_PROPERTY + "=" + ChildJvm.PROVIDER_CLASS),
                ChildJvm.PROVIDER_CLASS, true);
        // Netty reads the option through its generic NioChannelOption pass-through.
        assertEquals("MPTCP_ENABLED client=true server=true", enabled);
    }

    @Test
    void underTheJdkProviderTheNettyConnectionIsPlainTcp() throws Exception {
        echo(List.of(), List.of(), "sun.nio.ch.", false);
    }

    /** Netty's channel option chooses per connection: TCP although the mode says MPTCP. */
    @Test
    void aNettyChannelOptionTurnsMptcpOffForOneConnection() throws Exception {
        String enabled = echo(List.of(),
                List.of("-D" + ChildJvm.PROVIDER_PROPERTY + "=" + ChildJvm.PROVIDER_CLASS),
                ChildJvm.PROVIDER_CLASS, false, "--client-mptcp", "false");
        assertEquals("MPTCP_ENABLED client=false server=false", enabled);
    }

    /** ... and MPTCP although the mode says off, on both the listener and the client. */
    @Test
    void aNettyChannelOptionTurnsMptcpOnUnderModeOff() throws Exception {
        String enabled = echo(List.of(),
                List.of("-D" + ChildJvm.PROVIDER_PROPERTY + "=" + ChildJvm.PROVIDER_CLASS,
                        "-Dio.mptcp.nio.mode=off"),
                ChildJvm.PROVIDER_CLASS, true, "--client-mptcp", "true", "--server-mptcp", "true");
        assertEquals("MPTCP_ENABLED client=true server=true", enabled);
    }

    @Test
    void underMptcpizeTheJdkNettyConnectionIsMptcp() throws Exception {
        Prerequisites.requireMptcpize();
        echo(List.of(Prerequisites.MPTCPIZE, "run"), List.of(), "sun.nio.ch.", true);
    }

    /**
     * Runs the echo in a child JVM and checks the kernel's view twice.
     *
     * @return the child's {@code MPTCP_ENABLED} line
     */
    private static String echo(List<String> prefix, List<String> jvmArgs, String provider,
            boolean mptcp, String... options) throws Exception {
        List<String> args = new ArrayList<>(
                List.of("--hold", "--bytes", Long.toString(BYTES)));
        args.addAll(List.of(options));
        try (ChildJvm child = ChildJvm.start(prefix, jvmArgs, NettyEchoMain.class.getName(),
                args.toArray(String[]::new))) {
            String providerLine = child.awaitLine(l -> l.startsWith("PROVIDER "), STEP,
                    "PROVIDER");
            assertTrue(providerLine.startsWith("PROVIDER " + provider),
                    () -> "wrong provider\n" + child.describe());
            String[] ports = child.awaitLine(l -> l.startsWith("CONNECTED "), STEP, "CONNECTED")
                    .split(" ");
            int clientPort = Integer.parseInt(ports[1]);
            int serverPort = Integer.parseInt(ports[2]);
            String enabled = child.awaitLine(l -> l.startsWith("MPTCP_ENABLED "), STEP,
                    "MPTCP_ENABLED");
            assertKernelSees(mptcp, clientPort, serverPort, "after connect", child);

            child.send("GO");
            String echoed = child.awaitLine(l -> l.startsWith("ECHOED "), STEP, "ECHOED");
            assertTrue(echoed.startsWith("ECHOED " + BYTES + " match=true "),
                    () -> "echo incomplete or corrupted\n" + child.describe());
            assertKernelSees(mptcp, clientPort, serverPort, "after 100 MiB", child);

            child.send("CLOSE");
            assertEquals(0, child.awaitExit(STEP), child::describe);
            return enabled;
        }
    }

    private static void assertKernelSees(boolean mptcp, int clientPort, int serverPort,
            String when, ChildJvm child) {
        KernelView view = KernelView.of(clientPort, serverPort);
        boolean seen = mptcp ? view.isMptcp() : view.isPlainTcp();
        assertTrue(seen, () -> "kernel " + when + ": expected " + (mptcp ? "MPTCP" : "plain TCP")
                + " for ports " + clientPort + "/" + serverPort + "\n" + view + child.describe());
        System.out.printf("kernel %s, ports %d/%d:%n%s", when, clientPort, serverPort, view);
    }
}
