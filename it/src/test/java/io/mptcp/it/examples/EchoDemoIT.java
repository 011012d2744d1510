package io.mptcp.it.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mptcp.examples.EchoDemo;
import io.mptcp.it.support.ChildJvm;
import io.mptcp.it.support.Prerequisites;
import io.mptcp.nio.MptcpSelectorProvider;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The quick-start demo ({@code bin/demo}) says what it should, under each provider setting. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class EchoDemoIT {

    private static final Duration LIMIT = Duration.ofSeconds(60);
    private static final String PROVIDER = "-D" + ChildJvm.PROVIDER_PROPERTY + "="
            + ChildJvm.PROVIDER_CLASS;

    @BeforeAll
    static void classPath() {
        ChildJvm.requireOnClassPath(EchoDemo.class, MptcpSelectorProvider.class);
    }

    @Test
    void underMptcpNioBothEndsSayMptcp() throws Exception {
        Prerequisites.requireMptcpEnabled();
        String out = demo(PROVIDER);
        assertTrue(out.contains("provider: " + ChildJvm.PROVIDER_CLASS + "\n"), out);
        assertTrue(out.contains("client end: MPTCP in use"), out);
        assertTrue(out.contains("server end: MPTCP in use"), out);
    }

    @Test
    void withModeOffBothEndsSayPlainTcp() throws Exception {
        String out = demo(PROVIDER, "-Dio.mptcp.nio.mode=off");
        assertTrue(out.contains("client end: plain TCP (MPTCP_ENABLED=false"), out);
        assertTrue(out.contains("server end: plain TCP (MPTCP_ENABLED=false"), out);
    }

    @Test
    void underTheJdkProviderItSaysSo() throws Exception {
        String out = demo();
        assertTrue(out.contains("client end: JDK provider (sun.nio.ch."), out);
        assertTrue(out.contains("server end: JDK provider (sun.nio.ch."), out);
    }

    /** Runs the demo; it must echo and exit 0. Returns its output. */
    private static String demo(String... jvmArgs) throws Exception {
        try (ChildJvm child = ChildJvm.start(List.of(), List.of(jvmArgs),
                EchoDemo.class.getName())) {
            child.awaitLine(l -> l.startsWith("echo OK: "), LIMIT, "echo OK");
            assertEquals(0, child.awaitExit(LIMIT), child::describe);
            return child.describe();
        }
    }
}
