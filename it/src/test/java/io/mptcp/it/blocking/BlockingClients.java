package io.mptcp.it.blocking;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mptcp.it.support.ChildJvm;
import io.mptcp.it.support.KernelView;
import io.mptcp.it.support.Route;

import java.time.Duration;
import java.util.List;

/**
 * Runs a client of a real server ({@link BlockingClientMain}, {@link LettuceClientMain}) in a
 * child JVM on a {@link Route}, checks its answers, and asks the kernel about its connection
 * while it holds it open. The client prints {@code result=...}, then
 * {@code ready local-port=N} and holds its connection for {@link #HOLD_MILLIS}, then
 * {@code result-after=...} and {@code done}.
 */
final class BlockingClients {

    private static final Duration STEP = Duration.ofSeconds(60);
    static final long HOLD_MILLIS = 4000;

    private BlockingClients() {
    }

    /**
     * Runs {@link BlockingClientMain} of {@code kind} against {@code port} and returns what the
     * kernel showed for its connection; {@code expected} are the {@code result=} and
     * {@code result-after=} values.
     */
    static KernelView run(Route route, String kind, int port, String expected,
            String expectedAfter) throws Exception {
        return run(route, BlockingClientMain.class, port, expected, expectedAfter, kind,
                Integer.toString(port), Long.toString(HOLD_MILLIS));
    }

    /** As {@link #run(Route, String, int, String, String)}, for any client of that protocol. */
    static KernelView run(Route route, Class<?> main, int port, String expected,
            String expectedAfter, String... args) throws Exception {
        try (ChildJvm child = route.start(List.of(), main.getName(), args)) {
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
            route.checkTranscript(child.describe());
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
}
