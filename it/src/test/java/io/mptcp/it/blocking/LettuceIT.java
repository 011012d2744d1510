package io.mptcp.it.blocking;

import io.mptcp.it.support.KernelView;
import io.mptcp.it.support.Prerequisites;
import io.mptcp.it.support.Route;

import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A real Redis server (Debian's {@code redis-server}, as in {@link RedisIT}) and the Lettuce
 * client, which runs on a Netty NIO event loop: a 100 KB SET/GET, 1,000 RPUSH, LLEN, LINDEX and
 * 1,000 pipelined INCRs, checked ({@link LettuceClientMain}); the kernel ({@code ss -M}) must
 * list the connection as MPTCP at both ends with the agent and with the system properties
 * ({@code SelectorProvider}); plain TCP on the JDK's defaults.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class LettuceIT {

    // Value round-tripped, LLEN, LINDEX 999, the counter, 1,000 distinct INCR answers, on NIO.
    private static final String EXPECTED = "true 1000 999 1000 1000 nio";

    private static RealServer server;

    @BeforeAll
    static void startServer() throws Exception {
        Prerequisites.requireKernelView();
        Prerequisites.requireMptcpize();
        Route.agentJar();
        server = RealServer.redis();
    }

    @AfterAll
    static void stopServer() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    private static KernelView session(Route route) throws Exception {
        return BlockingClients.run(route, LettuceClientMain.class, server.port(), EXPECTED,
                "PONG", Integer.toString(server.port()),
                Long.toString(BlockingClients.HOLD_MILLIS));
    }

    @Test
    void withTheAgentTheLettuceConnectionIsMptcp() throws Exception {
        BlockingClients.assertMptcp(session(Route.AGENT));
    }

    @Test
    void withTheSystemPropertiesTheLettuceConnectionIsMptcp() throws Exception {
        BlockingClients.assertMptcp(session(Route.PROPERTIES));
    }

    @Test
    void onTheJdkDefaultsTheLettuceConnectionIsPlainTcp() throws Exception {
        BlockingClients.assertNotMptcp(session(Route.JDK));
    }
}
