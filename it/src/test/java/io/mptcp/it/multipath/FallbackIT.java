package io.mptcp.it.multipath;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mptcp.it.support.Bulk;
import io.mptcp.it.support.KernelView;
import io.mptcp.it.support.NetNamespace;
import io.mptcp.it.support.Prerequisites;
import io.mptcp.it.support.TwoPathTestBed;
import io.mptcp.nio.MptcpSelectorProvider;
import io.mptcp.nio.MptcpSocketOptions;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.InetSocketAddress;
import java.nio.channels.SocketChannel;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * One namespace with {@code net.mptcp.enabled=0}: mptcp-nio opens a TCP socket there, the
 * connection is plain TCP, and both ends say so. Server side disabled: our MPTCP client falls
 * back to TCP against our TCP server. Client side disabled: our TCP client is accepted by our
 * MPTCP listener as a plain TCP connection.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class FallbackIT {

    private static final long BYTES = 8L << 20;

    private final MptcpSelectorProvider provider = new MptcpSelectorProvider();

    @ParameterizedTest(name = "MPTCP disabled in the {0} namespace")
    @ValueSource(strings = {"server", "client"})
    void bothEndsReadNotMptcpAndTheDataArrivesWhole(String disabledIn) throws Exception {
        Prerequisites.requireTwoPathTestBed();
        ExecutorService pool = Executors.newCachedThreadPool();
        try (TwoPathTestBed bed = TwoPathTestBed.start()) {
            NetNamespace off = disabledIn.equals("server") ? bed.server() : bed.client();
            NetNamespace on = off == bed.server() ? bed.client() : bed.server();
            off.setSysctl("net.mptcp.enabled=0");
            try (Connected c = Connected.open(bed, provider)) {
                for (SocketChannel ch : List.of(c.client, c.server)) {
                    assertFalse(ch.getOption(MptcpSocketOptions.MPTCP_ENABLED), ch.toString());
                    assertEquals(List.of(), ch.getOption(MptcpSocketOptions.MPTCP_SUBFLOWS));
                    assertTrue(ch.getOption(MptcpSocketOptions.MPTCP_TOKEN).isEmpty());
                    assertTrue(ch.getOption(MptcpSocketOptions.MPTCP_INFO).isEmpty());
                }

                Future<Bulk.Sent> up = pool.submit(() -> Bulk.send(c.client, BYTES, 21));
                Future<Bulk.Sent> down = pool.submit(() -> Bulk.send(c.server, BYTES, 22));
                Future<Bulk.Received> atClient = pool.submit(() -> Bulk.receive(c.client, BYTES));
                Bulk.Received atServer = Bulk.receive(c.server, BYTES);
                assertEquals(up.get().sha256(), atServer.sha256());
                assertEquals(down.get().sha256(), atClient.get().sha256());

                // The kernel's view: where MPTCP is off there is no MPTCP socket, only TCP.
                int clientPort = ((InetSocketAddress) c.client.getLocalAddress()).getPort();
                KernelView offView = KernelView.of(off, clientPort, c.port);
                assertTrue(offView.mptcp().isEmpty(), offView.toString());
                assertEquals(1, offView.tcp().size(), offView.toString());
                assertFalse(offView.tcp().get(0).mptcpSubflow(), offView.toString());
                KernelView onView = KernelView.of(on, clientPort, c.port);
                if (off == bed.server()) {
                    // Our client asked for MPTCP: an MPTCP socket, marked as fallen back.
                    assertEquals(1, onView.mptcp().size(), onView.toString());
                    assertTrue(onView.mptcp().get(0).fallback(), onView.toString());
                } else {
                    // Our MPTCP listener handed out a plain TCP connection.
                    assertTrue(onView.mptcp().isEmpty(), onView.toString());
                }
                System.out.printf("[FallbackIT] MPTCP off in the %s namespace: %d bytes each"
                        + " way over TCP; MPTCP sockets of the connection, %s side: %s%n",
                        disabledIn, BYTES, off == bed.server() ? "client" : "server",
                        onView.mptcp());
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
