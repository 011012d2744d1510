package io.mptcp.nio.pm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mptcp.nio.MptcpToken;
import io.mptcp.nio.Subflow;
import io.mptcp.nio.TcpInfo;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link InteractivePolicy} against a fake {@link PathControl}: a kernel-less connection with
 * two local addresses on two links (10.0.1.1 on #1, 10.0.2.1 on #2) to a peer 10.0.1.2:80,
 * a backup's RTT stale after 8 s, ticked every 50 ms of a fake clock, each subflow with its
 * own {@code tcp_info} RTT and acknowledged-byte counter.
 */
@Timeout(10)
class InteractivePolicyTest {
    private static final InetSocketAddress PEER = new InetSocketAddress("10.0.1.2", 80);
    private static final InetSocketAddress L1 = new InetSocketAddress("10.0.1.1", 40001);
    private static final InetSocketAddress L2 = new InetSocketAddress("10.0.2.1", 40002);
    private static final long TICK = Duration.ofMillis(50).toNanos();

    /** One subflow's figures in the fake kernel. */
    private static final class Path {
        boolean backup;
        long rttMicros;
        long acked;
    }

    /** The fake kernel: subflows whose figures the test sets, and a log of the commands. */
    private static final class FakeControl implements PathControl {
        final java.util.Map<InetSocketAddress, Path> paths = new java.util.LinkedHashMap<>();
        final List<String> log = new ArrayList<>();
        long now;
        boolean refuseClose;

        @Override
        public InetSocketAddress remoteAddress() {
            return PEER;
        }

        @Override
        public List<Subflow> subflows() {
            List<Subflow> list = new ArrayList<>();
            paths.forEach((local, p) -> list.add(Subflow.builder().local(local).remote(PEER)
                    .localBackup(p.backup).tcp(TcpInfo.builder()
                            .state(TcpInfo.STATE_ESTABLISHED).rttMicros(p.rttMicros)
                            .bytesSent(p.acked).bytesAcked(p.acked).build())
                    .build()));
            return list;
        }

        @Override
        public List<LocalAddress> localAddresses() {
            return List.of(new LocalAddress(1, L1.getAddress(), true),
                    new LocalAddress(2, L2.getAddress(), true));
        }

        @Override
        public void openSubflow(SubflowRequest r) {
            log.add("open " + r.local().getHostAddress() + (r.backup() ? " backup" : ""));
        }

        @Override
        public void closeSubflow(Subflow s, SubflowClose how) throws IOException {
            if (refuseClose || paths.remove(s.local()) == null) {
                throw new IOException("no such subflow " + s);
            }
            log.add("close " + name(s.local()) + " " + how);
        }

        @Override
        public void setSubflowBackup(Subflow s, boolean backup) throws IOException {
            Path p = paths.get(s.local());
            if (p == null) {
                throw new IOException("subflow not found " + s);
            }
            p.backup = backup;
            log.add("backup " + name(s.local()) + " " + backup);
        }

        @Override
        public AnnouncedAddress announce(InetSocketAddress address) {
            throw new UnsupportedOperationException("not used by INTERACTIVE");
        }

        @Override
        public void withdraw(AnnouncedAddress announced) {
            throw new UnsupportedOperationException("not used by INTERACTIVE");
        }

        @Override
        public long nanoTime() {
            return now;
        }

        Path path(InetSocketAddress local) {
            return paths.get(local);
        }

        boolean active(InetSocketAddress local) {
            return !paths.get(local).backup;
        }
    }

    private FakeControl kernel;
    private InteractivePolicy policy;

    @BeforeEach
    void twoPaths() throws IOException {
        kernel = new FakeControl();
        Path first = new Path();
        first.rttMicros = 10_000;
        kernel.paths.put(L1, first);
        policy = InteractivePolicy.builder().staleAfter(Duration.ofSeconds(8)).build();
        policy.start(kernel);
        assertEquals(List.of("backup 10.0.1.1 false", "open 10.0.2.1 backup"), kernel.log,
                "the initial subflow active, a backup from the other address");
        Path second = new Path();
        second.backup = true;
        second.rttMicros = 10_000;
        kernel.paths.put(L2, second);
        policy.onEvent(new MptcpEvent.SubflowEstablished(EventSource.NETLINK,
                new MptcpToken(0x1234), L2, PEER, 1, 0, true, OptionalInt.empty()), kernel);
        kernel.log.clear();
    }

    /** Ticks for {@code millis} of fake time; the active path carries traffic throughout. */
    private void run(long millis) throws IOException {
        for (long t = 0; t < millis * 1_000_000; t += TICK) {
            kernel.now += TICK;
            kernel.paths.values().stream().filter(p -> !p.backup).forEach(p -> p.acked += 100);
            policy.onTick(kernel.subflows(), kernel);
        }
    }

    @Test
    void switchesToTheClearlyLowerRttPathAfterTheHold() throws IOException {
        kernel.path(L1).rttMicros = 200_000;
        kernel.path(L2).rttMicros = 1_000;
        run(900);
        assertEquals(List.of(), kernel.log, "not before the hold of 1 s");

        run(200);
        assertEquals(List.of("backup 10.0.2.1 false", "backup 10.0.1.1 true"), kernel.log,
                "promote the new path first, then demote the old one");
        assertTrue(kernel.active(L2));
        assertEquals(1, policy.switches().size());
        InteractivePolicy.Switch s = policy.switches().get(0);
        assertEquals(L1, s.from());
        assertEquals(L2, s.to());
        assertEquals(200_000, s.fromRttMicros());
        assertEquals(1_000, s.toRttMicros());
    }

    @Test
    void aSmallOrShortAdvantageDoesNotSwitch() throws IOException {
        // 15 % lower: under the 20 % threshold, though 1.5 ms lower.
        kernel.path(L1).rttMicros = 10_000;
        kernel.path(L2).rttMicros = 8_500;
        run(2_500);
        // 50 % lower but only 1 ms: under the 2 ms margin.
        kernel.path(L1).rttMicros = 2_000;
        kernel.path(L2).rttMicros = 1_000;
        run(2_500);
        assertEquals(List.of(), kernel.log);

        // Clearly better, but for less than the hold, twice: the timer restarts.
        for (int i = 0; i < 2; i++) {
            kernel.path(L1).rttMicros = 100_000;
            kernel.path(L2).rttMicros = 1_000;
            run(700);
            kernel.path(L1).rttMicros = 1_000;
            run(100);
        }
        assertEquals(List.of(), kernel.log, "a spike shorter than the hold is no reason");
        assertTrue(kernel.active(L1));
        assertEquals(List.of(), policy.switches());
    }

    @Test
    void aStaleBackupIsRemeasuredByATrialAndTheFreshRttDecides() throws IOException {
        kernel.path(L1).rttMicros = 200_000;
        kernel.path(L2).rttMicros = 1_000;
        run(1_100);
        assertTrue(kernel.active(L2));
        kernel.log.clear();

        // Link 1 recovers but, as a backup, keeps its stale 200 ms until a trial.
        run(7_000);
        assertEquals(List.of(), kernel.log, "not stale yet");
        run(1_100);
        assertEquals(List.of("backup 10.0.1.1 false"), kernel.log,
                "a trial: the stale backup may carry data, the active path stays active");
        assertTrue(kernel.active(L2));
        kernel.log.clear();

        // The trial's traffic gives a fresh sample: link 1 is now much better.
        kernel.path(L1).rttMicros = 500;
        kernel.path(L2).rttMicros = 20_000;
        run(300);
        assertEquals(List.of("backup 10.0.1.1 true"), kernel.log, "the trial ends");
        kernel.log.clear();
        run(1_100);
        assertEquals(List.of("backup 10.0.1.1 false", "backup 10.0.2.1 true"), kernel.log,
                "the fresh value wins by the usual rule");
        assertEquals(2, policy.switches().size());
    }

    @Test
    void noTrialWhileTheConnectionIsIdle() throws IOException {
        kernel.path(L2).rttMicros = 30_000;
        for (int i = 0; i < 200; i++) {
            kernel.now += TICK;
            policy.onTick(kernel.subflows(), kernel);
        }
        assertEquals(List.of(), kernel.log, "10 s idle: the active path's RTT is stale too,"
                + " a trial would measure nothing");
    }

    @Test
    void aFailedActivePathHandsOverAtOnceWithoutTheHold() throws IOException {
        kernel.path(L1).rttMicros = 1_000;
        kernel.path(L2).rttMicros = 50_000;
        run(500);
        policy.onEvent(new MptcpEvent.LinkDown(EventSource.NETLINK, 1, Optional.of("mp1")),
                kernel);
        assertEquals(List.of("backup 10.0.2.1 false", "close 10.0.1.1 ABORT"), kernel.log,
                "HANDOVER's failover: promote the backup, abort the dead subflow");
        assertEquals(1, policy.failovers().size());
        kernel.log.clear();

        run(2_000);
        assertEquals(List.of(), kernel.log, "one path left: nothing to choose");
        assertTrue(kernel.active(L2));
        assertEquals(List.of(), policy.switches());
    }

    @Test
    void aSubflowOnADownLinkIsNeverChosen() throws IOException {
        kernel.path(L1).rttMicros = 200_000;
        kernel.path(L2).rttMicros = 1_000;
        // The backup's link goes down; its abort is refused (the kernel is closing it itself),
        // so it stays listed a while with its old, low RTT.
        kernel.refuseClose = true;
        policy.onEvent(new MptcpEvent.LinkDown(EventSource.NETLINK, 2, Optional.of("mp2")),
                kernel);
        assertEquals(List.of(), kernel.log);
        run(3_000);
        assertEquals(List.of(), kernel.log, "its stale low RTT must not attract the switch");
    }

    @Test
    void badSettingsAreRefusedByName() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> InteractivePolicy.builder().minGainPercent(100).build());
        assertTrue(e.getMessage().contains("minGainPercent 100"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> InteractivePolicy.builder().trial(Duration.ofMillis(10)).build());
        assertTrue(e.getMessage().contains("trial PT0.01S is shorter than tickInterval"),
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> InteractivePolicy.builder()
                .staleAfter(Duration.ofMillis(300)).build());
        assertTrue(e.getMessage().contains("staleAfter"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> InteractivePolicy.builder().hold(Duration.ofSeconds(-1)).build());
        assertTrue(e.getMessage().contains("hold"), e.getMessage());
    }

    private static String name(InetSocketAddress a) {
        return a.getAddress().getHostAddress();
    }
}
