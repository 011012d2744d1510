package io.mptcp.it.http;

import io.mptcp.it.support.ChildJvm;
import io.mptcp.it.support.Route;
import io.mptcp.it.support.Prerequisites;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * An unmodified Vert.x 5 HTTP server ({@link VertxServerMain}) and Vert.x HTTP client
 * ({@link VertxClientMain}), Netty NIO underneath (each says it uses no native transport),
 * each in a child JVM started with the agent (one flag), with the two system properties, and
 * with neither (the control): 8 MiB and 1-byte downloads compared byte for byte, a 2 MiB
 * upload's SHA-256, all on one kept-alive connection, which {@code ss} must show as MPTCP at
 * both ends (plain TCP for the control).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class VertxIT {

    @BeforeAll
    static void prerequisites() {
        Prerequisites.requireKernelView();
        ChildJvm.requireOnClassPath(VertxServerMain.class, Vertx.class);
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(value = Route.class, names = {"AGENT", "PROPERTIES", "JDK"})
    void vertxServesAndFetchesCheckedResponsesOverMptcp(Route launch) throws Exception {
        // Netty NIO, the transport our SelectorProvider serves, not a native one.
        HttpRun.run(launch, VertxServerMain.class, VertxClientMain.class,
                List.of("NATIVE false"), List.of("NATIVE false"));
    }
}
