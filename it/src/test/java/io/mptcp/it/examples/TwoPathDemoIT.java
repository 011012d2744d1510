package io.mptcp.it.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mptcp.examples.EchoDemo;
import io.mptcp.examples.demo.TwoPathDemo;
import io.mptcp.it.support.ChildJvm;
import io.mptcp.it.support.Commands;
import io.mptcp.it.support.Prerequisites;
import io.mptcp.nio.MptcpSelectorProvider;
import io.mptcp.nio.pm.PathProfile;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The two-path demo ({@code bin/demo}'s program) run as a user runs it, in a child JVM with
 * {@code --plain}, its output parsed: the summary's bytes and SHA-256 match in each direction,
 * the longest stall reported, the events seen (the link going down; with HANDOVER, the
 * server's {@code SF_PRIO backup=0} for the link-2 subflow, which is the client's MP_PRIO seen
 * by its peer: the handover), and both namespaces gone when it ends, also after SIGTERM. The
 * stall figures are printed, not asserted.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class TwoPathDemoIT {
    private static final Duration LIMIT = Duration.ofSeconds(120);
    private static final String PROVIDER = "-D" + ChildJvm.PROVIDER_PROPERTY + "="
            + ChildJvm.PROVIDER_CLASS;
    private static final Pattern BYTES = Pattern.compile(
            "^summary: (up|down) (\\d+) bytes sent, (\\d+) received, sha256 match (yes|NO)$",
            Pattern.MULTILINE);
    private static final Pattern STALL = Pattern.compile(
            "^summary: longest stall (up|down) (\\d+) ms(.*)$", Pattern.MULTILINE);

    @BeforeAll
    static void classPath() {
        ChildJvm.requireOnClassPath(TwoPathDemo.class, EchoDemo.class,
                MptcpSelectorProvider.class);
    }

    @Test
    void handoverShowsTheFailureTheHandoverAndAnIntactTransfer() throws Exception {
        requireDemo();
        String out = demo(0, "--plain", "--profile", "handover", "--seconds", "9");
        assertTransferIntact(out, List.of("up", "down"));
        assertTrue(out.contains("summary: profile handover, direction both, link failure yes"),
                out);
        assertTrue(Pattern.compile("demo +\\[ +LINK1_DOWN\\]").matcher(out).find(), out);
        assertTrue(seen(out, "client").contains("LINK_DOWN"), out);
        assertTrue(seen(out, "client").contains("LINK_UP"), out);
        // The handover, as the peer sees it: the client's MP_PRIO clears the link-2 subflow's
        // backup flag after link 1 went down.
        String after = out.substring(out.indexOf("LINK1_DOWN]"));
        assertTrue(Pattern.compile("server +\\[ +SF_PRIO\\] .*daddr4=10\\.250\\.2\\.1 .*backup=0")
                .matcher(after).find(), out);
        assertTrue(out.contains("summary: link 2 carried the data "), out);
        for (String d : List.of("up", "down")) {
            assertTrue(Pattern.compile("^summary: stall at the failure " + d
                    + " (\\d+ ms|under 100 ms \\(none reported\\))$", Pattern.MULTILINE)
                    .matcher(out).find(), out);
        }
        assertTrue(out.contains("\nsummary: OK"), out);
        System.out.println("[TwoPathDemoIT] handover: " + figures(out));
    }

    /**
     * Data one way only: the server, which sends nothing, keeps its output open until the end,
     * so the connection stays ESTABLISHED and the backup can be opened (a half-closed MPTCP
     * connection refuses new subflows).
     */
    @Test
    void handoverOneWayGetsItsBackupAndHandsOver() throws Exception {
        requireDemo();
        String out = demo(0, "--plain", "--direction", "up", "--seconds", "6");
        assertTransferIntact(out, List.of("up"));
        assertFalse(out.contains("summary: down "), out);
        String after = out.substring(out.indexOf("LINK1_DOWN]"));
        assertTrue(Pattern.compile("server +\\[ +SF_PRIO\\] .*daddr4=10\\.250\\.2\\.1 .*backup=0")
                .matcher(after).find(), out);
        assertTrue(out.contains("\nsummary: OK"), out);
        System.out.println("[TwoPathDemoIT] handover, up only: " + figures(out));
    }

    @Test
    void withoutFailureTheKernelPathManagerJoinsLink2() throws Exception {
        requireDemo();
        String out = demo(0, "--plain", "--profile", "none", "--no-failure", "--seconds", "4");
        assertTransferIntact(out, List.of("up", "down"));
        assertTrue(out.contains("summary: profile none, direction both, link failure no"), out);
        assertFalse(out.contains("LINK1_DOWN"), out);
        assertFalse(seen(out, "client").contains("LINK_DOWN"), out);
        // The in-kernel path manager: the server announces 10.250.2.2, the client joins it.
        assertTrue(seen(out, "client").contains("ANNOUNCED"), out);
        assertTrue(Pattern.compile("client +\\[SF_ESTABLISHED\\] .*saddr4=10\\.250\\.2\\.1"
                + " daddr4=10\\.250\\.2\\.2").matcher(out).find(), out);
        System.out.println("[TwoPathDemoIT] no failure: " + figures(out));
    }

    @Test
    void sigtermDeletesTheNamespaces() throws Exception {
        requireDemo();
        try (ChildJvm child = ChildJvm.start(List.of(), List.of(PROVIDER),
                TwoPathDemo.class.getName(), "--plain", "--seconds", "30")) {
            child.awaitLine(l -> l.contains("client  connected "), LIMIT, "the connection");
            assertEquals(2, namespacesOf(child.pid()).size(), child::describe);
            child.terminate();
            child.awaitExit(LIMIT);
            assertEquals(List.of(), namespacesOf(child.pid()), child::describe);
        }
    }

    @Test
    void unprivilegedItSaysWhyAndRunsTheEchoDemo() throws Exception {
        String out = demo(0, List.of("-D" + TwoPathDemo.ASSUME_UNPRIVILEGED + "=true"),
                "--plain");
        String first = out.lines().dropWhile(l -> !l.startsWith("bin/demo: ")).findFirst()
                .orElseThrow(() -> new AssertionError(out));
        assertEquals("bin/demo: no two-path demo: not root (-D" + TwoPathDemo.ASSUME_UNPRIVILEGED
                + "=true); running the loopback echo demo instead", first, out);
        assertTrue(out.contains("provider: " + ChildJvm.PROVIDER_CLASS + "\n"), out);
        assertTrue(out.contains("\necho OK: 5 messages"), out);
    }

    @Test
    void anUnknownProfileIsRefusedWithTheChoices() throws Exception {
        String out = demo(2, "--profile", "fastest");
        assertTrue(out.contains("bin/demo: --profile fastest names no path profile; use one of "
                + PathProfile.choices() + "\n"), out);
    }

    private static void requireDemo() {
        Prerequisites.requireTwoPathTestBed();
        Prerequisites.require(Prerequisites.kernelAtLeast(5, 19), "HANDOVER needs the"
                + " userspace path manager (Linux 5.19+)");
    }

    private static String demo(int status, String... args) throws Exception {
        return demo(status, List.of(), args);
    }

    /** Runs the demo to its end; it must exit with {@code status}. Returns its output. */
    private static String demo(int status, List<String> jvmArgs, String... args)
            throws Exception {
        List<String> jvm = new ArrayList<>(List.of(PROVIDER));
        jvm.addAll(jvmArgs);
        try (ChildJvm child = ChildJvm.start(List.of(), jvm, TwoPathDemo.class.getName(),
                args)) {
            assertEquals(status, child.awaitExit(LIMIT), child::describe);
            // Read after the exit: every line is in.
            String out = child.describe();
            if (Prerequisites.isRoot()) {
                assertEquals(List.of(), namespacesOf(child.pid()), "left behind\n" + out);
            }
            return out;
        }
    }

    /** Each direction: sent equals received, a SHA-256 match, a stall figure. */
    private static void assertTransferIntact(String out, List<String> directions) {
        for (String d : directions) {
            Matcher m = BYTES.matcher(out);
            boolean found = false;
            while (m.find()) {
                if (m.group(1).equals(d)) {
                    found = true;
                    assertTrue(Long.parseLong(m.group(2)) > 0, out);
                    assertEquals(m.group(2), m.group(3), out);
                    assertEquals("yes", m.group(4), out);
                }
            }
            assertTrue(found, "no byte summary for " + d + "\n" + out);
            Matcher s = STALL.matcher(out);
            boolean stall = false;
            while (s.find()) {
                stall |= s.group(1).equals(d);
            }
            assertTrue(stall, "no stall figure for " + d + "\n" + out);
        }
    }

    /** The "events seen" summary line of {@code side}. */
    private static String seen(String out, String side) {
        Matcher m = Pattern.compile("^summary: events seen \\(" + side + "\\): (.*)$",
                Pattern.MULTILINE).matcher(out);
        assertTrue(m.find(), out);
        return m.group(1);
    }

    private static String figures(String out) {
        StringBuilder b = new StringBuilder();
        out.lines().filter(l -> l.startsWith("summary: longest stall")
                        || l.startsWith("summary: stall at the failure")
                        || l.startsWith("summary: link 2") || l.contains("run time"))
                .forEach(l -> b.append(l.substring("summary: ".length())).append("; "));
        return b.toString();
    }

    /** The demo namespaces of process {@code pid} that {@code ip netns list} shows. */
    private static List<String> namespacesOf(long pid) {
        List<String> own = new ArrayList<>();
        for (String line : Commands.run("ip", "netns", "list").split("\n")) {
            String name = line.split("\\s+")[0];
            if (name.startsWith("mpdemo-" + pid + "-")) {
                own.add(name);
            }
        }
        return own;
    }
}
