package io.mptcp.it.blocking;

import io.mptcp.it.blocking.BlockingClients.Route;
import io.mptcp.it.support.KernelView;
import io.mptcp.it.support.Prerequisites;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
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

    private static final Path REDIS = Path.of("/usr/bin/redis-server");

    private static Path dir;
    private static RealServer server;

    @BeforeAll
    static void startServer() throws Exception {
        Prerequisites.requireKernelView();
        Prerequisites.requireMptcpize();
        Prerequisites.require(Files.isExecutable(REDIS),
                "redis-server is missing: apt-get install redis-server");
        BlockingClients.agentJar();
        String user = Prerequisites.isRoot() ? "redis" : System.getProperty("user.name");
        dir = RealServer.scratch("redis", user);
        int port = RealServer.freePort();
        server = RealServer.start(user, dir, port, List.of(REDIS.toString(), "--port",
                Integer.toString(port), "--bind", "127.0.0.1", "--dir", dir.toString(),
                "--save", "", "--appendonly", "no", "--daemonize", "no", "--protected-mode",
                "no", "--unixsocket", ""));
    }

    @AfterAll
    static void stopServer() throws Exception {
        if (server != null) {
            server.close();
        } else if (dir != null) {
            RealServer.deleteTree(dir);
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
