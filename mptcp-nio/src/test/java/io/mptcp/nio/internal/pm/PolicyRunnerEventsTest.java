package io.mptcp.nio.internal.pm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.doThrow;
import static org.mockito.Mockito.inOrder;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import io.mptcp.nio.MptcpToken;
import io.mptcp.nio.Subflow;
import io.mptcp.nio.TcpInfo;
import io.mptcp.nio.pm.EventSource;
import io.mptcp.nio.pm.MptcpEvent;
import io.mptcp.nio.pm.PathControl;
import io.mptcp.nio.pm.PathDecision;
import io.mptcp.nio.pm.PathPolicy;
import io.mptcp.nio.pm.SubflowClose;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;

import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.mockito.InOrder;

/**
 * What {@link PolicyRunner} records with JFR for a policy: the connection's subflow events, every
 * command as a decision (with the reason the policy reported, else the event that led to it,
 * and the kernel's refusal), handovers with their stall, and the periodic per-subflow
 * statistics; checked on a recording made in this JVM and read back from its file.
 */
@Timeout(30)
class PolicyRunnerEventsTest {
    private static final MptcpToken TOKEN = new MptcpToken(0xabc);
    private static final InetSocketAddress PEER = new InetSocketAddress("10.0.1.2", 80);
    private static final InetSocketAddress L1 = new InetSocketAddress("10.0.1.1", 40001);
    private static final InetSocketAddress L2 = new InetSocketAddress("10.0.2.1", 40002);

    /** On link down: a handover to L2, then the removal of L1's address and its abort. */
    private static final class HandOver implements PathPolicy {
        @Override
        public void start(PathControl control) {
        }

        @Override
        public void onEvent(MptcpEvent event, PathControl control) throws IOException {
            if (event instanceof MptcpEvent.LinkDown) {
                List<Subflow> s = control.subflows();
                control.setSubflowBackup(s.get(1), false);
                control.report(new PathDecision.Handover(L1, L2, "link gone",
                        Optional.of(Duration.ofMillis(75))));
                control.removeLocalAddress(s.get(0));
                control.closeSubflow(s.get(0), SubflowClose.ABORT);
            } else if (event instanceof MptcpEvent.LinkUp) {
                control.setSubflowBackup(control.subflows().get(0), true);
            }
        }

        @Override
        public void onTick(List<Subflow> subflows, PathControl control) {
        }

        @Override
        public Duration tickInterval() {
            return Duration.ofMillis(50);
        }
    }

