package io.mptcp.it.multipath;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mptcp.it.support.ChildJvm;
import io.mptcp.it.support.Prerequisites;
import io.mptcp.it.support.StagedClassPath;
import io.mptcp.it.support.Subflows;
import io.mptcp.it.support.TwoPathTestBed;
import io.mptcp.it.support.TwoPathTestBed.PathManager;
import io.mptcp.nio.MptcpSelectorProvider;
import io.mptcp.nio.MptcpSocketChannel;
import io.mptcp.nio.Subflow;
import io.mptcp.nio.pm.PathManagerException;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * The two preconditions of subflow control that only a real system can show (issue 11, items 2
 * and 5): a JVM without {@code CAP_NET_ADMIN} in a userspace-PM namespace, and a privileged
 * one on a connection of an in-kernel-PM namespace. Each call is refused before anything
 * reaches the peer, with an exception that names what is missing and what to do; the peer's
 * subflow list shows that nothing was opened.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class SubflowControlPreconditionsIT {
    private static final Duration WAIT = Duration.ofSeconds(30);
    /** errno EINVAL on Linux (asm-generic/errno-base.h). */
    private static final int EINVAL = 22;

    private final MptcpSelectorProvider provider = new MptcpSelectorProvider();

    @BeforeAll
    static void classPath() {
        ChildJvm.requireOnClassPath(SubflowControlChild.class, MptcpSelectorProvider.class);
    }

    @BeforeEach
    void prerequisites() {
        Prerequisites.requireTwoPathTestBed();
        SubflowControlIT.requireUserspacePathManager();
    }

    @Test
    void withoutCapNetAdminEveryCallSaysWhichCapabilityAndTheUserNamespaceRule()
            throws Exception {
        Prerequisites.require(Files.isExecutable(Path.of("/usr/bin/setpriv")),
                "setpriv is missing: apt-get install util-linux");
        try (StagedClassPath staged = StagedClassPath.stage();
                TwoPathTestBed bed = TwoPathTestBed.start(PathManager.CLIENT_USERSPACE);
                ServerSocketChannel listener = bed.server().call(() -> provider
                        .openServerSocketChannel(StandardProtocolFamily.INET)
                        .bind(bed.serverBindAddress(0)))) {
            int port = ((InetSocketAddress) listener.getLocalAddress()).getPort();
            List<String> prefix = List.of("ip", "netns", "exec", bed.client().name(),
                    "/usr/bin/setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups",
                    "--inh-caps=-all");
            Path java = Path.of(System.getProperty("java.home"), "bin", "java");
            try (ChildJvm child = ChildJvm.startWithClassPath(java, prefix,
                    List.of("-Djava.io.tmpdir=/tmp"), staged.classPath(),
                    SubflowControlChild.class.getName(),
                    bed.link(1).serverAddress().getHostAddress(), Integer.toString(port),
                    bed.link(2).clientAddress().getHostAddress(),
                    bed.link(2).serverAddress().getHostAddress());
                    SocketChannel server = listener.accept()) {
                String uid = child.awaitLine(l -> l.startsWith("UID "), WAIT, "its uid");
                assertTrue(uid.contains("65534"), uid);
                String caps = child.awaitLine(l -> l.startsWith("CAPS "), WAIT, "its caps");
                assertTrue(caps.endsWith("0000000000000000"), caps);
                assertEquals("MPTCP true", child.awaitLine(l -> l.startsWith("MPTCP "), WAIT,
                        "that it is MPTCP"));
                for (String call : List.of("OPEN", "BACKUP", "ANNOUNCE")) {
                    String line = child.awaitLine(l -> l.startsWith(call + "_"), WAIT,
                            "what " + call + " got");
                    assertTrue(line.startsWith(call + "_REFUSAL "
                            + "io.mptcp.nio.pm.PathManagerException: ") && line.contains("EPERM"),
                            line);
                    assertTrue(line.contains("CAP_NET_ADMIN")
                            && line.toLowerCase(Locale.ROOT).contains("user namespace"), line);
                    System.out.println("[SubflowControlPreconditionsIT] nobody: " + line);
                }
                assertEquals(0, child.awaitExit(WAIT), child::describe);
                List<Subflow> atServer = Subflows.of(server);
                assertEquals(1, atServer.size(), "nothing joined: "
                        + Subflows.describe(atServer));
            }
        }
    }

    @Test
    void onAnInKernelPathManagerConnectionEveryCallNamesTheSysctlAndWhenItCounts()
            throws Exception {
        try (TwoPathTestBed bed = TwoPathTestBed.start(PathManager.SIGNAL);
                Connected c = Connected.open(bed, provider)) {
            MptcpSocketChannel client = SubflowControlIT.mptcp(c.client);
            MptcpSocketChannel server = SubflowControlIT.mptcp(c.server);
            // SIGNAL mode: the in-kernel PM joins link 2 by itself; a third subflow would be
            // the refused call's.
            List<Subflow> before = Subflows.await(c.client, l -> l.size() == 2, WAIT,
                    "the in-kernel PM's own join", bed::describeMptcp);

            IOException open = assertThrows(IOException.class, () -> bed.client().call(() ->
                    client.openSubflow(SubflowControlIT.onLink2(bed, c.port, false), WAIT)));
            IOException backup = assertThrows(IOException.class,
                    () -> bed.client().call(() -> {
                        client.setSubflowBackup(before.get(0), true);
                        return null;
                    }));
            IOException announce = assertThrows(IOException.class, () -> bed.server().call(() ->
                    server.announce(new InetSocketAddress(bed.link(2).serverAddress(), 0))));

            for (IOException e : List.of(open, backup, announce)) {
                PathManagerException p = assertInstanceOf(PathManagerException.class, e);
                assertEquals(EINVAL, p.errno(), e::toString);
                assertEquals(java.util.Optional.of("userspace PM not selected"),
                        p.kernelMessage(), e::toString);
                String m = String.valueOf(e.getMessage());
                assertTrue(m.contains("net.mptcp.path_manager") && m.contains("userspace"),
                        e::toString);
                assertTrue(m.toLowerCase(Locale.ROOT).contains("creat"),
                        "says the type is fixed when the socket is created: " + e);
                System.out.println("[SubflowControlPreconditionsIT] in-kernel PM: " + e);
            }
            assertEquals(2, Subflows.of(c.client).size(), Subflows.describe(Subflows.of(c.client)));
        }
    }
}
