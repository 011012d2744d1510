package io.mptcp.it.blocking;

import io.mptcp.it.support.KernelView;
import io.mptcp.it.support.Prerequisites;
import io.mptcp.it.support.Route;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A real PostgreSQL server (Debian's), queried through the PostgreSQL JDBC driver, whose
 * {@code java.net.Socket} becomes MPTCP with one flag, {@code -javaagent:mptcp-nio-agent.jar}
 * (and, second, with mptcp-nio on the class path and the factories installed before main). The
 * answers are checked (20,000 rows, their sum and the SHA-256 of their text) and the kernel
 * ({@code ss -M}) must list the connection as MPTCP at both ends. The same client on the JDK's
 * defaults is the control: plain TCP. The server runs under {@code mptcpize} as user
 * {@code postgres}, in a scratch directory, on a free loopback port.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class PostgresIT {

    // 20,000 rows, sum of 1..20000, SHA-256 of the concatenated md5(id) texts.
    private static final String EXPECTED = "20000 200010000 ";

    private static Path bin;
    private static Path dir;
    private static RealServer server;
    private static String digest;

    @BeforeAll
    static void startServer() throws Exception {
        Prerequisites.requireKernelView();
        Prerequisites.requireMptcpize();
        bin = postgresBin();
        Prerequisites.require(bin != null,
                "PostgreSQL is missing: apt-get install postgresql");
        Route.agentJar();
        dir = RealServer.scratch("pg", "postgres");
        Path data = dir.resolve("data");
        RealServer.runAs("postgres", List.of(bin.resolve("initdb").toString(), "-D",
                data.toString(), "-U", "test", "--auth=trust", "--no-sync", "-E", "UTF8"));
        int port = RealServer.freePort();
        server = RealServer.start("postgres", dir, port, List.of(
                bin.resolve("postgres").toString(), "-D", data.toString(), "-p",
                Integer.toString(port), "-k", dir.toString(), "-c",
                "listen_addresses=127.0.0.1", "-c", "fsync=off"));
        digest = expectedDigest();
    }

    @AfterAll
    static void stopServer() throws Exception {
        if (server != null) {
            server.close();
        } else if (dir != null) {
            RealServer.deleteTree(dir);
        }
    }

    /** The newest {@code /usr/lib/postgresql/N/bin}, or null. */
    private static Path postgresBin() throws Exception {
        Path root = Path.of("/usr/lib/postgresql");
        if (!Files.isDirectory(root)) {
            return null;
        }
        try (Stream<Path> versions = Files.list(root)) {
            return versions.map(v -> v.resolve("bin"))
                    .filter(b -> Files.isExecutable(b.resolve("postgres")))
                    .max((a, b) -> Integer.compare(version(a), version(b))).orElse(null);
        }
    }

    private static int version(Path bin) {
        try {
            return Integer.parseInt(bin.getParent().getFileName().toString());
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static String expectedDigest() throws Exception {
        StringBuilder all = new StringBuilder();
        java.security.MessageDigest md5 = java.security.MessageDigest.getInstance("MD5");
        for (int i = 1; i <= 20000; i++) {
            byte[] text = Integer.toString(i).getBytes(java.nio.charset.StandardCharsets.UTF_8);
            all.append(java.util.HexFormat.of().formatHex(md5.digest(text)));
        }
        byte[] d = java.security.MessageDigest.getInstance("SHA-256")
                .digest(all.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
        return java.util.HexFormat.of().formatHex(d);
    }

    private static KernelView query(Route route) throws Exception {
        return BlockingClients.run(route, "pg", server.port(), EXPECTED + digest, "42");
    }

    @Test
    void withTheAgentTheJdbcConnectionIsMptcp() throws Exception {
        BlockingClients.assertMptcp(query(Route.AGENT));
    }

    @Test
    void withTheFactoriesOnTheClassPathTheJdbcConnectionIsMptcp() throws Exception {
        BlockingClients.assertMptcp(query(Route.CLASS_PATH));
    }

    @Test
    void onTheJdkDefaultsTheJdbcConnectionIsPlainTcp() throws Exception {
        BlockingClients.assertNotMptcp(query(Route.JDK));
    }
}