    @Test
    void decisionsSubflowEventsAndStatisticsAreRecorded(@TempDir Path dir) throws Exception {
        SubflowControl control = mock(SubflowControl.class);
        SubflowControl.Host host = mock(SubflowControl.Host.class);
        when(host.isOpen()).thenReturn(true);
        List<Subflow> two = List.of(subflow(L1, false, 5000), subflow(L2, true, 7000));
        when(host.subflows()).thenReturn(two);
        doThrow(new IOException("setSubflowBackup: refused (EINVAL)"))
                .when(control).setBackup(two.get(0), true);
        PolicyRunner runner = new PolicyRunner(new HandOver(), control, host,
                mock(PmSession.class), TOKEN, PEER, "test");

        Path file = dir.resolve("events.jfr");
        try (Recording r = new Recording()) {
            for (String name : List.of("SubflowEstablished", "SubflowClosed", "Handover",
                    "PathDecision")) {
                r.enable("io.mptcp." + name);
            }
            r.enable("io.mptcp.SubflowStatistics").withPeriod(Duration.ofMillis(100));
            r.start();
            runner.tick(0);
            runner.onEvent(new MptcpEvent.SubflowEstablished(EventSource.NETLINK, TOKEN, L2,
                    PEER, 2, 0, true, OptionalInt.of(3)));
            runner.onEvent(new MptcpEvent.LinkDown(EventSource.NETLINK, 2, Optional.of("mp1")));
            runner.onEvent(new MptcpEvent.SubflowClosed(EventSource.NETLINK, TOKEN, L1, PEER,
                    0, 0, false, OptionalInt.empty(), OptionalInt.of(104), OptionalLong.of(1),
                    OptionalLong.empty()));
            runner.onEvent(new MptcpEvent.LinkUp(EventSource.NETLINK, 2, Optional.of("mp1")));
            // Another connection's subflow event is not this one's.
            runner.onEvent(new MptcpEvent.SubflowEstablished(EventSource.NETLINK,
                    new MptcpToken(0xdef), L1, PEER, 1, 0, false, OptionalInt.empty()));
            Thread.sleep(400);  // a few statistics periods
            r.stop();
            r.dump(file);
        }
        InOrder order = inOrder(control);
        order.verify(control).setBackup(two.get(1), false);
        order.verify(control).removeLocalAddress(two.get(0));
        order.verify(control).close(two.get(0), SubflowClose.ABORT);

        List<RecordedEvent> events = RecordingFile.readAllEvents(file);
        List<RecordedEvent> established = of(events, "io.mptcp.SubflowEstablished");
        assertEquals(1, established.size(), established.toString());
        assertEquals("10.0.2.1:40002", established.get(0).getString("local"));
        assertEquals("10.0.1.2:80", established.get(0).getString("remote"));
        assertTrue(established.get(0).getBoolean("backup"));
        assertEquals("abc", established.get(0).getString("token"));

        RecordedEvent closed = of(events, "io.mptcp.SubflowClosed").get(0);
        assertEquals("10.0.1.1:40001", closed.getString("local"));
        assertEquals("error 104, MP_TCPRST reason 1", closed.getString("reason"));

        RecordedEvent handover = of(events, "io.mptcp.Handover").get(0);
        assertEquals("10.0.1.1:40001", handover.getString("from"));
        assertEquals("10.0.2.1:40002", handover.getString("to"));
        assertEquals("link gone", handover.getString("reason"));
        assertEquals(75, handover.getLong("stall"));
        assertEquals(HandOver.class.getName(), handover.getString("profile"));

        List<String> decisions = of(events, "io.mptcp.PathDecision").stream()
                .map(e -> e.getString("action") + " " + e.getString("local") + " ("
                        + e.getString("reason") + ")" + (e.getString("error").isEmpty() ? ""
                        : " refused: " + e.getString("error"))).toList();
        assertEquals(List.of(
                "active 10.0.2.1:40002 (link mp1 down)",
                "remove address 10.0.1.1:40001 (link gone)",
                "abort 10.0.1.1:40001 (link gone)",
                "backup 10.0.1.1:40001 (link mp1 up) refused: setSubflowBackup: refused (EINVAL)"),
                decisions, "the reason is the event until the policy reports its own");

        List<RecordedEvent> stats = of(events, "io.mptcp.SubflowStatistics").stream()
                .filter(e -> "abc".equals(e.getString("token"))).toList();
        assertTrue(stats.size() >= 2, "one per subflow and period: " + stats);
        RecordedEvent s = stats.stream()
                .filter(e -> e.getString("local").equals("10.0.2.1:40002")).findFirst()
                .orElseThrow();
        assertEquals(7000, s.getLong("bytesAcked"));
        assertEquals(20, s.getLong("cwnd"));
        assertEquals(Duration.ofNanos(1_500_000), s.getDuration("rtt"));
        assertTrue(s.getBoolean("backup"));
    }

    @Test
    void aRefusedCommandStillThrowsToThePolicy() throws Exception {
        SubflowControl control = mock(SubflowControl.class);
        SubflowControl.Host host = mock(SubflowControl.Host.class);
        when(host.isOpen()).thenReturn(true);
        doThrow(new IOException("no")).when(control).removeLocalAddress(any());
        PolicyRunner runner = new PolicyRunner(new HandOver(), control, host,
                mock(PmSession.class), TOKEN, PEER, "test");
        IOException x = assertThrows(IOException.class,
                () -> runner.removeLocalAddress(subflow(L1, false, 0)));
        assertEquals("no", x.getMessage());
    }

    @Test
    void aClosedConnectionIsNoLongerRead(@TempDir Path dir) throws Exception {
        SubflowControl.Host host = mock(SubflowControl.Host.class);
        when(host.isOpen()).thenReturn(true);
        when(host.subflows()).thenReturn(List.of(subflow(L1, false, 1)));
        PolicyRunner runner = new PolicyRunner(new HandOver(), mock(SubflowControl.class), host,
                mock(PmSession.class), new MptcpToken(0x5150), PEER, "test");
        runner.tick(0);
        when(host.isOpen()).thenReturn(false);
        Path file = dir.resolve("closed.jfr");
        try (Recording r = new Recording()) {
            r.enable("io.mptcp.SubflowStatistics").withPeriod(Duration.ofMillis(50));
            r.start();
            Thread.sleep(400);
            r.stop();
            r.dump(file);
        }
        assertTrue(Files.size(file) > 0);
        assertEquals(0, RecordingFile.readAllEvents(file).stream()
                .filter(e -> "5150".equals(e.getString("token"))).count(),
                "closed before the recording: nothing read");
    }

    private static List<RecordedEvent> of(List<RecordedEvent> events, String name) {
        return events.stream().filter(e -> e.getEventType().getName().equals(name)).toList();
    }

    private static Subflow subflow(InetSocketAddress local, boolean backup, long acked) {
        return Subflow.builder().local(local).remote(PEER).localBackup(backup)
                .tcp(TcpInfo.builder().state(TcpInfo.STATE_ESTABLISHED).bytesAcked(acked)
                        .sndCwnd(20).rttMicros(1500).build()).build();
    }
}
