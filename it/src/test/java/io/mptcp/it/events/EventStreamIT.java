package io.mptcp.it.events;

import io.mptcp.it.support.Bulk;
import io.mptcp.it.support.NetNamespace;
import io.mptcp.it.support.Prerequisites;
import io.mptcp.it.support.TwoPathTestBed;
import io.mptcp.nio.MptcpSelectorProvider;
import io.mptcp.nio.MptcpSocketOptions;
import io.mptcp.nio.MptcpToken;
import io.mptcp.nio.pm.Endpoint;
import io.mptcp.nio.pm.EndpointFlag;
import io.mptcp.nio.pm.EventSource;
import io.mptcp.nio.pm.MptcpEvent;
import io.mptcp.nio.pm.MptcpEventChannel;
import io.mptcp.nio.pm.PathManager;

import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The whole life of a two-path connection (created, established, address announced, join,
 * backup priority, link down and the dead subflow closed, address removed, close) as our
 * event channel delivers it equals, event by event and field by field, what
 * {@code ip mptcp monitor} (iproute2, an independent decoder) prints for the same run, at both
 * ends. Every {@code mptcp_pm} event type a
 * two-path life produces is thereby decoded from the real kernel.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class EventStreamIT {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private final MptcpSelectorProvider provider = new MptcpSelectorProvider();

    @Test
    void javaEventsEqualIpMptcpMonitor() throws Exception {
        Prerequisites.requireTwoPathTestBed();
        ExecutorService pool = Executors.newCachedThreadPool();
        try (TwoPathTestBed bed = TwoPathTestBed.start(TwoPathTestBed.PathManager.SIGNAL);
                IpMonitor clientMonitor = IpMonitor.start(bed.client());
                IpMonitor serverMonitor = IpMonitor.start(bed.server())) {
            // The dead subflow is aborted after 3 s instead of 15 min (see LinkFailureIT).
            bed.client().setSysctl("net.ipv4.tcp_retries2=3");
            bed.server().setSysctl("net.ipv4.tcp_retries2=3");
            synchronise(bed.client(), clientMonitor);
            synchronise(bed.server(), serverMonitor);
            // Our subscriptions are in place when open returns: from here both see the same.
            try (EventLog clientEvents = new EventLog(bed.client().call(
                    () -> MptcpEventChannel.open(provider)));
                    EventLog serverEvents = new EventLog(bed.server().call(
                            () -> MptcpEventChannel.open(provider)))) {
                assertEquals(EventSource.NETLINK, clientEvents.channel.source());
                ServerSocketChannel listener = bed.server().call(() -> provider
                        .openServerSocketChannel(StandardProtocolFamily.INET)
                        .bind(bed.serverBindAddress(0)));
                int port = ((InetSocketAddress) listener.getLocalAddress()).getPort();
                SocketChannel client = bed.client().call(() -> provider.openSocketChannel(
                        StandardProtocolFamily.INET));
                client.connect(bed.serverAddress(port));
                SocketChannel server = listener.accept();
                MptcpToken token = client.getOption(MptcpSocketOptions.MPTCP_TOKEN)
                        .orElseThrow();

                clientEvents.await(e -> e instanceof MptcpEvent.SubflowEstablished s
                        && s.token().equals(token), WAIT, "the join on the client");
                clientEvents.await(e -> e instanceof MptcpEvent.AddressAnnounced a
                        && a.token().equals(token), WAIT, "ADD_ADDR on the client");

                // The server marks its link-2 endpoint backup (our PathManager): it sends MP_PRIO,
                // which the client reports as SUB_PRIORITY.
                try (PathManager pm = bed.server().call(() -> PathManager.open(provider))) {
                    Endpoint e = pm.endpoints().get(0);
                    pm.setFlags(e.id(), EnumSet.of(EndpointFlag.SIGNAL, EndpointFlag.BACKUP));
                    clientEvents.await(x -> x instanceof MptcpEvent.SubflowPriority p
                            && p.backup(), WAIT, "SUB_PRIORITY on the client");
                    // And back: a backup subflow carries no data, so it would not time out below.
                    pm.setFlags(e.id(), EnumSet.of(EndpointFlag.SIGNAL));
                    clientEvents.await(x -> x instanceof MptcpEvent.SubflowPriority p
                            && !p.backup(), WAIT, "SUB_PRIORITY back on the client");
                }

                // Link 2 (the joined subflow's) goes down; data in flight on it makes both
                // ends time the subflow out.
                bed.setLinkUp(bed.link(2), false);
                Future<Bulk.Sent> up = pool.submit(() -> Bulk.send(client, 1 << 20, 1));
                Future<Bulk.Sent> down = pool.submit(() -> Bulk.send(server, 1 << 20, 2));
                Future<Bulk.Received> upRead = pool.submit(() -> Bulk.receive(server, 1 << 20));
                Bulk.Received downRead = Bulk.receive(client, 1 << 20);
                assertEquals(up.get().sha256(), upRead.get().sha256());
                assertEquals(down.get().sha256(), downRead.sha256());
                MptcpEvent closed = clientEvents.await(e -> e instanceof MptcpEvent.SubflowClosed
                        s && s.token().equals(token), WAIT, "the dead subflow closed");
                clientEvents.await(e -> e instanceof MptcpEvent.LinkDown, WAIT, "link down");
                // The server withdraws the address (RM_ADDR over link 1): REMOVED on the client.
                try (PathManager pm = bed.server().call(() -> PathManager.open(provider))) {
                    pm.removeEndpoint(pm.endpoints().get(0).id());
                }
                clientEvents.await(e -> e instanceof MptcpEvent.AddressRemoved r
                        && r.token().equals(token), WAIT, "REMOVED on the client");

                client.close();
                server.close();
                listener.close();
                clientEvents.await(e -> e.equals(new MptcpEvent.ConnectionClosed(
                        EventSource.NETLINK, token)), WAIT, "CLOSED on the client");
                serverEvents.await(e -> e instanceof MptcpEvent.ListenerClosed, WAIT,
                        "LISTENER_CLOSED on the server");
                serverEvents.await(e -> e instanceof MptcpEvent.ConnectionClosed, WAIT,
                        "CLOSED on the server");
                // Late events (an ESTABLISHED after CLOSED, a subflow's close) have time to come.
                Thread.sleep(500);
                clientEvents.poll();
                serverEvents.poll();
                System.out.println("[EventStreamIT] client events: " + clientEvents.events
                        + "\n[EventStreamIT] server events: " + serverEvents.events
                        + "\n[EventStreamIT] the closed subflow: " + closed);
                compare("client", clientEvents, clientMonitor);
                compare("server", serverEvents, serverMonitor);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * Waits until {@code monitor} is subscribed: a probe listener opened and closed in the
     * namespace until the monitor prints its two events.
     */
    private void synchronise(NetNamespace ns, IpMonitor monitor) throws Exception {
        for (int attempt = 0; attempt < 50; attempt++) {
            ns.call(() -> {
                provider.openServerSocketChannel(StandardProtocolFamily.INET)
                        .bind(new InetSocketAddress(0)).close();
                return null;
            });
            try {
                if (monitor.next(Duration.ofMillis(300)).name().equals("UNKNOWN 15")
                        && monitor.next(Duration.ofSeconds(5)).name().equals("UNKNOWN 16")) {
                    return;
                }
            } catch (AssertionError notYet) {
                // not subscribed yet: probe again
            }
        }
        throw new AssertionError("ip mptcp monitor printed no probe\n" + monitor.describe());
    }

    private static void compare(String side, EventLog log, IpMonitor monitor)
            throws InterruptedException {
        List<MptcpEvent> ours = log.mptcpEvents();
        List<IpMonitor.Line> theirs = new ArrayList<>();
        for (int i = 0; i < ours.size(); i++) {
            theirs.add(monitor.next(Duration.ofSeconds(5)));
        }
        for (int i = 0; i < ours.size(); i++) {
            assertEquals(theirs.get(i), IpMonitor.expected(ours.get(i)), side + " event " + i
                    + " " + ours.get(i) + "\nours:   " + ours + "\ntheirs: " + theirs);
        }
        try {
            IpMonitor.Line extra = monitor.next(Duration.ofMillis(500));
            throw new AssertionError(side + ": ip mptcp monitor printed more: " + extra
                    + "\nours: " + ours);
        } catch (AssertionError expected) {
            assertTrue(expected.getMessage().contains("did not print"), expected.getMessage());
        }
    }
}
