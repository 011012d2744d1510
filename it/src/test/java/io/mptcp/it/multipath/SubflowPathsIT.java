package io.mptcp.it.multipath;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mptcp.it.support.Bulk;
import io.mptcp.it.support.NetNamespace.InterfaceCounters;
import io.mptcp.it.support.Prerequisites;
import io.mptcp.it.support.Subflows;
import io.mptcp.it.support.TwoPathTestBed;
import io.mptcp.it.support.TwoPathTestBed.Link;
import io.mptcp.it.support.TwoPathTestBed.PathManager;
import io.mptcp.nio.MptcpInfo;
import io.mptcp.nio.MptcpSelectorProvider;
import io.mptcp.nio.MptcpSocketOptions;
import io.mptcp.nio.Subflow;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.net.InetSocketAddress;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * {@code MPTCP_SUBFLOWS} on both ends of a connection over two real paths lists both, with
 * their true addresses, and the data really flows over both links.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class SubflowPathsIT {

    private static final long BYTES = 24L << 20;
    // Equal rate limits make the scheduler use both links about evenly.
    private static final int RATE_MBIT = 100;
    // A link carrying less than this share of the payload is not really in use.
    private static final double MIN_SHARE = 0.2;
    private static final Duration JOIN_DEADLINE = Duration.ofSeconds(20);

    private final MptcpSelectorProvider provider = new MptcpSelectorProvider();

    @ParameterizedTest
    // The in-kernel modes: in the userspace ones no second subflow comes by itself
    // (SubflowControlIT opens and announces them).
    @EnumSource(value = PathManager.class, names = {"SIGNAL", "SUBFLOW"})
    void bothEndsListBothPathsAndBothLinksCarryData(PathManager pm) throws Exception {
        Prerequisites.requireTwoPathTestBed();
        ExecutorService pool = Executors.newCachedThreadPool();
        try (TwoPathTestBed bed = TwoPathTestBed.start(pm)) {
            bed.links().forEach(l -> bed.limitRate(l, RATE_MBIT));
            Link one = bed.link(1);
            Link two = bed.link(2);
            InterfaceCounters before1 = bed.counters(one);
            InterfaceCounters before2 = bed.counters(two);
            try (Connected c = Connected.open(bed, provider)) {
                assertTrue(c.client.getOption(MptcpSocketOptions.MPTCP_ENABLED));
                assertTrue(c.server.getOption(MptcpSocketOptions.MPTCP_ENABLED));

                Future<Bulk.Sent> sent = pool.submit(() -> Bulk.send(c.client, BYTES, 1));
                List<Subflow> clientSubflows = Subflows.await(c.client, l -> l.size() == 2,
                        JOIN_DEADLINE, "second subflow on the client", bed::describeMptcp);
                List<Subflow> serverSubflows = Subflows.await(c.server, l -> l.size() == 2,
                        JOIN_DEADLINE, "second subflow on the server", bed::describeMptcp);
                Bulk.Received received = Bulk.receive(c.server, BYTES);
                assertEquals(sent.get().sha256(), received.sha256());
                assertEquals(BYTES, received.bytes());

                // Read again after the transfer, the connection still open: the same two paths.
                clientSubflows = Subflows.of(c.client);
                serverSubflows = Subflows.of(c.server);
                String both = "client " + Subflows.describe(clientSubflows) + "\nserver "
                        + Subflows.describe(serverSubflows) + "\n" + bed.describeMptcp();
                assertEquals(2, clientSubflows.size(), both);
                assertEquals(2, serverSubflows.size(), both);

                InetSocketAddress serverPort1 = new InetSocketAddress(one.serverAddress(), c.port);
                InetSocketAddress serverPort2 =
                        new InetSocketAddress(bed.secondSubflowServerAddress(), c.port);
                // The initial subflow first: the connection's own addresses, over link 1.
                Subflow initial = clientSubflows.get(0);
                assertEquals(c.client.getLocalAddress(), initial.local(), both);
                assertEquals(one.clientAddress(), initial.local().getAddress(), both);
                assertEquals(serverPort1, initial.remote(), both);
                Subflow joined = clientSubflows.get(1);
                assertEquals(two.clientAddress(), joined.local().getAddress(), both);
                assertEquals(serverPort2, joined.remote(), both);
                // The server sees the same two subflows from its side.
                for (Subflow s : clientSubflows) {
                    assertTrue(serverSubflows.stream().anyMatch(t -> t.local().equals(s.remote())
                            && t.remote().equals(s.local())), "mirror of " + s + ": " + both);
                }
                assertEquals(c.server.getRemoteAddress(), serverSubflows.get(0).remote(), both);
                for (List<Subflow> side : List.of(clientSubflows, serverSubflows)) {
                    for (Subflow s : side) {
                        assertTrue(s.tcp().isEstablished(), both);
                    }
                }
                checkPathManager(pm, c.client, c.server);

                InterfaceCounters on1 = bed.counters(one).since(before1);
                InterfaceCounters on2 = bed.counters(two).since(before2);
                System.out.printf("[SubflowPathsIT %s] %d bytes client->server: link 1 sent %d"
                        + " bytes (%.0f%%), link 2 sent %d bytes (%.0f%%); subflow bytes sent:"
                        + " %d and %d%n", pm, BYTES, on1.txBytes(), 100.0 * on1.txBytes() / BYTES,
                        on2.txBytes(), 100.0 * on2.txBytes() / BYTES,
                        clientSubflows.get(0).tcp().bytesSent(),
                        clientSubflows.get(1).tcp().bytesSent());
                assertTrue(on1.txBytes() >= MIN_SHARE * BYTES, "link 1 carried " + on1 + "\n"
                        + both);
                assertTrue(on2.txBytes() >= MIN_SHARE * BYTES, "link 2 carried " + on2 + "\n"
                        + both);
                assertTrue(on1.txBytes() + on2.txBytes() >= BYTES, on1 + " " + on2);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /** What each end's {@code mptcp_info} says about the path manager's work and limits. */
    private static void checkPathManager(PathManager pm, SocketChannel client, SocketChannel server)
            throws Exception {
        MptcpInfo ci = client.getOption(MptcpSocketOptions.MPTCP_INFO).orElseThrow();
        MptcpInfo si = server.getOption(MptcpSocketOptions.MPTCP_INFO).orElseThrow();
        for (MptcpInfo i : List.of(ci, si)) {
            assertEquals(TwoPathTestBed.LIMIT_SUBFLOWS, i.extraSubflowsMax(), i.toString());
            assertEquals(TwoPathTestBed.LIMIT_ADD_ADDR_ACCEPTED, i.addAddrAcceptedMax(),
                    i.toString());
            assertEquals(1, i.extraSubflows(), i.toString());
        }
        if (pm == PathManager.SIGNAL) {
            assertEquals(1, si.addAddrSignal(), "the server announced its link-2 address: " + si);
            assertEquals(1, ci.addAddrAccepted(), "the client accepted it: " + ci);
        } else {
            assertEquals(0, si.addAddrSignal(), si.toString());
            assertEquals(0, ci.addAddrAccepted(), ci.toString());
        }
    }
}
