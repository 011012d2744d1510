package io.mptcp.it.blocking;

import io.mptcp.it.support.Commands;
import io.mptcp.it.support.Ports;
import io.mptcp.it.support.Prerequisites;
import io.mptcp.it.support.Scratch;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real server (PostgreSQL, Redis) started by a test in a scratch directory on a free loopback
 * port, as an unprivileged user when the test runs as root, under {@code mptcpize run} so that
 * its listening socket is MPTCP (the server cannot ask for it itself): the client's end then
 * decides whether the connection is MPTCP. Stopped, and its directory deleted, by close.
 */
final class RealServer implements AutoCloseable {

    private final Process process;
    private final Path dir;
    private final int port;
    private final Path log;

    private RealServer(Process process, Path dir, int port, Path log) {
        this.process = process;
        this.dir = dir;
        this.port = port;
        this.log = log;
    }

    int port() {
        return port;
    }

    private static final Path REDIS = Path.of("/usr/bin/redis-server");

    /**
     * Debian's {@code redis-server} (RedisIT, LettuceIT), as user {@code redis} when root, on a
     * free loopback port, without persistence; skips (fails in CI) when it is not installed.
     */
    static RealServer redis() throws Exception {
        Prerequisites.require(Files.isExecutable(REDIS),
                "redis-server is missing: apt-get install redis-server");
        String user = Prerequisites.isRoot() ? "redis" : System.getProperty("user.name");
        Path dir = scratch("redis", user);
        int port = freePort();
        return start(user, dir, port, List.of(REDIS.toString(), "--port",
                Integer.toString(port), "--bind", "127.0.0.1", "--dir", dir.toString(),
                "--save", "", "--appendonly", "no", "--daemonize", "no", "--protected-mode",
                "no", "--unixsocket", ""));
    }

    /** A scratch directory the server's user owns. */
    static Path scratch(String name, String user) throws IOException {
        Path dir = Scratch.create(name);
        if (Prerequisites.isRoot()) {
            Commands.run("chown", user + ":", dir.toString());
        }
        return dir;
    }

    /** Runs {@code command} as {@code user} (when root) and waits for it (initdb). */
    static void runAs(String user, List<String> command) {
        Commands.run(asUser(user, command));
    }

    private static List<String> asUser(String user, List<String> command) {
        List<String> cmd = new ArrayList<>();
        if (Prerequisites.isRoot()) {
            cmd.addAll(List.of("runuser", "-u", user, "--"));
        }
        cmd.addAll(command);
        return cmd;
    }

    static int freePort() throws IOException {
        return Ports.free();
    }

    /** Starts {@code command} (mptcpize-wrapped) as {@code user} and waits for its port. */
    static RealServer start(String user, Path dir, int port, List<String> command)
            throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Prerequisites.MPTCPIZE, "run"));
        cmd.addAll(command);
        Path log = dir.resolve("server.log");
        Process p = new ProcessBuilder(asUser(user, cmd)).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        RealServer server = new RealServer(p, dir, port, log);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            try (Socket probe = new Socket()) {
                probe.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 500);
                return server;
            } catch (IOException notYet) {
                if (!p.isAlive() || System.nanoTime() > deadline) {
                    String out = server.log();
                    server.close();
                    throw new AssertionError("server did not listen on " + port + ": " + cmd
                            + "\n" + out);
                }
                Thread.sleep(100);
            }
        }
    }

    String log() {
        try {
            return Files.exists(log) ? Files.readString(log) : "(no log)";
        } catch (IOException e) {
            return "(log unreadable: " + e + ")";
        }
    }

    @Override
    public void close() throws Exception {
        process.destroy();
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        deleteTree(dir);
    }

    static void deleteTree(Path dir) throws IOException {
        Scratch.delete(dir);
    }
}
