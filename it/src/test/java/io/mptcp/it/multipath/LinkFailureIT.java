package io.mptcp.it.multipath;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mptcp.it.support.Bulk;
import io.mptcp.it.support.NetNamespace;
import io.mptcp.it.support.Prerequisites;
import io.mptcp.it.support.Subflows;
import io.mptcp.it.support.TwoPathTestBed;
import io.mptcp.it.support.TwoPathTestBed.Link;
import io.mptcp.nio.MptcpSelectorProvider;
import io.mptcp.nio.MptcpSocketOptions;
import io.mptcp.nio.Subflow;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One link fails in the middle of a transfer in both directions: not a byte is lost, the
 * transfer finishes over the other link, and both ends' subflow lists drop the dead path.
 *
 * <p>What the test does, and why. The failure is {@code ip link set DEV down} at both ends of
 * the link: the routes through it go, and every packet a subflow sends there is lost. Nothing
 * tells MPTCP: the in-kernel path manager does not watch link state, and the addresses and
 * endpoints stay. The data still moves on at once: MPTCP re-injects what the dead subflow had
 * in flight on the other one and its scheduler stops using a subflow that keeps timing out
 * ({@code net.mptcp.stale_loss_cnt}, 4 by default). But the dead subflow itself is a TCP
 * connection retransmitting into the void, and TCP gives up only after
 * {@code net.ipv4.tcp_retries2} retransmissions, 15 by default: about 15 minutes, during which
 * {@code MPTCP_SUBFLOWS} rightly still lists it as established. So the test sets
 * {@code tcp_retries2=3} in both namespaces (a per-namespace sysctl): with the 200 ms minimum
 * retransmission timeout the kernel then aborts the subflow after 0.2 × (2⁴ − 1) = 3 s, on
 * each end that had data in flight on it, which the transfer in both directions ensures. The
 * connection survives even the loss of its initial subflow (link 1).
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class LinkFailureIT {

    private static final int RATE_MBIT = 50;
    private static final long BYTES = 40L << 20;
    private static final Duration DEADLINE = Duration.ofSeconds(60);

    private final MptcpSelectorProvider provider = new MptcpSelectorProvider();

    @ParameterizedTest(name = "link {0} goes down")
    @ValueSource(ints = {1, 2})
    void noByteIsLostAndTheDeadPathLeavesTheSubflowList(int failing) throws Exception {
        Prerequisites.requireTwoPathTestBed();
        ExecutorService pool = Executors.newCachedThreadPool();
        try (TwoPathTestBed bed = TwoPathTestBed.start()) {
            bed.links().forEach(l -> bed.limitRate(l, RATE_MBIT));
            for (NetNamespace ns : List.of(bed.client(), bed.server())) {
                ns.setSysctl("net.ipv4.tcp_retries2=3");
            }
            Link dead = bed.link(failing);
            Link alive = bed.link(3 - failing);
            InetAddress deadServerSide = failing == 1 ? dead.serverAddress()
                    : bed.secondSubflowServerAddress();
            try (Connected c = Connected.open(bed, provider)) {
                Subflows.await(c.client, l -> l.size() == 2, DEADLINE, "two subflows (client)",
                        bed::describeMptcp);
                Subflows.await(c.server, l -> l.size() == 2, DEADLINE, "two subflows (server)",
                        bed::describeMptcp);

                AtomicLong serverGot = new AtomicLong();
                AtomicLong clientGot = new AtomicLong();
                Future<Bulk.Sent> up = pool.submit(() -> Bulk.send(c.client, BYTES, 11));
                Future<Bulk.Sent> down = pool.submit(() -> Bulk.send(c.server, BYTES, 12));
                Future<Bulk.Received> atServer =
                        pool.submit(() -> Bulk.receive(c.server, BYTES, serverGot));
                Future<Bulk.Received> atClient =
                        pool.submit(() -> Bulk.receive(c.client, BYTES, clientGot));
                awaitBytes(serverGot, BYTES / 4);

                long failedAt = System.nanoTime();
                bed.setLinkUp(dead, false);
                List<Subflow> clientLeft = Subflows.await(c.client,
                        l -> !Subflows.usesLocal(l, dead.clientAddress()), DEADLINE,
                        "drop of the " + dead + " subflow (client)", bed::describeMptcp);
                long clientDropped = System.nanoTime();
                List<Subflow> serverLeft = Subflows.await(c.server,
                        l -> !Subflows.usesLocal(l, deadServerSide), DEADLINE,
                        "drop of the " + dead + " subflow (server)", bed::describeMptcp);
                long serverDropped = System.nanoTime();
                boolean stillRunning = !atServer.isDone() || !atClient.isDone();

                Bulk.Received gotAtServer = atServer.get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
                Bulk.Received gotAtClient = atClient.get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
                assertEquals(BYTES, gotAtServer.bytes());
                assertEquals(BYTES, gotAtClient.bytes());
                assertEquals(up.get().sha256(), gotAtServer.sha256(), "client to server");
                assertEquals(down.get().sha256(), gotAtClient.sha256(), "server to client");

                String lists = "client " + Subflows.describe(clientLeft) + ", server "
                        + Subflows.describe(serverLeft);
                assertEquals(1, clientLeft.size(), lists);
                assertEquals(1, serverLeft.size(), lists);
                assertEquals(alive.clientAddress(), clientLeft.get(0).local().getAddress(), lists);
                assertEquals(clientLeft.get(0).local(), serverLeft.get(0).remote(), lists);
                assertEquals(clientLeft.get(0).remote(), serverLeft.get(0).local(), lists);
                assertTrue(c.client.getOption(MptcpSocketOptions.MPTCP_ENABLED));
                assertTrue(c.server.getOption(MptcpSocketOptions.MPTCP_ENABLED));

                System.out.printf("[LinkFailureIT] link %d down after %d MiB: longest stall"
                                + " %d ms client->server, %d ms server->client; subflow gone"
                                + " after %d ms (client), %d ms (server); transfer %s when"
                                + " both were gone, ended %d ms after the failure%n", failing,
                        BYTES / 4 >> 20, millis(gotAtServer.longestGapAfterNanos(failedAt)),
                        millis(gotAtClient.longestGapAfterNanos(failedAt)),
                        millis(clientDropped - failedAt), millis(serverDropped - failedAt),
                        stillRunning ? "still running" : "already over",
                        millis(Math.max(gotAtServer.endNanos(), gotAtClient.endNanos())
                                - failedAt));
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private static void awaitBytes(AtomicLong counter, long bytes) throws InterruptedException {
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        while (counter.get() < bytes) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("only " + counter.get() + " of " + bytes
                        + " bytes arrived within " + DEADLINE);
            }
            Thread.sleep(5);
        }
    }

    private static long millis(long nanos) {
        return TimeUnit.NANOSECONDS.toMillis(nanos);
    }
}
