package io.mptcp.it.events;

import io.mptcp.it.support.ChildJvm;
import io.mptcp.it.support.Prerequisites;
import io.mptcp.it.support.Subflows;
import io.mptcp.it.support.StagedClassPath;
import io.mptcp.it.support.TwoPathTestBed;
import io.mptcp.nio.MptcpSelectorProvider;
import io.mptcp.nio.Subflow;

import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A JVM run as {@code nobody} without capabilities ({@code setpriv}) in the client namespace
 * of the two-path test bed: the kernel refuses it the events group and path-manager changes,
 * each refusal says why precisely, and the event channel still reports its connection's join
 * and close, synthesised from snapshots and marked so.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class UnprivilegedEventsIT {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @Test
    void nobodyGetsThePreciseRefusalAndSynthesisedSubflowEvents() throws Exception {
        Prerequisites.requireTwoPathTestBed();
        Prerequisites.require(Files.isExecutable(Path.of("/usr/bin/setpriv")),
                "setpriv is missing: apt-get install util-linux");
        MptcpSelectorProvider provider = new MptcpSelectorProvider();
        try (StagedClassPath staged = StagedClassPath.stage();
             TwoPathTestBed bed = TwoPathTestBed.start(TwoPathTestBed.PathManager.SIGNAL)) {
            ServerSocketChannel listener = bed.server().call(() -> provider
                    .openServerSocketChannel(StandardProtocolFamily.INET)
                    .bind(bed.serverBindAddress(0)));
            int port = ((InetSocketAddress) listener.getLocalAddress()).getPort();
            List<String> prefix = List.of("ip", "netns", "exec", bed.client().name(),
                    "/usr/bin/setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups",
                    "--inh-caps=-all");
            Path java = Path.of(System.getProperty("java.home"), "bin", "java");
            try (ChildJvm child = ChildJvm.startWithClassPath(java, prefix,
                    List.of("-Djava.io.tmpdir=/tmp"), staged.classPath(),
                    UnprivilegedEventsChild.class.getName(),
                    bed.link(1).serverAddress().getHostAddress(), Integer.toString(port))) {
                String uid = child.awaitLine(l -> l.startsWith("UID "), WAIT, "its uid");
                assertTrue(uid.contains("65534"), uid);
                String pm = child.awaitLine(l -> l.startsWith("PM_REFUSAL "), WAIT,
                        "the path manager's refusal");
                assertTrue(pm.contains("SET_LIMITS") && pm.contains("EPERM")
                        && pm.contains("CAP_NET_ADMIN") && pm.contains("user namespace"), pm);
                assertEquals("SOURCE SNAPSHOT", child.awaitLine(l -> l.startsWith("SOURCE "),
                        WAIT, "the source"));
                String refusal = child.awaitLine(l -> l.startsWith("REFUSAL "), WAIT,
                        "why not netlink");
                assertTrue(refusal.contains("mptcp_pm_events") && refusal.contains("EPERM")
                        && refusal.contains("CAP_NET_ADMIN"), refusal);
                String token = child.awaitLine(l -> l.startsWith("TOKEN "), WAIT, "its token")
                        .substring(6);
                SocketChannel server = listener.accept();
                String established = child.awaitLine(l -> l.startsWith("EVENT Connection"
                        + "Established"), WAIT, "the connection, synthesised");
                assertTrue(established.contains("source=SNAPSHOT")
                        && established.contains("token=" + token), established);
                String join = child.awaitLine(l -> l.startsWith("EVENT SubflowEstablished"),
                        WAIT, "the join, synthesised");
                List<Subflow> seen = Subflows.await(server, l -> l.size() == 2, WAIT,
                        "the join on the server", bed::describeMptcp);
                Subflow joined = seen.get(1);
                // The server's view mirrored: the child's local end is the server's remote.
                assertTrue(join.contains("source=SNAPSHOT") && join.contains("token=" + token)
                        && join.contains("local=" + joined.remote())
                        && join.contains("remote=" + joined.local()), join + " vs " + seen);
                System.out.println("[UnprivilegedEventsIT] " + pm + "\n" + refusal + "\n"
                        + established + "\n" + join);
                child.send("close");
                String closed = child.awaitLine(l -> l.startsWith("EVENT ConnectionClosed"),
                        WAIT, "the close, synthesised");
                assertEquals("EVENT ConnectionClosed[source=SNAPSHOT, token=" + token + "]",
                        closed);
                child.awaitLine("DONE"::equals, WAIT, "the end");
                server.close();
                listener.close();
            }
        }
    }
}
