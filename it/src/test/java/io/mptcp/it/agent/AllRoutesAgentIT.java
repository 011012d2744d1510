package io.mptcp.it.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mptcp.examples.EchoDemo;
import io.mptcp.it.support.ChildProcess;
import io.mptcp.it.support.Jdks;
import io.mptcp.it.support.KernelView;
import io.mptcp.it.support.Prerequisites;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The "done when": a fresh {@code java -javaagent:mptcp-nio-agent.jar -jar app.jar} of
 * a program that uses all three routes shows MPTCP on every connection. The application is
 * {@code io.mptcp.examples.AllRoutes}, packaged alone as {@code examples-*-all-routes.jar}
 * (plain JDK code: run without the agent, the jar has no mptcp-nio class to reach). It opens a
 * {@code ServerSocketChannel} + {@code Selector}, a {@code ServerSocket} and an
 * {@code AsynchronousServerSocketChannel}, connects a client of the same kind to each, echoes
 * and checks 256 KiB on each, and holds them open while this test reads {@code ss}:
 * with the agent, all three listeners are MPTCP listening sockets and both ends of all three
 * connections are MPTCP sockets ({@code ss -M}) that have not fallen back; without it
 * (the control), none is MPTCP and the connections are plain TCP. On this JVM's JDK (17) and on
 * JDK 25 when one is installed (Temurin).
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class AllRoutesAgentIT {

    private static final Duration STEP = Duration.ofSeconds(60);
    // Long enough for four ss runs on a loaded machine.
    private static final int HOLD_SECONDS = 6;
    private static final List<String> ROUTES = List.of("nio", "socket", "async");
    private static final Pattern LISTENER = Pattern.compile("listener route=(\\w+) port=(\\d+)");
    private static final Pattern CONNECTION =
            Pattern.compile("connection route=(\\w+) local=(\\d+) remote=(\\d+)");

    private static Path agent;
    private static Path app;

    @BeforeAll
    static void jars() throws Exception {
        Prerequisites.requireKernelView();
        String path = System.getProperty("mptcp.it.agent.jar", "");
        Prerequisites.require(!path.isEmpty() && Files.isRegularFile(Path.of(path)),
                "the agent jar is missing (" + path + "): build with mvn -pl it -am verify,"
                        + " which packages mptcp-nio-agent");
        agent = Path.of(path);
        app = appJar();
    }

    /** examples-VERSION-all-routes.jar, beside the examples module's classes or jar. */
    private static Path appJar() throws IOException, URISyntaxException {
        Path examples = Path.of(EchoDemo.class.getProtectionDomain().getCodeSource()
                .getLocation().toURI());
        Path target = examples.getParent();
        List<Path> found = new ArrayList<>();
        if (Files.isDirectory(target)) {
            try (Stream<Path> files = Files.list(target)) {
                files.filter(f -> f.getFileName().toString().matches(
                        "examples-.*-all-routes\\.jar")).forEach(found::add);
            }
        }
        Prerequisites.require(found.size() == 1, "the all-routes jar is missing in " + target
                + " (found " + found + "): build with mvn -pl it -am verify, which packages"
                + " examples");
        return found.get(0);
    }

    @Test
    void withTheAgentEveryConnectionAndListenerIsMptcp() throws Exception {
        run(thisJava(), true);
    }

    @Test
    void withoutTheAgentEverythingIsPlainTcp() throws Exception {
        run(thisJava(), false);
    }

    @Test
    void withTheAgentOnJdk25EveryConnectionAndListenerIsMptcp() throws Exception {
        run(jdk25(), true);
    }

    @Test
    void withoutTheAgentOnJdk25EverythingIsPlainTcp() throws Exception {
        run(jdk25(), false);
    }

    private static Path thisJava() {
        return Path.of(System.getProperty("java.home"), "bin", "java");
    }

    private static Path jdk25() {
        return Jdks.installed().stream().filter(j -> j.feature() == 25).findFirst()
                .map(Jdks.Jdk::java).orElseGet(() -> {
                    Assumptions.abort("no JDK 25 under " + Jdks.JVM_DIR
                            + " (Temurin 25: temurin-25-jdk)");
                    return null;
                });
    }

    private static void run(Path java, boolean withAgent) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(java.toString()));
        if (withAgent) {
            cmd.add("-javaagent:" + agent);
        }
        cmd.addAll(List.of("-jar", app.toString(), Integer.toString(HOLD_SECONDS)));
        try (ChildProcess child = ChildProcess.start(cmd)) {
            child.awaitLine("ready"::equals, STEP, "ready");
            // Everything at once, while the program holds its sockets open.
            List<KernelView.Entry> mptcp = KernelView.parse(ss("-HMni"));
            List<KernelView.Entry> tcp = KernelView.parse(ss("-Htni"));
            List<KernelView.Entry> mptcpListen = KernelView.parse(ss("-HMnl"));
            List<KernelView.Entry> tcpListen = KernelView.parse(ss("-Htnl"));
            child.awaitLine("done"::equals, STEP, "done");
            assertEquals(0, child.awaitExit(STEP), child::describe);
            String out = child.describe();
            assertFalse(out.contains("mptcp-nio-agent:"), () -> "the agent complained\n" + out);
            for (String route : ROUTES) {
                assertTrue(out.contains("echo route=" + route + " round=2 bytes=262144 ok"),
                        () -> route + ": the echo was not checked\n" + out);
            }
            Map<String, Integer> listeners = listeners(out);
            Map<String, int[]> connections = connections(out);
            assertEquals(Set.copyOf(ROUTES), listeners.keySet(), out);
            assertEquals(Set.copyOf(ROUTES), connections.keySet(), out);
            StringBuilder seen = new StringBuilder();
            for (String route : ROUTES) {
                String port = Integer.toString(listeners.get(route));
                boolean mptcpListener = mptcpListen.stream()
                        .anyMatch(e -> e.localPort().equals(port));
                boolean tcpListener = tcpListen.stream()
                        .anyMatch(e -> e.localPort().equals(port));
                int[] c = connections.get(route);
                KernelView view = new KernelView(established(mptcp, c), established(tcp, c));
                seen.append(route).append(": listener ").append(port).append(" MPTCP=")
                        .append(mptcpListener).append(", connection ").append(c[0])
                        .append("<->").append(c[1]).append('\n').append(view);
                String what = route + (withAgent ? " with" : " without") + " the agent on "
                        + java;
                if (withAgent) {
                    assertTrue(mptcpListener, () -> what + ": the listener is no MPTCP socket\n"
                            + seen + ss("-HMnl"));
                    assertTrue(view.isMptcp(), () -> what + ": the connection is not MPTCP\n"
                            + seen);
                } else {
                    assertFalse(mptcpListener, () -> what + ": the listener is MPTCP\n" + seen);
                    assertTrue(tcpListener, () -> what + ": no TCP listener\n" + seen);
                    assertTrue(view.isPlainTcp(), () -> what + ": not plain TCP\n" + seen);
                }
            }
        }
    }

    private static Map<String, Integer> listeners(String out) {
        Map<String, Integer> found = new TreeMap<>();
        Matcher m = LISTENER.matcher(out);
        while (m.find()) {
            found.put(m.group(1), Integer.parseInt(m.group(2)));
        }
        return found;
    }

    private static Map<String, int[]> connections(String out) {
        Map<String, int[]> found = new TreeMap<>();
        Matcher m = CONNECTION.matcher(out);
        while (m.find()) {
            found.put(m.group(1), new int[] {Integer.parseInt(m.group(2)),
                    Integer.parseInt(m.group(3))});
        }
        return found;
    }

    /** The established sockets of the connection between ports c[0] and c[1], both ends. */
    private static List<KernelView.Entry> established(List<KernelView.Entry> all, int[] c) {
        String a = Integer.toString(c[0]);
        String b = Integer.toString(c[1]);
        return all.stream().filter(e -> e.state().equals("ESTAB"))
                .filter(e -> e.localPort().equals(a) && e.peerPort().equals(b)
                        || e.localPort().equals(b) && e.peerPort().equals(a))
                .toList();
    }

    private static String ss(String options) {
        try {
            Path out = Files.createTempFile("ss-", ".txt");
            try {
                // To a file, not a pipe: the table can exceed a pipe buffer.
                Process p = new ProcessBuilder("ss", options).redirectErrorStream(true)
                        .redirectOutput(out.toFile()).start();
                if (!p.waitFor(STEP.toSeconds(), TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    throw new IllegalStateException("ss " + options + ": no exit in " + STEP);
                }
                String text = Files.readString(out, StandardCharsets.UTF_8);
                if (p.exitValue() != 0) {
                    throw new IllegalStateException("ss " + options + ": exit "
                            + p.exitValue() + ": " + text);
                }
                return text;
            } finally {
                Files.deleteIfExists(out);
            }
        } catch (IOException e) {
            throw new IllegalStateException("ss " + options, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("ss " + options + ": interrupted", e);
        }
    }
}
