package io.mptcp.it.http;

import io.mptcp.it.support.ChildJvm;
import io.mptcp.it.support.Route;
import io.mptcp.it.support.Prerequisites;
import io.undertow.Undertow;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * An unmodified Undertow 2.4 ({@link UndertowServerMain}, XNIO's NIO provider) and the JDK's
 * {@code HttpClient} ({@link JdkHttpClientMain}), each in a child JVM started with the agent
 * (one flag), with the two system properties, and with neither (the control): 8 MiB and 1-byte
 * downloads compared byte for byte, a 2 MiB upload's SHA-256, all on one kept-alive
 * connection, which {@code ss} must show as MPTCP at both ends (plain TCP for the control).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class UndertowIT {

    @BeforeAll
    static void prerequisites() {
        Prerequisites.requireKernelView();
        ChildJvm.requireOnClassPath(UndertowServerMain.class, Undertow.class);
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(value = Route.class, names = {"AGENT", "PROPERTIES", "JDK"})
    void undertowServesCheckedResponsesOverMptcp(Route launch) throws Exception {
        HttpRun.run(launch, UndertowServerMain.class, JdkHttpClientMain.class, List.of(),
                List.of());
    }
}
