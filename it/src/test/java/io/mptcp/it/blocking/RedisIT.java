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
 * A real Redis server (Debian's {@code redis-server}) and the Jedis client (blocking
 * {@code java.net.Socket}): SET/GET of a 100 KB value, 1000 RPUSH, LLEN, LINDEX, PING, checked;
 * MPTCP per {@code ss -M} with the agent (and with the class-path route), plain TCP on the
 * JDK's defaults. The server runs under {@code mptcpize}, as user {@code redis} when root, in a
 * scratch directory, on a free loopback port, without persistence.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class RedisIT {

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
        return BlockingClients.run(route, "redis", server.port(), "true 1000 999", "PONG");
    }

    @Test
    void withTheAgentTheJedisConnectionIsMptcp() throws Exception {
        BlockingClients.assertMptcp(session(Route.AGENT));
    }

    @Test
    void withTheFactoriesOnTheClassPathTheJedisConnectionIsMptcp() throws Exception {
        BlockingClients.assertMptcp(session(Route.CLASS_PATH));
    }

    @Test
    void onTheJdkDefaultsTheJedisConnectionIsPlainTcp() throws Exception {
        BlockingClients.assertNotMptcp(session(Route.JDK));
    }
}
