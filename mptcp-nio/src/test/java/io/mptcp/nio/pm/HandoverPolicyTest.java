package io.mptcp.nio.pm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link HandoverPolicy} against a fake {@link PathControl}: a kernel-less connection with
 * two local addresses on two links (10.0.1.1 on #1, 10.0.2.1 on #2) to a peer 10.0.1.2:80,
 * showing how an application tests its own {@link PathPolicy}.
 */
@Timeout(10)
class HandoverPolicyTest {
    private static final InetSocketAddress PEER = sock("10.0.1.2", 80);
    private static final InetSocketAddress L1 = sock("10.0.1.1", 40001);
    private static final InetSocketAddress L2 = sock("10.0.2.1", 40002);
    private static final MptcpToken TOKEN = new MptcpToken(0x1234);

    /** The fake kernel: a subflow list the commands change, and a log of the commands. */
    static final class FakeControl implements PathControl {
        final List<Subflow> subflows = new ArrayList<>();
        final List<LocalAddress> locals = new ArrayList<>();
        final List<String> log = new ArrayList<>();
        final List<PathDecision> reported = new ArrayList<>();
        long now;
        /** The kernel's refusal of every command, as for a connection of the in-kernel PM. */
        String refusal;

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
        public void openSubflow(SubflowRequest r) {
            log.add("open " + r.local().getHostAddress() + (r.backup() ? " backup" : ""));
        }

        /** The kernel completing an open: the subflow is listed and the event delivered. */
        Subflow establish(HandoverPolicy p, InetSocketAddress local, boolean backup)
                throws IOException {
            Subflow s = subflow(local, backup, 0, 0);
            subflows.add(s);
            p.onEvent(new MptcpEvent.SubflowEstablished(EventSource.NETLINK, TOKEN, local, PEER,
                    1, 0, false, OptionalInt.empty()), this);
            return s;
        }

        @Override
        public void closeSubflow(Subflow s, SubflowClose how) throws IOException {
            if (!subflows.removeIf(x -> x.local().equals(s.local()))) {
                throw new IOException("no such subflow " + s);
            }
            log.add("close " + s.local().getAddress().getHostAddress() + " " + how);
        }

        @Override
        public void setSubflowBackup(Subflow s, boolean backup) throws IOException {
            if (refusal != null) {
                throw new IOException(refusal);
            }
            subflows.replaceAll(x -> x.local().equals(s.local())
                    ? subflow(x.local(), backup, x.tcp().bytesSent(), x.tcp().bytesAcked())
                    : x);
            log.add("backup " + s.local().getAddress().getHostAddress() + " " + backup);
        }

        @Override
        public void removeLocalAddress(Subflow s) {
            log.add("remove " + s.local().getAddress().getHostAddress());
        }

        @Override
        public void report(PathDecision decision) {
            reported.add(decision);
        }

        @Override
        public AnnouncedAddress announce(InetSocketAddress address) {
            throw new UnsupportedOperationException("not used by HANDOVER");
        }

        @Override
        public void withdraw(AnnouncedAddress announced) {
            throw new UnsupportedOperationException("not used by HANDOVER");
        }

        @Override
        public long nanoTime() {
            return now;
        }

        void counters(InetSocketAddress local, long sent, long acked) {
            subflows.replaceAll(x -> x.local().equals(local)
                    ? subflow(local, x.localBackup().orElse(false), sent, acked) : x);
        }

        boolean active(InetSocketAddress local) {
            return subflows.stream().anyMatch(s -> s.local().equals(local)
                    && !s.localBackup().orElse(false));
        }
    }

    private FakeControl kernel;
    private HandoverPolicy policy;

    @BeforeEach
    void twoPaths() throws IOException {
        kernel = new FakeControl();
        kernel.locals.add(new PathControl.LocalAddress(1, L1.getAddress(), true));
        kernel.locals.add(new PathControl.LocalAddress(2, L2.getAddress(), true));
        kernel.locals.add(new PathControl.LocalAddress(0, InetAddress.getLoopbackAddress(),
                true));
        kernel.subflows.add(subflow(L1, false, 0, 0));
        policy = HandoverPolicy.create(Duration.ofMillis(500), Duration.ofMillis(50));
        policy.start(kernel);
        assertEquals(List.of("backup 10.0.1.1 false", "open 10.0.2.1 backup"), kernel.log,
                "a backup from the second address only (not loopback, not the active one)");
        kernel.establish(policy, L2, true);
        kernel.log.clear();
    }

    @Test
    void linkDownPromotesTheBackupThenAbortsTheDeadSubflow() throws IOException {
        policy.onEvent(new MptcpEvent.LinkDown(EventSource.NETLINK, 1, Optional.of("mp1")),
                kernel);

        assertEquals(List.of("backup 10.0.2.1 false", "remove 10.0.1.1",
                "close 10.0.1.1 ABORT"), kernel.log, "the RM_ADDR leaves before the abort, over link 2");
        assertTrue(kernel.active(L2));
        assertEquals(1, kernel.subflows.size());
        assertEquals(1, policy.handovers().size());
        assertEquals(L1, policy.handovers().get(0).from());
        assertEquals("link mp1 down", policy.handovers().get(0).reason());
        assertEquals(List.of(new PathDecision.Handover(L1, L2, "link mp1 down",
                Optional.empty())), kernel.reported, "no tick yet: the stall is not known");

        // The RST's own SUB_CLOSED is no news.
        policy.onEvent(closed(L1, 104), kernel);
        assertEquals(3, kernel.log.size());
    }

    @Test
    void aRepeatedLinkDownWhileTheAbortedSubflowIsStillListedDoesNothingMore()
            throws IOException {
        Subflow dead = kernel.subflows.get(0);
        policy.onEvent(new MptcpEvent.LinkDown(EventSource.NETLINK, 1, Optional.of("mp1")),
                kernel);
        kernel.subflows.add(0, dead);  // the kernel lists it a moment longer
        kernel.log.clear();
        policy.onEvent(new MptcpEvent.LinkDown(EventSource.NETLINK, 1, Optional.of("mp1")),
                kernel);
        assertTrue(kernel.log.isEmpty(), "handled once: " + kernel.log);
        assertEquals(1, kernel.reported.size(), kernel.reported.toString());
    }

    @Test
    void linkDownOfTheBackupOnlyClosesTheBackup() throws IOException {
        policy.onEvent(new MptcpEvent.LinkDown(EventSource.NETLINK, 2, Optional.empty()),
                kernel);

        assertEquals(List.of("remove 10.0.2.1", "close 10.0.2.1 ABORT"), kernel.log);
        assertTrue(kernel.active(L1));
        assertTrue(policy.handovers().isEmpty());
        assertTrue(kernel.reported.isEmpty(), "no handover to report: " + kernel.reported);
    }

    @Test
    void addressRemovalPromotesTheBackup() throws IOException {
        policy.onEvent(new MptcpEvent.LocalAddressRemoved(EventSource.NETLINK, 1,
                L1.getAddress(), 24, Optional.empty()), kernel);

        assertEquals(List.of("backup 10.0.2.1 false", "remove 10.0.1.1",
                "close 10.0.1.1 ABORT"), kernel.log);
        assertEquals("address 10.0.1.1 removed", policy.handovers().get(0).reason());
    }

    @Test
    void subflowErrorPromotesTheBackup() throws IOException {
        // The kernel has already dropped the subflow when its SUB_CLOSED arrives.
        kernel.subflows.removeIf(s -> s.local().equals(L1));
        policy.onEvent(closed(L1, 110), kernel);

        assertEquals(List.of("backup 10.0.2.1 false"), kernel.log);
        assertTrue(kernel.active(L2));
        assertEquals("subflow closed (error 110)", policy.handovers().get(0).reason());
    }

    @Test
    void subflowErrorWhileStillListedAlsoAbortsIt() throws IOException {
        policy.onEvent(closed(L1, 110), kernel);

        assertEquals(List.of("backup 10.0.2.1 false", "close 10.0.1.1 ABORT"), kernel.log);
    }

    @Test
    void noProgressWhileDataIsOutstandingPromotesTheBackup() throws IOException {
        tick(0, 1000, 1000);          // first sight
        tick(50, 2000, 2000);         // acked moves: healthy
        tick(100, 3000, 2000);        // sent, not yet acked
        tick(400, 3500, 2000);        // retransmitting, 300 ms without an ack
        assertTrue(kernel.log.isEmpty(), "not yet: " + kernel.log);
        tick(600, 3900, 2000);        // 500 ms since the unacknowledged send

        assertEquals(List.of("backup 10.0.2.1 false", "remove 10.0.1.1",
                "close 10.0.1.1 ABORT"), kernel.log);
        assertEquals("no progress for 500 ms", policy.handovers().get(0).reason());
        assertEquals(List.of(new PathDecision.Handover(L1, L2, "no progress for 500 ms",
                Optional.of(Duration.ofMillis(550)))), kernel.reported,
                "stalled since the last tick that saw bytes_acked move (50 ms)");
    }

    @Test
    void anIdleSubflowIsNotStalled() throws IOException {
        tick(0, 5000, 4000);          // sent includes old retransmissions: sent > acked forever
        tick(50, 5000, 5000);
        for (long t = 100; t < 5000; t += 50) {
            tick(t, 5000, 5000);
        }
        assertTrue(kernel.log.isEmpty(), "idle is not dead: " + kernel.log);
    }

    @Test
    void linkUpReopensABackupAndItIsUsedAtTheNextFailure() throws IOException {
        policy.onEvent(new MptcpEvent.LinkDown(EventSource.NETLINK, 1, Optional.empty()),
                kernel);
        kernel.log.clear();

        policy.onEvent(new MptcpEvent.LinkUp(EventSource.NETLINK, 1, Optional.empty()), kernel);
        assertEquals(List.of("open 10.0.1.1 backup"), kernel.log);
        // A second LinkUp (the kernel repeats RTM_NEWLINK) opens nothing more.
        policy.onEvent(new MptcpEvent.LinkUp(EventSource.NETLINK, 1, Optional.empty()), kernel);
        assertEquals(1, kernel.log.size());

        InetSocketAddress again = sock("10.0.1.1", 40003);
        kernel.establish(policy, again, true);
        kernel.log.clear();
        policy.onEvent(new MptcpEvent.LinkDown(EventSource.NETLINK, 2, Optional.empty()),
                kernel);
        assertEquals(List.of("backup 10.0.1.1 false", "remove 10.0.2.1",
                "close 10.0.2.1 ABORT"), kernel.log);
        assertEquals(2, policy.handovers().size());
    }

    @Test
    void addressAddedReopensABackup() throws IOException {
        policy.onEvent(new MptcpEvent.LocalAddressRemoved(EventSource.NETLINK, 2,
                L2.getAddress(), 24, Optional.empty()), kernel);
        assertEquals(List.of("remove 10.0.2.1", "close 10.0.2.1 ABORT"), kernel.log);
        kernel.log.clear();

        policy.onEvent(new MptcpEvent.LocalAddressAdded(EventSource.NETLINK, 2,
                L2.getAddress(), 24, Optional.empty()), kernel);
        assertEquals(List.of("open 10.0.2.1 backup"), kernel.log);
    }

    @Test
    void theLastPathIsKeptWhenNothingCanReplaceIt() throws IOException {
        policy.onEvent(new MptcpEvent.LinkDown(EventSource.NETLINK, 2, Optional.empty()),
                kernel);
        kernel.log.clear();
        policy.onEvent(new MptcpEvent.LinkDown(EventSource.NETLINK, 1, Optional.empty()),
                kernel);

        assertTrue(kernel.log.isEmpty(), "the only subflow is not aborted: " + kernel.log);
        assertEquals(1, kernel.subflows.size());
        assertEquals(List.of(new PathDecision.Note("no handover from 10.0.1.1:40001",
                "link #1 down; no usable backup"), new PathDecision.Note(
                "keep [10.0.1.1:40001 -> 10.0.1.2:80]", "link #1 down; no other usable path")),
                kernel.reported, "the decisions not to act are reported with their reasons");
    }

    @Test
    void startRefusedByTheKernelFailsAtOnce() {
        FakeControl k = new FakeControl();
        k.refusal = "userspace PM not selected";
        k.locals.add(new PathControl.LocalAddress(1, L1.getAddress(), true));
        k.subflows.add(subflow(L1, false, 0, 0));
        IOException e = assertThrows(IOException.class, () -> HandoverPolicy.create().start(k));
        assertEquals("userspace PM not selected", e.getMessage());
        assertTrue(k.log.isEmpty());
    }

    @Test
    void aSecondActiveSubflowBecomesBackupAtStart() throws IOException {
        FakeControl k = new FakeControl();
        k.locals.add(new PathControl.LocalAddress(1, L1.getAddress(), true));
        k.locals.add(new PathControl.LocalAddress(2, L2.getAddress(), true));
        k.subflows.add(subflow(L1, false, 0, 0));
        k.subflows.add(subflow(L2, false, 0, 0));
        HandoverPolicy.create().start(k);
        assertEquals(List.of("backup 10.0.1.1 false", "backup 10.0.2.1 true"), k.log);
    }

    @Test
    void aFailedOpenIsNotAFailureOfThePath() throws IOException {
        FakeControl k = new FakeControl();
        k.locals.add(new PathControl.LocalAddress(1, L1.getAddress(), true));
        k.locals.add(new PathControl.LocalAddress(2, L2.getAddress(), true));
        k.subflows.add(subflow(L1, false, 0, 0));
        HandoverPolicy p = HandoverPolicy.create();
        p.start(k);
        k.log.clear();

        p.onEvent(closed(L2, 111), k);
        assertTrue(k.log.isEmpty(), "a refused join changes nothing: " + k.log);
        assertTrue(p.handovers().isEmpty());
    }

    @Test
    void badSettingsAreRefusedWithTheirValues() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> HandoverPolicy.create(Duration.ofMillis(50), Duration.ofMillis(50)));
        assertTrue(e.getMessage().contains("must be longer than tickInterval PT0.05S"),
                e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> HandoverPolicy.create(Duration.ZERO, Duration.ofMillis(50)));
        assertFalse(HandoverPolicy.create().noProgressTimeout().isZero());
    }

    private void tick(long millis, long sent, long acked) throws IOException {
        kernel.now = millis * 1_000_000L;
        kernel.counters(L1, sent, acked);
        policy.onTick(kernel.subflows(), kernel);
    }

    private static MptcpEvent.SubflowClosed closed(InetSocketAddress local, int errno) {
        return new MptcpEvent.SubflowClosed(EventSource.NETLINK, TOKEN, local, PEER, 0, 0, false,
                OptionalInt.empty(), OptionalInt.of(errno), OptionalLong.empty(),
                OptionalLong.empty());
    }

    static Subflow subflow(InetSocketAddress local, boolean backup, long sent, long acked) {
        return Subflow.builder().local(local).remote(PEER).localBackup(backup)
                .tcp(TcpInfo.builder().state(TcpInfo.STATE_ESTABLISHED).bytesSent(sent)
                        .bytesAcked(acked).build())
                .build();
    }

    private static InetSocketAddress sock(String host, int port) {
        return new InetSocketAddress(host, port);
    }
}
