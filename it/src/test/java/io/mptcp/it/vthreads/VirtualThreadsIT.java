package io.mptcp.it.vthreads;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mptcp.it.support.ChildJvm;
import io.mptcp.it.support.Jdks;
import io.mptcp.it.support.Prerequisites;
import io.mptcp.nio.MptcpSelectorProvider;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Blocking I/O on virtual threads parks them instead of pinning their carriers:
 * {@link VirtualThreadsMain} runs on a JDK of at least 21 (this machine's newest) with two
 * carrier threads, 220 virtual threads blocked in read, accept, pipe read, select, timed
 * adaptor read and write, and a ping-pong between two more that must still complete; then close, interrupt
 * and timeout cases, and JFR's {@code jdk.VirtualThreadPinned} events.
 *
 * <p>The same program under the JDK's own provider is the control: it must pass too, so the
 * checks ask nothing the JDK does not do. Without a JDK 21+ the test is skipped visibly (and
 * fails under {@code CI=true}).
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class VirtualThreadsIT {
    private static final Duration RUN = Duration.ofSeconds(240);
    private static final List<String> CHECKS = List.of("warmUp",
            "manyBlockedThreadsParkAndOthersProgress",
            "closeReleasesParkedThreads", "interruptReleasesParkedThreads",
            "timedAdaptorReadTimesOut", "platformThreadBlocksAfterVirtualUse",
            "noVirtualThreadPinnedEvents");

    private static Jdks.Jdk jdk;

    @BeforeAll
    static void prerequisites() {
        Prerequisites.require(Jdks.atLeast(21).isPresent(),
                "no JDK 21+ (virtual threads) in this JVM or under " + Jdks.JVM_DIR
                        + ": install one, e.g. a Temurin 25 package");
        jdk = Jdks.atLeast(21).orElseThrow();
        ChildJvm.requireOnClassPath(VirtualThreadsMain.class, MptcpSelectorProvider.class);
    }

    @Test
    void underMptcpNioBlockedVirtualThreadsPark() throws Exception {
        run(List.of("-D" + ChildJvm.PROVIDER_PROPERTY + "=" + ChildJvm.PROVIDER_CLASS),
                ChildJvm.PROVIDER_CLASS);
    }

    @Test
    void underMptcpNioWithTcpBlockedVirtualThreadsPark() throws Exception {
        run(List.of("-D" + ChildJvm.PROVIDER_PROPERTY + "=" + ChildJvm.PROVIDER_CLASS,
                "-Dio.mptcp.nio.mode=off"), ChildJvm.PROVIDER_CLASS);
    }

    @Test
    void underTheJdkProviderTheSameChecksPass() throws Exception {
        run(List.of(), "sun.nio.ch.");
    }

    private static void run(List<String> providerArgs, String provider) throws Exception {
        List<String> jvmArgs = new ArrayList<>(providerArgs);
        // Two carriers, and no more when some are blocked: a pinned wait would stall the rest.
        jvmArgs.add("-Djdk.virtualThreadScheduler.parallelism=2");
        jvmArgs.add("-Djdk.virtualThreadScheduler.maxPoolSize=2");
        try (ChildJvm child = ChildJvm.start(jdk.java(), List.of(), jvmArgs,
                VirtualThreadsMain.class.getName(), "200")) {
            String providerLine = child.awaitLine(l -> l.startsWith("PROVIDER "), RUN,
                    "PROVIDER");
            assertTrue(providerLine.startsWith("PROVIDER " + provider),
                    () -> "wrong provider\n" + child.describe());
            String done = child.awaitLine(l -> l.startsWith("DONE "), RUN, "DONE");
            int exit = child.awaitExit(Duration.ofSeconds(30));
            String transcript = child.describe();
            for (String check : CHECKS) {
                assertTrue(transcript.contains("\nPASS " + check + "\n"),
                        () -> check + " did not pass on JDK " + jdk.feature() + "\n" + transcript);
            }
            assertEquals("DONE passed=" + CHECKS.size() + " failed=0", done, transcript);
            assertEquals(0, exit, transcript);
            assertTrue(transcript.contains("INFO parked=220"), transcript);
        }
    }
}
