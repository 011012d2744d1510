package io.mptcp.it.blocking;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mptcp.it.support.ChildProcess;
import io.mptcp.it.support.KernelView;
import io.mptcp.it.support.Launch;

import java.io.File;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Runs {@link BlockingClientMain} in a child JVM in one of three ways, checks its answers, and
 * asks the kernel about its connection while it holds it open.
 */
final class BlockingClients {

    /** How the child gets (or does not get) mptcp-nio. */
    enum Route {
        /** {@code -javaagent:mptcp-nio-agent.jar}, the one flag; the class path is the app's. */
        AGENT,
        /** mptcp-nio on the class path and {@code MptcpSockets.install()} before main. */
        CLASS_PATH,
        /** The JDK's defaults: the control. */
        JDK
    }

    private static final Duration STEP = Duration.ofSeconds(60);
    private static final long HOLD_MILLIS = 4000;

    private BlockingClients() {
    }

    /** The agent jar the build made (failsafe passes its path). */
    static Path agentJar() {
        return Launch.agentJar();
    }

    /**
     * Runs the client against {@code port} and returns what the kernel showed for its
     * connection; {@code expected} are the {@code result=} and {@code result-after=} values.
     */
    static KernelView run(Route route, String kind, int port, String expected,
            String expectedAfter) throws Exception {
        List<String> all = Arrays.asList(
                System.getProperty("java.class.path").split(File.pathSeparator));
        // The application's class path: this JVM's without mptcp-nio and its native seam.
        List<String> cp = new ArrayList<>();
        for (String entry : all) {
            if (!isMptcpNio(entry)) {
                cp.add(entry);
            }
        }
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED"));
        String main = BlockingClientMain.class.getName();
        List<String> args = new ArrayList<>(List.of(kind, Integer.toString(port),
                Long.toString(HOLD_MILLIS)));
        switch (route) {
            case AGENT -> cmd.add("-javaagent:" + agentJar() + "=verbose");
            case CLASS_PATH -> {
                // This JVM's class path holds mptcp-nio and its dependencies.
                cp = new ArrayList<>(all);
                args.add(0, main);
                main = InstallThenMain.class.getName();
            }
            case JDK -> {
            }
        }
        cmd.add("-cp");
        cmd.add(String.join(File.pathSeparator, cp));
        cmd.add(main);
        cmd.addAll(args);
        try (ChildProcess child = ChildProcess.start(cmd)) {
            String result = child.awaitLine(l -> l.startsWith("result="), STEP, "result=");
            assertEquals("result=" + expected, result, child.describe());
            String ready = child.awaitLine(l -> l.startsWith("ready"), STEP, "ready");
            int localPort = Integer.parseInt(ready.substring(ready.indexOf('=') + 1).trim());
            KernelView view = KernelView.of(localPort, port);
            String after = child.awaitLine(l -> l.startsWith("result-after="), STEP,
                    "result-after=");
            assertEquals("result-after=" + expectedAfter, after, child.describe());
            child.awaitLine("done"::equals, STEP, "done");
            assertEquals(0, child.awaitExit(STEP), child.describe());
            String out = child.describe();
            if (route == Route.AGENT) {
                assertTrue(out.contains("mptcp-nio-agent: installed [NIO, SOCKET, ASYNC]"), out);
            }
            assertFalse(out.contains("not installed"), out);
            return view;
        }
    }

    static void assertMptcp(KernelView view) {
        assertTrue(view.isMptcp(), "the kernel shows the connection as MPTCP: " + view);
    }

    static void assertNotMptcp(KernelView view) {
        assertFalse(view.isMptcp(), "the JDK's sockets are plain TCP: " + view);
        assertFalse(view.tcp().isEmpty(), "the connection is in ss -t: " + view);
    }

    private static boolean isMptcpNio(String entry) {
        return Launch.isMptcpNio(entry);
    }
}
