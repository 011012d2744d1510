package io.mptcp.it.mixed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mptcp.it.support.ChildJvm;
import io.mptcp.it.support.Prerequisites;
import io.mptcp.nio.MptcpSelectorProvider;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A JVM started with the provider property holds TCP, UDP, pipe and UNIX-domain channels in one
 * selector ({@link MixedSelectorMain}): every one of them is mptcp-nio's, and every message
 * arrives. The same program under the JDK's provider is the control.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class MixedSelectorIT {
    private static final Duration STEP = Duration.ofSeconds(60);

    @BeforeAll
    static void classPath() {
        ChildJvm.requireOnClassPath(MixedSelectorMain.class, MptcpSelectorProvider.class);
    }

    @Test
    void underMptcpNioOneSelectorHoldsEveryKindOfChannel() throws Exception {
        Prerequisites.requireMptcpEnabled();
        String out = run(List.of("-D" + ChildJvm.PROVIDER_PROPERTY + "=" + ChildJvm.PROVIDER_CLASS));
        assertTrue(out.contains("PROVIDER " + ChildJvm.PROVIDER_CLASS), out);
        for (String kind : List.of("tcp", "udp", "pipe", "unix")) {
            assertTrue(out.contains("CHANNEL " + kind + " io.mptcp.nio."),
                    () -> kind + " channel is not ours\n" + out);
        }
        assertTrue(out.contains("TCP MPTCP_ENABLED=true"), out);
    }

    @Test
    void underTheJdkProviderTheSameProgramRuns() throws Exception {
        String out = run(List.of());
        for (String kind : List.of("tcp", "udp", "pipe", "unix")) {
            assertTrue(out.contains("CHANNEL " + kind + " sun.nio.ch."), out);
        }
        assertTrue(out.contains("TCP MPTCP_ENABLED=n/a"), out);
    }

    private static String run(List<String> jvmArgs) throws Exception {
        try (ChildJvm child = ChildJvm.start(List.of(), jvmArgs, MixedSelectorMain.class.getName())) {
            child.awaitLine(l -> l.startsWith("MIXED OK "), STEP, "MIXED OK");
            assertEquals(0, child.awaitExit(STEP), child::describe);
            return child.describe();
        }
    }
}
