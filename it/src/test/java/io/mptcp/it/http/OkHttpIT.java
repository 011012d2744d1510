package io.mptcp.it.http;

import io.mptcp.it.support.ChildJvm;
import io.mptcp.it.support.Route;
import io.mptcp.it.support.Prerequisites;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * An unmodified OkHttp 5 client ({@link OkHttpClientMain}: blocking {@code java.net.Socket})
 * against Undertow ({@link UndertowServerMain}), both JVMs started with the agent, whose
 * {@code SocketImplFactory} is what makes OkHttp's socket MPTCP (no system property reaches
 * {@code java.net.Socket}): 8 MiB and 1-byte downloads compared byte for byte, a 2 MiB
 * upload's SHA-256, all on one kept-alive connection, which {@code ss} must show as MPTCP at
 * both ends, and whose socket answers {@code MPTCP_ENABLED} true. On the JDK's defaults, the
 * control, the same run is plain TCP and the socket has no such option.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class OkHttpIT {

    @BeforeAll
    static void prerequisites() {
        Prerequisites.requireKernelView();
        ChildJvm.requireOnClassPath(OkHttpClientMain.class, OkHttpClient.class);
    }

    @Test
    void withTheAgentOkHttpsSocketIsMptcp() throws Exception {
        HttpRun.run(Route.AGENT, UndertowServerMain.class, OkHttpClientMain.class,
                List.of(), List.of("SOCKETS 1", "MPTCP true"));
    }

    @Test
    void onTheJdkDefaultsOkHttpsSocketIsPlainTcp() throws Exception {
        HttpRun.run(Route.JDK, UndertowServerMain.class, OkHttpClientMain.class,
                List.of(), List.of("SOCKETS 1", "MPTCP n/a"));
    }
}
