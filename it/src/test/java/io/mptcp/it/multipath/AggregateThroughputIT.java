package io.mptcp.it.multipath;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mptcp.it.support.Bulk;
import io.mptcp.it.support.NetNamespace.InterfaceCounters;
import io.mptcp.it.support.Prerequisites;
import io.mptcp.it.support.Subflows;
import io.mptcp.it.support.TwoPathTestBed;
import io.mptcp.it.support.TwoPathTestBed.Link;
import io.mptcp.nio.MptcpSelectorProvider;
import io.mptcp.nio.MptcpSocketOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.channels.Channels;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Two links limited to the same rate: one MPTCP connection of mptcp-nio moves data at nearly
 * twice the rate a plain TCP connection gets from one link, measured in the same test.
 *
 * <p>The rate is low enough that the machine (2 shared cores) is never the bottleneck: the
 * {@code tbf} qdiscs are, and they are exact. The baseline is the JDK's own
 * {@code java.net.Socket} (never affected by a {@code SelectorProvider}: plain TCP) over link
 * 1; the MPTCP transfer moves twice the bytes, so both take about the same time. Each rate is
 * the payload over the time from the sender's first write to the receiver's last byte, which
 * includes slow start and, for MPTCP, the wait for the second subflow: nothing flatters MPTCP.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class AggregateThroughputIT {

    private static final int RATE_MBIT = 50;
    private static final double SECONDS = 6;
    private static final long SINGLE_BYTES = (long) (RATE_MBIT * 1e6 / 8 * SECONDS);
    private static final double REQUIRED_RATIO = 1.8;

    private final MptcpSelectorProvider provider = new MptcpSelectorProvider();

    @Test
    void twoEqualLinksGiveAtLeast1point8TimesTheSingleLinkRate() throws Exception {
        Prerequisites.requireTwoPathTestBed();
        ExecutorService pool = Executors.newCachedThreadPool();
        try (TwoPathTestBed bed = TwoPathTestBed.start()) {
            bed.links().forEach(l -> bed.limitRate(l, RATE_MBIT));
            double single = plainTcpOverLinkOne(bed, pool);
            double multi = mptcpOverBothLinks(bed, pool);
            double ratio = multi / single;
            System.out.printf("[AggregateThroughputIT] tbf %d Mbit/s per link: plain TCP over"
                    + " one link %.1f Mbit/s, MPTCP over both %.1f Mbit/s, ratio %.2f%n",
                    RATE_MBIT, single / 1e6, multi / 1e6, ratio);
            assertTrue(ratio >= REQUIRED_RATIO, String.format("MPTCP %.1f Mbit/s is only %.2f"
                    + " times the single-link %.1f Mbit/s", multi / 1e6, ratio, single / 1e6));
        } finally {
            pool.shutdownNow();
        }
    }

    /** Bits per second of a plain TCP transfer from the client to the server, over link 1. */
    private static double plainTcpOverLinkOne(TwoPathTestBed bed, ExecutorService pool)
            throws Exception {
        Link one = bed.link(1);
        Link two = bed.link(2);
        InterfaceCounters before2 = bed.counters(two);
        // A java.net socket gets its descriptor at bind/connect: both happen on the
        // namespace's thread.
        try (ServerSocket listener = bed.server().call(() -> {
            ServerSocket s = new ServerSocket();
            s.bind(new InetSocketAddress(one.serverAddress(), 0));
            return s;
        });
                Socket client = bed.client().call(() -> {
                    Socket s = new Socket();
                    s.connect(new InetSocketAddress(one.serverAddress(), listener.getLocalPort()));
                    return s;
                });
                Socket server = listener.accept()) {
            Future<Bulk.Sent> sent = pool.submit(() ->
                    Bulk.send(Channels.newChannel(client.getOutputStream()), SINGLE_BYTES, 2));
            Bulk.Received received =
                    Bulk.receive(Channels.newChannel(server.getInputStream()), SINGLE_BYTES);
            Bulk.Sent s = sent.get();
            assertEquals(s.sha256(), received.sha256());
            InterfaceCounters on2 = bed.counters(two).since(before2);
            assertTrue(on2.txBytes() < SINGLE_BYTES / 100,
                    "the baseline must use link 1 only; link 2 sent " + on2);
            return received.bitsPerSecondSince(s.startNanos());
        }
    }

    /** Bits per second of an MPTCP transfer of twice the bytes, over both links. */
    private double mptcpOverBothLinks(TwoPathTestBed bed, ExecutorService pool) throws Exception {
        long bytes = 2 * SINGLE_BYTES;
        InterfaceCounters before1 = bed.counters(bed.link(1));
        InterfaceCounters before2 = bed.counters(bed.link(2));
        try (Connected c = Connected.open(bed, provider)) {
            assertTrue(c.client.getOption(MptcpSocketOptions.MPTCP_ENABLED));
            Future<Bulk.Sent> sent = pool.submit(() -> Bulk.send(c.client, bytes, 3));
            Future<Bulk.Received> received = pool.submit(() -> Bulk.receive(c.server, bytes));
            Subflows.await(c.client, l -> l.size() == 2, Duration.ofSeconds(20),
                    "second subflow", bed::describeMptcp);
            Bulk.Sent s = sent.get();
            Bulk.Received r = received.get();
            assertEquals(s.sha256(), r.sha256());
            assertEquals(2, Subflows.of(c.client).size(), Subflows.describe(Subflows.of(c.client)));
            System.out.printf("[AggregateThroughputIT] MPTCP %d bytes: link 1 sent %d bytes,"
                    + " link 2 sent %d bytes; steady rate after the first quarter %.1f Mbit/s%n",
                    bytes, bed.counters(bed.link(1)).since(before1).txBytes(),
                    bed.counters(bed.link(2)).since(before2).txBytes(),
                    r.steadyBitsPerSecond(0.25) / 1e6);
            return r.bitsPerSecondSince(s.startNanos());
        }
    }
}
