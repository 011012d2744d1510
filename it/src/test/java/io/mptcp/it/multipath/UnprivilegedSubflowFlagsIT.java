package io.mptcp.it.multipath;

import io.mptcp.it.support.ChildJvm;
import io.mptcp.it.support.Prerequisites;
import io.mptcp.it.support.Subflows;
import io.mptcp.it.support.StagedClassPath;
import io.mptcp.it.support.TwoPathTestBed;
import io.mptcp.nio.MptcpSelectorProvider;
import io.mptcp.nio.Subflow;

import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The subflow flags of {@code MPTCP_SUBFLOWS} read without privileges: a JVM run as
 * {@code nobody} without capabilities ({@code setpriv}) in the client namespace of the
 * two-path test bed, whose second subflow comes from the endpoint on link 2 flagged
 * {@code subflow backup}. The child must read local backup on the join and not on the initial
 * subflow, both fully established; the server (root) reads remote backup on the join; and
 * {@code ss -ti} in the client namespace (the observer) shows {@code b} on the join.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class UnprivilegedSubflowFlagsIT {
    private static final Duration WAIT = Duration.ofSeconds(40);

    @Test
    void nobodyReadsTheBackupAndFullyEstablishedFlags() throws Exception {
        Prerequisites.requireTwoPathTestBed();
        Prerequisites.require(Files.isExecutable(Path.of("/usr/bin/setpriv")),
                "setpriv is missing: apt-get install util-linux");
        MptcpSelectorProvider provider = new MptcpSelectorProvider();
        try (StagedClassPath staged = StagedClassPath.stage();
             TwoPathTestBed bed = TwoPathTestBed.start(TwoPathTestBed.PathManager.SUBFLOW)) {
            TwoPathTestBed.Link two = bed.link(2);
            String extra = two.clientAddress().getHostAddress();
            // The bed's endpoint on link 2, flagged backup as well.
            bed.client().ip("mptcp", "endpoint", "flush");
            bed.client().ip("mptcp", "endpoint", "add", extra, "dev", two.device(), "subflow",
                    "backup");
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
                    UnprivilegedSubflowFlagsChild.class.getName(),
                    bed.link(1).serverAddress().getHostAddress(), Integer.toString(port))) {
                String uid = child.awaitLine(l -> l.startsWith("UID "), WAIT, "its uid");
                assertTrue(uid.contains("65534"), uid);
                SocketChannel server = listener.accept();
                ByteBuffer ping = ByteBuffer.allocate(5);
                while (ping.hasRemaining()) {
                    server.read(ping);
                }
                server.write(ping.flip());
                List<String> lines = new ArrayList<>();
                String line;
                while (!(line = child.awaitLine(l -> l.startsWith("SUBFLOW ")
                        || l.equals("LISTED") || l.startsWith("TIMEOUT"), WAIT,
                        "the subflows with their flags")).equals("LISTED")) {
                    assertTrue(!line.startsWith("TIMEOUT"), line + "\n" + bed.describeMptcp());
                    lines.add(line);
                }
                assertEquals(2, lines.size(), lines.toString());
                String join = lines.stream().filter(l -> l.contains("/" + extra + ":"))
                        .findFirst().orElseThrow(() -> new AssertionError("no join: " + lines));
                String initial = lines.stream().filter(l -> !l.equals(join)).findFirst()
                        .orElseThrow();
                // SUBFLOW local remote localBackup remoteBackup fullyEstablished
                assertTrue(join.endsWith(" true false true"), join);
                assertTrue(initial.endsWith(" false false true"), initial);

                List<Subflow> seen = bed.server().call(() -> Subflows.await(server,
                        l -> l.size() == 2 && l.stream().allMatch(
                                s -> s.remoteBackup().isPresent()), WAIT,
                        "the join with its flags on the server", bed::describeMptcp));
                Subflow peer = seen.stream()
                        .filter(s -> s.remote().getAddress().equals(two.clientAddress()))
                        .findFirst().orElseThrow(() -> new AssertionError(seen.toString()));
                assertEquals(Optional.of(true), peer.remoteBackup(), peer.toString());
                assertEquals(Optional.of(false), peer.localBackup(), peer.toString());

                String ss = bed.client().exec("ss", "-tniH", "src", extra);
                int at = ss.indexOf("tcp-ulp-mptcp flags:");
                assertTrue(at >= 0, ss);
                String flags = ss.substring(at + "tcp-ulp-mptcp flags:".length()).split("\\s")[0];
                assertTrue(flags.contains("b") && flags.contains("e"), "ss: " + flags);
                System.out.println("[UnprivilegedSubflowFlagsIT] nobody: " + lines
                        + "; server (root): " + peer + "; ss on the join: " + flags);
                child.send("close");
                child.awaitLine("DONE"::equals, WAIT, "the end");
                server.close();
                listener.close();
            }
        }
    }
}
