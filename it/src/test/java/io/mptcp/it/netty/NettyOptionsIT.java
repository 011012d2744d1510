package io.mptcp.it.netty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mptcp.it.support.ChildJvm;
import io.mptcp.it.support.Prerequisites;
import io.mptcp.nio.MptcpSelectorProvider;
import io.netty.channel.nio.NioIoHandler;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Netty copies channel options with {@code config().getOptions()} and
 * {@code config().setOptions(...)} ({@link NettyOptionsMain}, in a child JVM), on a listener,
 * a connected client, the accepted child and a client whose connection fell back to TCP.
 *
 * <p>Under either provider: reading every option works; writing back everything read but the
 * read-only options works ({@code MPTCP_ENABLED} included, {@code false} on the fallen-back
 * connection); writing back everything read throws Netty's {@code ChannelException} for a
 * read-only option, as the JDK's own channels do for {@code SO_INCOMING_NAPI_ID}. Under
 * mptcp-nio the MPTCP options are among those read, with {@code MPTCP_ENABLED} telling the
 * connection's state.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class NettyOptionsIT {
    private static final Duration STEP = Duration.ofSeconds(60);
    private static final List<String> ROLES = List.of("listener", "client", "accepted",
            "fallback");
    private static final String ALL_KEYS =
            "MPTCP_ENABLED,MPTCP_FALLBACK_REASON,MPTCP_INFO,MPTCP_SUBFLOWS,MPTCP_TOKEN";

    @BeforeAll
    static void classPath() {
        ChildJvm.requireOnClassPath(NettyOptionsMain.class, NioIoHandler.class,
                MptcpSelectorProvider.class);
    }

    @Test
    void underMptcpNioNettyCopiesEveryWritableOption() throws Exception {
        Prerequisites.requireMptcpEnabled();
        copy(List.of("-D" + ChildJvm.PROVIDER_PROPERTY + "=" + ChildJvm.PROVIDER_CLASS),
                ChildJvm.PROVIDER_CLASS, Map.of(
                        "listener", "mptcp=MPTCP_ENABLED,MPTCP_FALLBACK_REASON enabled=true",
                        "client", "mptcp=" + ALL_KEYS + " enabled=true",
                        "accepted", "mptcp=" + ALL_KEYS + " enabled=true",
                        "fallback", "mptcp=" + ALL_KEYS + " enabled=false"));
    }

    @Test
    void underTheJdkProviderNettyCopiesEveryWritableOption() throws Exception {
        String none = "mptcp= enabled=none";
        copy(List.of(), "sun.nio.ch.", Map.of("listener", none, "client", none,
                "accepted", none, "fallback", none));
    }

    private static void copy(List<String> jvmArgs, String provider,
            Map<String, String> mptcpByRole) throws Exception {
        try (ChildJvm child = ChildJvm.start(List.of(), jvmArgs,
                NettyOptionsMain.class.getName())) {
            String providerLine = child.awaitLine(l -> l.startsWith("PROVIDER "), STEP,
                    "PROVIDER");
            assertTrue(providerLine.startsWith("PROVIDER " + provider),
                    () -> "wrong provider\n" + child.describe());
            for (String role : ROLES) {
                String options = child.awaitLine(l -> l.startsWith("OPTIONS " + role + " "),
                        STEP, "OPTIONS " + role);
                assertTrue(options.endsWith(" " + mptcpByRole.get(role)),
                        () -> options + "\n" + child.describe());
                assertEquals("WRITABLE " + role + " true",
                        child.awaitLine(l -> l.startsWith("WRITABLE " + role + " "), STEP,
                                "WRITABLE " + role), child::describe);
                String whole = child.awaitLine(l -> l.startsWith("WHOLE " + role + " "), STEP,
                        "WHOLE " + role);
                String prefix = "WHOLE " + role + " ChannelException: java.net.SocketException: ";
                assertTrue(whole.startsWith(prefix) && NettyOptionsMain.READ_ONLY.contains(
                        whole.substring(prefix.length())), () -> whole + "\n" + child.describe());
            }
            assertEquals(0, child.awaitExit(STEP), child::describe);
        }
    }
}
