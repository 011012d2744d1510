package io.mptcp.it.zookeeper;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mptcp.it.support.ChildJvm;
import io.mptcp.it.support.KernelView;
import io.mptcp.it.support.Ports;
import io.mptcp.it.support.Prerequisites;
import io.mptcp.it.support.Route;
import io.mptcp.it.support.Scratch;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.apache.zookeeper.server.quorum.QuorumPeerMain;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A three-node ZooKeeper ensemble, each node an unmodified {@code QuorumPeerMain} in its own
 * JVM, and a client program ({@link ZooKeeperClientMain}) in a fourth, all on the same route.
 * ZooKeeper's client port is NIO ({@code NIOServerCnxnFactory}, the client's
 * {@code ClientCnxnSocketNIO}); its quorum port (followers to the leader) and its election
 * ports (between every two nodes) are blocking {@code java.net.Socket}/{@code ServerSocket},
 * which only the agent's {@code SocketImplFactory} route reaches. The client writes
 * {@value #COUNT} znodes through a follower and reads them back through the leader, checked by
 * digest; while it holds its sessions, the kernel ({@code ss -M}) must list the two
 * follower-to-leader quorum connections, the three election connections and both client
 * sessions as MPTCP at both ends with the agent, and every one as plain TCP on the JDK's
 * defaults. With the system properties alone, the client sessions are MPTCP and the quorum
 * and election connections plain TCP: no property installs a {@code SocketImplFactory}.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ZooKeeperEnsembleIT {

    private static final Duration STEP = Duration.ofSeconds(90);
    private static final int NODES = 3;
    private static final int COUNT = 200;
    private static final List<String> JVM = List.of("-Xmx256m", "-XX:+UseSerialGC",
            "-XX:TieredStopAtLevel=1", "-Dzookeeper.admin.enableServer=false",
            "-Dzookeeper.jmx.log4j.disable=true");

    @BeforeAll
    static void prerequisites() {
        Prerequisites.requireKernelView();
        Route.agentJar();
        ChildJvm.requireOnClassPath(ZooKeeperClientMain.class, QuorumPeerMain.class);
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(value = Route.class, names = {"AGENT", "PROPERTIES", "JDK"})
    void quorumElectionAndClientConnectionsAreMptcp(Route route) throws Exception {
        Path dir = Scratch.create("zookeeper");
        List<ChildJvm> nodes = new ArrayList<>();
        try {
            int[] client = new int[NODES];
            int[] quorum = new int[NODES];
            int[] election = new int[NODES];
            StringBuilder servers = new StringBuilder();
            for (int i = 0; i < NODES; i++) {
                client[i] = Ports.free();
                quorum[i] = Ports.free();
                election[i] = Ports.free();
                servers.append("server.").append(i + 1).append("=127.0.0.1:").append(quorum[i])
                        .append(':').append(election[i]).append('\n');
            }
            for (int i = 0; i < NODES; i++) {
                Path data = Files.createDirectories(dir.resolve("node" + (i + 1)));
                Files.writeString(data.resolve("myid"), (i + 1) + "\n");
                Path config = dir.resolve("zoo" + (i + 1) + ".cfg");
                Files.writeString(config, "tickTime=500\ninitLimit=40\nsyncLimit=20\n"
                        + "dataDir=" + data + "\nclientPort=" + client[i]
                        + "\nclientPortAddress=127.0.0.1\nadmin.enableServer=false\n"
                        + servers);
                nodes.add(route.start(JVM, QuorumPeerMain.class.getName(), config.toString()));
            }
            int leader = awaitLeader(quorum, nodes);
            int follower = (leader + 1) % NODES;
            try (ChildJvm app = route.start(JVM, ZooKeeperClientMain.class.getName(),
                    "127.0.0.1:" + client[follower], "127.0.0.1:" + client[leader],
                    Integer.toString(COUNT))) {
                String result = app.awaitLine(l -> l.startsWith("result="), STEP, "result=");
                assertEquals("result=" + COUNT + " " + expectedDigest(), result,
                        () -> app.describe() + describe(nodes));
                app.awaitLine("HOLDING"::equals, STEP, "HOLDING");

                List<KernelView> toLeader = KernelView.connectionsOn(quorum[leader]);
                List<KernelView> elections = new ArrayList<>();
                for (int port : election) {
                    elections.addAll(KernelView.connectionsOn(port));
                }
                List<KernelView> sessions = new ArrayList<>(
                        KernelView.connectionsOn(client[follower]));
                sessions.addAll(KernelView.connectionsOn(client[leader]));
                String seen = "quorum (leader " + (leader + 1) + "): " + toLeader
                        + "\nelection: " + elections + "\nclient sessions: " + sessions;
                System.out.printf("%s, JDK %s: leader %d, %d quorum, %d election, %d client"
                        + " connections%n", route, Runtime.version(), leader + 1,
                        toLeader.size(), elections.size(), sessions.size());
                assertEquals(NODES - 1, toLeader.size(), seen);
                assertTrue(elections.size() >= NODES, seen);
                assertEquals(2, sessions.size(), seen);
                // The system properties reach NIO only: the quorum stays on the JDK's Socket.
                boolean socketsMptcp = route == Route.AGENT;
                List<KernelView> blocking = new ArrayList<>(toLeader);
                blocking.addAll(elections);
                for (KernelView view : blocking) {
                    assertTrue(socketsMptcp ? view.isMptcp() : view.isPlainTcp(),
                            () -> "expected " + (socketsMptcp ? "MPTCP" : "plain TCP")
                                    + " between nodes: " + view + "\n" + seen);
                }
                for (KernelView view : sessions) {
                    assertTrue(route.ours() ? view.isMptcp() : view.isPlainTcp(),
                            () -> "expected " + (route.ours() ? "MPTCP" : "plain TCP")
                                    + " for the client: " + view + "\n" + seen);
                }
                app.send("DONE");
                app.awaitLine("done"::equals, STEP, "done");
                assertEquals(0, app.awaitExit(STEP), app::describe);
                route.checkTranscript(app.describe());
            }
            for (ChildJvm node : nodes) {
                route.checkTranscript(node.describe());
            }
        } finally {
            for (ChildJvm node : nodes) {
                node.close();
            }
            Scratch.delete(dir);
        }
    }

    /**
     * The index of the node that leads: the one whose quorum port both followers are connected
     * to (only the leader listens on it).
     */
    private static int awaitLeader(int[] quorum, List<ChildJvm> nodes) throws Exception {
        long deadline = System.nanoTime() + STEP.toNanos();
        while (System.nanoTime() < deadline) {
            for (int i = 0; i < NODES; i++) {
                if (KernelView.connectionsOn(quorum[i]).size() == NODES - 1) {
                    return i;
                }
            }
            for (ChildJvm node : nodes) {
                if (!node.isAlive()) {
                    throw new AssertionError("a node ended\n" + describe(nodes));
                }
            }
            Thread.sleep(250);
        }
        throw new AssertionError("no leader with two followers within " + STEP + "\n"
                + describe(nodes));
    }

    private static String describe(List<ChildJvm> nodes) {
        StringBuilder b = new StringBuilder();
        nodes.forEach(n -> b.append(n.describe()).append('\n'));
        return b.toString();
    }

    private static String expectedDigest() throws Exception {
        MessageDigest all = MessageDigest.getInstance("SHA-256");
        for (int i = 0; i < COUNT; i++) {
            all.update(ZooKeeperClientMain.data(i));
        }
        return HexFormat.of().formatHex(all.digest());
    }
}
