package io.mptcp.nio.pm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mptcp.nio.MptcpToken;
import io.mptcp.nio.Subflow;
import io.mptcp.nio.TcpInfo;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link AggregatePolicy} against a fake {@link PathControl}: a kernel-less connection from
 * 10.0.1.1 (link #1) to a peer 10.0.1.2:80, with a second local address 10.0.2.1 on link #2,
 * loopback, an IPv6 address and an address on a link that is down.
 */
@Timeout(10)
class AggregatePolicyTest {
    private static final InetSocketAddress PEER = sock("10.0.1.2", 80);
    private static final InetSocketAddress PEER2 = sock("10.0.2.2", 80);
    private static final InetSocketAddress L1 = sock("10.0.1.1", 40001);
    private static final InetSocketAddress L2 = sock("10.0.2.1", 40002);
    private static final InetAddress L3 = ip("10.0.3.1");
    private static final MptcpToken TOKEN = new MptcpToken(0x4321);
    private static final long MS = 1_000_000L;

    /** The fake kernel: a subflow list the commands change, and a log of the commands. */
    static final class FakeControl implements PathControl {
        final List<Subflow> subflows = new ArrayList<>();
        final List<LocalAddress> locals = new ArrayList<>();
        final List<String> log = new ArrayList<>();
        final Set<InetAddress> refuseOpenFrom = new HashSet<>();
        boolean refuseAnnounce;
        boolean accepted;
        int nextId = 1;
        long now;

        @Override
        public InetSocketAddress remoteAddress() {
            return PEER;
        }

        @Override
        public List<Subflow> subflows() {
            return List.copyOf(subflows);
        }

        @Override
        public List<LocalAddress> localAddresses() {
            return List.copyOf(locals);
        }

        @Override
        public void openSubflow(SubflowRequest r) throws IOException {
            if (r.backup()) {
                throw new AssertionError("AGGREGATE opens no backup subflow: " + r);
            }
            if (refuseOpenFrom.contains(r.local())) {
                log.add("refused " + r.local().getHostAddress() + " -> " + r.remote());
                throw new IOException("mptcp_pm SUBFLOW_CREATE: Network is unreachable");
            }
            log.add("open " + r.local().getHostAddress() + " -> " + r.remote());
        }

        @Override
        public void closeSubflow(Subflow s, SubflowClose how) throws IOException {
            if (!subflows.remove(s)) {
                throw new IOException("no such subflow " + s);
            }
            log.add("close " + s.local().getAddress().getHostAddress() + " -> " + s.remote()
                    + " " + how);
        }

        @Override
        public void setSubflowBackup(Subflow s, boolean backup) {
            throw new AssertionError("AGGREGATE sets no backup flag");
        }

        @Override
        public AnnouncedAddress announce(InetSocketAddress address) throws IOException {
            if (refuseAnnounce) {
                log.add("refused announce " + address.getAddress().getHostAddress());
                throw new IOException("mptcp_pm ANNOUNCE: Invalid argument");
            }
            log.add("announce " + address.getAddress().getHostAddress());
            return new AnnouncedAddress(nextId++, address);
        }

        @Override
        public void withdraw(AnnouncedAddress announced) {
            log.add("withdraw " + announced.address().getAddress().getHostAddress() + " id "
                    + announced.id());
        }

        @Override
        public boolean accepted() {
            return accepted;
        }

        @Override
        public long nanoTime() {
            return now;
        }

        /** The kernel completing an open: the subflow is listed and the event delivered. */
        Subflow establish(AggregatePolicy p, InetSocketAddress local, InetSocketAddress remote)
                throws IOException {
            Subflow s = subflow(local, remote);
            subflows.add(s);
            p.onEvent(new MptcpEvent.SubflowEstablished(EventSource.NETLINK, TOKEN, local,
                    remote, 1, 0, false, OptionalInt.empty()), this);
            return s;
        }

        /** New {@code tcp_info} byte counters for the subflows from {@code local}. */
        void counters(InetSocketAddress local, long sent, long acked) {
            subflows.replaceAll(x -> x.local().equals(local) ? Subflow.builder().local(local)
                    .remote(x.remote()).localBackup(false).tcp(TcpInfo.builder()
                            .state(TcpInfo.STATE_ESTABLISHED).bytesSent(sent)
                            .bytesAcked(acked).build()).build() : x);
        }

        void tick(AggregatePolicy p, long millis) throws IOException {
            now = millis * MS;
            p.onTick(subflows(), this);
        }
    }

    private FakeControl kernel;
    private AggregatePolicy policy;

    @BeforeEach
    void startOpensTheSecondPathOnly() throws IOException {
        kernel = new FakeControl();
        kernel.locals.add(new PathControl.LocalAddress(1, L1.getAddress(), true));
        kernel.locals.add(new PathControl.LocalAddress(2, L2.getAddress(), true));
        kernel.locals.add(new PathControl.LocalAddress(3, L3, false));
        kernel.locals.add(new PathControl.LocalAddress(0, InetAddress.getLoopbackAddress(),
                true));
        kernel.locals.add(new PathControl.LocalAddress(2, ip("fd00::2"), true));
        kernel.locals.add(new PathControl.LocalAddress(2, ip("fe80::2"), true));
        kernel.subflows.add(subflow(L1, PEER));
        policy = AggregatePolicy.create();
        policy.start(kernel);
        assertEquals(List.of("open 10.0.2.1 -> " + PEER), kernel.log, "not the initial pair,"
                + " not a down link, not loopback, not IPv6, and no backup flag");
        kernel.log.clear();
    }

    @Test
    void aPendingOpenIsNotRepeatedByTicksOrEvents() throws IOException {
        kernel.tick(policy, 100);
        kernel.tick(policy, 5000);
        policy.onEvent(new MptcpEvent.LocalAddressAdded(EventSource.NETLINK, 2,
                L2.getAddress(), 24, Optional.empty()), kernel);
        assertTrue(kernel.log.isEmpty(), kernel.log.toString());
        kernel.establish(policy, L2, PEER);
        kernel.tick(policy, 5100);
        assertTrue(kernel.log.isEmpty(), kernel.log.toString());
    }

    @Test
    void anAnnouncedAddressIsJoinedFromEveryLocalAddressOnce() throws IOException {
        kernel.establish(policy, L2, PEER);
        policy.onEvent(announced(5, PEER2), kernel);
        assertEquals(List.of("open 10.0.1.1 -> " + PEER2, "open 10.0.2.1 -> " + PEER2),
                kernel.log);
        kernel.log.clear();

        // The same announcement again (a retransmitted ADD_ADDR) is no news.
        policy.onEvent(announced(5, PEER2), kernel);
        kernel.tick(policy, 100);
        assertTrue(kernel.log.isEmpty(), kernel.log.toString());
    }

    @Test
    void aRemovedPeerAddressLosesItsSubflowsAndIsNotRetried() throws IOException {
        kernel.establish(policy, L2, PEER);
        policy.onEvent(announced(5, PEER2), kernel);
        Subflow a = kernel.establish(policy, sock("10.0.1.1", 40003), PEER2);
        kernel.log.clear();

        policy.onEvent(new MptcpEvent.AddressRemoved(EventSource.NETLINK, TOKEN, 5), kernel);
        assertEquals(List.of("close 10.0.1.1 -> " + PEER2 + " ABORT"), kernel.log);
        // The pending open from 10.0.2.1 is refused later: not retried, the address is gone.
        policy.onEvent(closed(L2, PEER2, 111), kernel);
        policy.onEvent(closed(a.local(), PEER2, 104), kernel);
        for (long t = 100; t < 120_000; t += 1000) {
            kernel.tick(policy, t);
        }
        assertEquals(1, kernel.log.size(), kernel.log.toString());
    }

    @Test
    void linkDownAbortsItsSubflowsAndLinkUpReopensThemAtOnce() throws IOException {
        kernel.establish(policy, L2, PEER);
        kernel.log.clear();

        policy.onEvent(linkDown(2), kernel);
        assertEquals(List.of("close 10.0.2.1 -> " + PEER + " ABORT"), kernel.log);
        // The RST's own SUB_CLOSED is no news: nothing is retried while the link is down.
        policy.onEvent(closed(L2, PEER, 104), kernel);
        policy.onEvent(linkDown(2), kernel);
        for (long t = 100; t < 60_000; t += 1000) {
            kernel.tick(policy, t);
        }
        assertEquals(1, kernel.log.size(), kernel.log.toString());

        policy.onEvent(new MptcpEvent.LinkUp(EventSource.NETLINK, 2, Optional.empty()), kernel);
        assertEquals("open 10.0.2.1 -> " + PEER, kernel.log.get(1));
        // The kernel repeats RTM_NEWLINK: nothing more.
        policy.onEvent(new MptcpEvent.LinkUp(EventSource.NETLINK, 2, Optional.empty()), kernel);
        assertEquals(2, kernel.log.size(), kernel.log.toString());
    }

    @Test
    void theLastLivePathIsKeptUntilAnotherIsUp() throws IOException {
        // Link 2 never answered; link 1, the only subflow's, goes down.
        policy.onEvent(closed(L2, PEER, 110), kernel);
        policy.onEvent(linkDown(1), kernel);
        assertTrue(kernel.log.isEmpty(), "the only subflow is kept: " + kernel.log);

        kernel.tick(policy, 1000);
        assertEquals(List.of("open 10.0.2.1 -> " + PEER), kernel.log, "the retry is due");
        kernel.establish(policy, L2, PEER);
        kernel.tick(policy, 1100);
        assertEquals("close 10.0.1.1 -> " + PEER + " ABORT", kernel.log.get(1),
                "the stale path goes once another is up");
        assertEquals(List.of(subflow(L2, PEER)), kernel.subflows);
    }

    @Test
    void aLocalAddressRemovedAndAddedAgain() throws IOException {
        kernel.establish(policy, L2, PEER);
        kernel.log.clear();
        policy.onEvent(new MptcpEvent.LocalAddressRemoved(EventSource.NETLINK, 2,
                L2.getAddress(), 24, Optional.empty()), kernel);
        assertEquals(List.of("close 10.0.2.1 -> " + PEER + " ABORT"), kernel.log);
        kernel.log.clear();

        policy.onEvent(new MptcpEvent.LocalAddressAdded(EventSource.NETLINK, 2,
                L2.getAddress(), 24, Optional.empty()), kernel);
        assertEquals(List.of("open 10.0.2.1 -> " + PEER), kernel.log);
        // An RTM_NEWADDR for a flag change of the same address: no news.
        kernel.establish(policy, L2, PEER);
        policy.onEvent(new MptcpEvent.LocalAddressAdded(EventSource.NETLINK, 2,
                L2.getAddress(), 24, Optional.empty()), kernel);
        assertEquals(1, kernel.log.size(), kernel.log.toString());
    }

    @Test
    void aRefusedJoinIsRetriedWithADoublingDelay() throws IOException {
        policy.onEvent(closed(L2, PEER, 111), kernel);                    // at 0 ms
        kernel.tick(policy, 100);
        kernel.tick(policy, 999);
        assertTrue(kernel.log.isEmpty(), "not every tick: " + kernel.log);
        kernel.tick(policy, 1000);
        assertEquals(List.of("open 10.0.2.1 -> " + PEER), kernel.log);

        policy.onEvent(closed(L2, PEER, 111), kernel);                    // at 1 s: 2 s
        kernel.tick(policy, 2999);
        assertEquals(1, kernel.log.size(), kernel.log.toString());
        kernel.tick(policy, 3000);
        assertEquals(2, kernel.log.size(), kernel.log.toString());

        // Doubling up to the 30 s ceiling: 4, 8, 16, 30, 30 s.
        long at = 3000;
        for (long delay : new long[] {4000, 8000, 16000, 30000, 30000}) {
            policy.onEvent(closed(L2, PEER, 111), kernel);
            int before = kernel.log.size();
            kernel.tick(policy, at + delay - 1);
            assertEquals(before, kernel.log.size(), "before " + delay + " ms");
            kernel.tick(policy, at + delay);
            assertEquals(before + 1, kernel.log.size(), "after " + delay + " ms");
            at += delay;
        }
    }

    @Test
    void aSynchronousRefusalIsRetriedLater() throws IOException {
        FakeControl k = twoLinks();
        k.refuseOpenFrom.add(L2.getAddress());
        AggregatePolicy p = AggregatePolicy.builder().firstRetryDelay(Duration.ofMillis(500))
                .build();
        p.start(k);
        assertEquals(List.of("refused 10.0.2.1 -> " + PEER), k.log);
        k.tick(p, 499);
        assertEquals(1, k.log.size());
        k.refuseOpenFrom.clear();
        k.tick(p, 500);
        assertEquals(List.of("refused 10.0.2.1 -> " + PEER, "open 10.0.2.1 -> " + PEER), k.log);
    }

    @Test
    void aSubflowClosedByThePeerOnALivePathIsReopenedAfterTheDelay() throws IOException {
        Subflow s = kernel.establish(policy, L2, PEER);
        kernel.tick(policy, 100);
        kernel.subflows.remove(s);
        kernel.now = 200 * MS;
        policy.onEvent(closed(L2, PEER, 104), kernel);
        kernel.tick(policy, 300);
        assertTrue(kernel.log.isEmpty(), kernel.log.toString());
        kernel.tick(policy, 1200);
        assertEquals(List.of("open 10.0.2.1 -> " + PEER), kernel.log);
    }

    @Test
    void aSubflowThatLivedLongEnoughStartsItsBackoffAgain() throws IOException {
        for (int i = 0; i < 4; i++) {                                    // 1, 2, 4, 8 s
            policy.onEvent(closed(L2, PEER, 111), kernel);
        }
        kernel.tick(policy, 16_000);
        kernel.log.clear();
        Subflow s = kernel.establish(policy, L2, PEER);
        kernel.tick(policy, 16_100);
        kernel.tick(policy, 46_100);                                      // lived 30 s
        kernel.subflows.remove(s);
        policy.onEvent(closed(L2, PEER, 104), kernel);
        kernel.tick(policy, 47_100);
        assertEquals(List.of("open 10.0.2.1 -> " + PEER), kernel.log, "1 s again, not 16 s");
    }

    @Test
    void aSubflowWithoutProgressIsClosedAndRetriedLater() throws IOException {
        kernel.establish(policy, L2, PEER);
        kernel.log.clear();
        kernel.counters(L2, 1000, 1000);
        kernel.tick(policy, 0);                                           // first sight
        kernel.counters(L2, 2000, 1000);
        kernel.tick(policy, 100);                                         // sent, no ack
        kernel.counters(L2, 3000, 1000);
        kernel.tick(policy, 2099);                                        // retransmitting
        assertTrue(kernel.log.isEmpty(), "not yet: " + kernel.log);
        kernel.tick(policy, 2100);                                        // 2 s without ack
        assertEquals(List.of("close 10.0.2.1 -> " + PEER + " ABORT"), kernel.log);

        // Its RST's SUB_CLOSED is no news; the pair is opened again after the retry delay.
        policy.onEvent(closed(L2, PEER, 104), kernel);
        kernel.tick(policy, 3099);
        assertEquals(1, kernel.log.size(), kernel.log.toString());
        kernel.tick(policy, 3100);
        assertEquals("open 10.0.2.1 -> " + PEER, kernel.log.get(1));
    }

    @Test
    void anIdleOrProgressingSubflowIsNotStalled() throws IOException {
        kernel.establish(policy, L2, PEER);
        kernel.log.clear();
        kernel.counters(L2, 5000, 4000);          // old retransmissions: sent > acked forever
        for (long t = 0; t < 10_000; t += 100) {
            kernel.tick(policy, t);
        }
        long sent = 5000;
        for (long t = 10_000; t < 20_000; t += 100) {
            sent += 1000;
            kernel.counters(L2, sent, sent - 500);  // busy and acknowledged every tick
            kernel.tick(policy, t);
        }
        assertTrue(kernel.log.isEmpty(), "idle or busy is not dead: " + kernel.log);
    }

    @Test
    void theSubflowCountIsBoundedAndSpreadOverLinks() throws IOException {
        FakeControl k = twoLinks();
        k.locals.add(new PathControl.LocalAddress(3, L3, true));
        AggregatePolicy p = AggregatePolicy.builder().maxSubflows(3).build();
        p.start(k);
        assertEquals(List.of("open 10.0.2.1 -> " + PEER, "open 10.0.3.1 -> " + PEER), k.log);
        k.log.clear();
        p.onEvent(announced(7, PEER2), k);
        k.tick(p, 100);
        assertTrue(k.log.isEmpty(), "3 of 3 already: " + k.log);

        // With room again, the pair from the link without a subflow comes first.
        p.onEvent(closed(sock("10.0.3.1", 1), PEER, 111), k);
        k.tick(p, 200);
        assertEquals(List.of("open 10.0.3.1 -> " + PEER2), k.log);
    }

    @Test
    void theDefaultBoundIsTheKernels() throws IOException {
        FakeControl k = new FakeControl();
        for (int i = 1; i <= 6; i++) {
            k.locals.add(new PathControl.LocalAddress(i, ip("10.0." + i + ".1"), true));
        }
        k.subflows.add(subflow(L1, PEER));
        AggregatePolicy p = AggregatePolicy.create();
        p.start(k);
        p.onEvent(announced(1, PEER2), k);
        assertEquals(AggregatePolicy.MAX_SUBFLOWS - 1, k.log.size(), "1 + 8: " + k.log);
    }

    @Test
    void anAcceptedConnectionAnnouncesInsteadOfOpening() throws IOException {
        FakeControl k = twoLinks();
        k.accepted = true;
        AggregatePolicy p = AggregatePolicy.create();
        p.start(k);
        assertEquals(List.of("announce 10.0.2.1"), k.log, "not the initial address");
        k.log.clear();
        p.onEvent(announced(3, PEER2), k);
        p.onEvent(closed(L2, sock("10.0.1.2", 50000), 111), k);
        k.tick(p, 60_000);
        assertTrue(k.log.isEmpty(), "no subflow towards the client: " + k.log);

        // The client joined the announced address; then its link goes.
        k.establish(p, L2, sock("10.0.2.2", 50001));
        p.onEvent(linkDown(2), k);
        assertEquals(List.of("withdraw 10.0.2.1 id 1",
                "close 10.0.2.1 -> /10.0.2.2:50001 ABORT"), k.log);
        k.log.clear();
        p.onEvent(new MptcpEvent.LinkUp(EventSource.NETLINK, 2, Optional.empty()), k);
        assertEquals(List.of("announce 10.0.2.1"), k.log);
        k.log.clear();
        p.onEvent(new MptcpEvent.LocalAddressRemoved(EventSource.NETLINK, 2, L2.getAddress(),
                24, Optional.empty()), k);
        assertEquals(List.of("withdraw 10.0.2.1 id 2"), k.log);
    }

    @Test
    void aRefusedAnnouncementIsRetriedWithBackoff() throws IOException {
        FakeControl k = twoLinks();
        k.accepted = true;
        k.refuseAnnounce = true;
        AggregatePolicy p = AggregatePolicy.create();
        p.start(k);
        k.tick(p, 999);
        assertEquals(List.of("refused announce 10.0.2.1"), k.log);
        k.refuseAnnounce = false;
        k.tick(p, 1000);
        assertEquals(List.of("refused announce 10.0.2.1", "announce 10.0.2.1"), k.log);
        k.tick(p, 5000);
        assertEquals(2, k.log.size(), "announced once: " + k.log);
    }

    @Test
    void badSettingsAreRefusedWithTheirValues() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> AggregatePolicy.builder().maxSubflows(10));
        assertTrue(e.getMessage().contains("10 is outside 1..9"), e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> AggregatePolicy.builder().maxSubflows(0));
        assertThrows(IllegalArgumentException.class,
                () -> AggregatePolicy.builder().tickInterval(Duration.ZERO));
        e = assertThrows(IllegalArgumentException.class, () -> AggregatePolicy.builder()
                .firstRetryDelay(Duration.ofSeconds(5)).maxRetryDelay(Duration.ofSeconds(1))
                .build());
        assertTrue(e.getMessage().contains("maxRetryDelay PT1S is shorter than"
                + " firstRetryDelay PT5S"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> AggregatePolicy.builder()
                .noProgressTimeout(Duration.ofMillis(100)).build());
        assertTrue(e.getMessage().contains("noProgressTimeout PT0.1S must be longer than"
                + " tickInterval PT0.1S"), e.getMessage());
        AggregatePolicy d = AggregatePolicy.create();
        assertEquals(9, d.maxSubflows());
        assertEquals(Duration.ofSeconds(1), d.firstRetryDelay());
        assertEquals(Duration.ofSeconds(30), d.maxRetryDelay());
        assertEquals(Duration.ofMillis(100), d.tickInterval());
        assertEquals(Duration.ofSeconds(2), d.noProgressTimeout());
    }

    private static FakeControl twoLinks() {
        FakeControl k = new FakeControl();
        k.locals.add(new PathControl.LocalAddress(1, L1.getAddress(), true));
        k.locals.add(new PathControl.LocalAddress(2, L2.getAddress(), true));
        k.subflows.add(subflow(L1, PEER));
        return k;
    }

    private static MptcpEvent.AddressAnnounced announced(int id, InetSocketAddress address) {
        return new MptcpEvent.AddressAnnounced(EventSource.NETLINK, TOKEN, id, address);
    }

    private static MptcpEvent.LinkDown linkDown(int link) {
        return new MptcpEvent.LinkDown(EventSource.NETLINK, link, Optional.of("mp" + link));
    }

    private static MptcpEvent.SubflowClosed closed(InetSocketAddress local,
            InetSocketAddress remote, int errno) {
        return new MptcpEvent.SubflowClosed(EventSource.NETLINK, TOKEN, local, remote, 0, 0,
                false, OptionalInt.empty(), OptionalInt.of(errno), OptionalLong.empty(),
                OptionalLong.empty());
    }

    private static Subflow subflow(InetSocketAddress local, InetSocketAddress remote) {
        return Subflow.builder().local(local).remote(remote).localBackup(false)
                .tcp(TcpInfo.builder().state(TcpInfo.STATE_ESTABLISHED).build())
                .build();
    }

    private static InetSocketAddress sock(String host, int port) {
        return new InetSocketAddress(host, port);
    }

    private static InetAddress ip(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalArgumentException(literal, e);
        }
    }
}
