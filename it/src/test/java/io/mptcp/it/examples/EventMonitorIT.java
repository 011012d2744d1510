package io.mptcp.it.examples;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mptcp.examples.EventMonitor;
import io.mptcp.it.support.ChildJvm;
import io.mptcp.it.support.Prerequisites;
import io.mptcp.it.support.TwoPathTestBed;
import io.mptcp.nio.MptcpSelectorProvider;
import io.mptcp.nio.MptcpSocketOptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The event monitor example, run in the client namespace of the two-path test bed, prints a
 * connection's creation, the server's announcement and the join, as ip mptcp monitor does.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class EventMonitorIT {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @BeforeAll
    static void classPath() {
        ChildJvm.requireOnClassPath(EventMonitor.class, MptcpSelectorProvider.class);
    }

    @Test
    void printsAConnectionsLifeLikeIpMptcpMonitor() throws Exception {
        Prerequisites.requireTwoPathTestBed();
        MptcpSelectorProvider provider = new MptcpSelectorProvider();
        try (TwoPathTestBed bed = TwoPathTestBed.start(TwoPathTestBed.PathManager.SIGNAL);
                ChildJvm child = ChildJvm.start(Path.of(System.getProperty("java.home"), "bin",
                        "java"), List.of("ip", "netns", "exec", bed.client().name()),
                        List.of("-D" + ChildJvm.PROVIDER_PROPERTY + "=" + ChildJvm.PROVIDER_CLASS),
                        EventMonitor.class.getName())) {
            child.awaitLine("monitoring (source NETLINK)"::equals, WAIT, "its start");
            ServerSocketChannel listener = bed.server().call(() -> provider
                    .openServerSocketChannel(StandardProtocolFamily.INET)
                    .bind(bed.serverBindAddress(0)));
            int port = ((InetSocketAddress) listener.getLocalAddress()).getPort();
            SocketChannel client = bed.client().call(() -> provider.openSocketChannel(
                    StandardProtocolFamily.INET));
            client.connect(bed.serverAddress(port));
            SocketChannel server = listener.accept();
            String token = String.format("%08x", client.getOption(
                    MptcpSocketOptions.MPTCP_TOKEN).orElseThrow().value());
            String created = child.awaitLine(l -> l.startsWith("[       CREATED]"), WAIT,
                    "CREATED");
            assertTrue(created.equals("[       CREATED] token=" + token + " remid=0 locid=0"
                    + " saddr4=10.250.1.1 daddr4=10.250.1.2 sport="
                    + ((InetSocketAddress) client.getLocalAddress()).getPort() + " dport="
                    + port), created);
            child.awaitLine(l -> l.startsWith("[     ANNOUNCED] token=" + token + " remid=1"
                    + " daddr4=10.250.2.2"), WAIT, "ANNOUNCED");
            child.awaitLine(l -> l.startsWith("[SF_ESTABLISHED] token=" + token)
                    && l.contains(" saddr4=10.250.2.1 daddr4=10.250.2.2 "), WAIT,
                    "SF_ESTABLISHED");
            // Both ends close: a client closed alone stays with the orphan watch until the
            // peer closes too (TCP's close rules for MPTCP, README), and the kernel reports
            // CLOSED when the socket is really released.
            client.close();
            server.close();
            child.awaitLine(("[        CLOSED] token=" + token)::equals, WAIT, "CLOSED");
            listener.close();
        }
    }
}
