package io.mptcp.examples.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mptcp.nio.pm.PathProfile;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Optional;

/** The demo's model from its children's lines, and its command line. */
class DemoStateTest {
    private static final String SHA = "ab".repeat(32);
    private static final String OTHER_SHA = "cd".repeat(32);

    @Test
    void subflowTableIsTheClientsWithBackupFlagsFromTheServersEvents() {
        DemoState s = new DemoState(0, Direction.BOTH);
        s.event(10, "client", "[   ESTABLISHED] token=1 remid=0 locid=0 saddr4=10.250.1.1"
                + " daddr4=10.250.1.2 sport=4000 dport=5201");
        // The server learns the join's backup flag first; the client's event carries the
        // server's flag (0), which must not win.
        s.event(20, "server", "[SF_ESTABLISHED] token=2 remid=1 locid=0 saddr4=10.250.1.2"
                + " daddr4=10.250.2.1 sport=5201 dport=4001 backup=1");
        s.event(21, "client", "[SF_ESTABLISHED] token=1 remid=0 locid=1 saddr4=10.250.2.1"
                + " daddr4=10.250.1.2 sport=4001 dport=5201 backup=0");
        assertEquals(List.of(
                new DemoState.SubflowRow("10.250.1.1:4000", "10.250.1.2:5201", false),
                new DemoState.SubflowRow("10.250.2.1:4001", "10.250.1.2:5201", true)),
                List.copyOf(s.subflows.values()));

        s.event(30, "server", "[       SF_PRIO] token=2 remid=1 locid=0 saddr4=10.250.1.2"
                + " daddr4=10.250.2.1 sport=5201 dport=4001 backup=0");
        s.event(31, "client", "[     SF_CLOSED] token=1 remid=0 locid=0 saddr4=10.250.1.1"
                + " daddr4=10.250.1.2 sport=4000 dport=5201 backup=0 error=103");
        assertEquals(List.of(new DemoState.SubflowRow("10.250.2.1:4001", "10.250.1.2:5201",
                false)), List.copyOf(s.subflows.values()));
        assertEquals(1, s.eventCounts.get("server").get("SF_PRIO"));
        assertEquals(1, s.eventCounts.get("client").get("SF_CLOSED"));
        assertEquals(5, s.log.size());
    }

    @Test
    void resultComparesWhatWasSentWithWhatArrived() {
        DemoState s = new DemoState(0, Direction.BOTH);
        s.transferLine("client", "sent 100 bytes sha256 " + SHA);
        assertFalse(s.result(true).complete());
        s.transferLine("server", "received 100 bytes sha256 " + SHA
                + " longest-gap-ms 42 gap-end-epoch-ms 1234");
        DemoState.Result up = s.result(true);
        assertTrue(up.intact());
        assertEquals(42, up.longestGapMillis());
        assertEquals(1234, up.gapEndEpochMillis());

        s.transferLine("server", "sent 100 bytes sha256 " + SHA);
        s.transferLine("client", "received 100 bytes sha256 " + OTHER_SHA
                + " longest-gap-ms 1 gap-end-epoch-ms 1");
        assertTrue(s.result(false).complete());
        assertFalse(s.result(false).intact());
    }

    @Test
    void stallAtTheFailureCountsOnlyStallsThatEndedDuringIt() {
        DemoState s = new DemoState(0, Direction.UP);
        s.transferLine("server", "stall 900 ms ended-epoch-ms 500");
        assertEquals(-1, s.stallAtFailure("server"), "no failure yet");
        s.linkDownEpochMillis = 1000;
        s.linkUpAgainEpochMillis = 5000;
        s.transferLine("server", "stall 150 ms ended-epoch-ms 1150");
        s.transferLine("server", "stall 250 ms ended-epoch-ms 6900");
        s.transferLine("server", "stall 700 ms ended-epoch-ms 7100");
        s.transferLine("client", "stall 600 ms ended-epoch-ms 1600");
        assertEquals(250, s.stallAtFailure("server"));
        assertEquals(600, s.stallAtFailure("client"));
    }

    @Test
    void link2TakesOverAtTheFirstSampleWhollyAfterTheFailure() {
        DemoState s = new DemoState(0, Direction.UP);
        s.counters(900, 0, 0, 0, 0);
        s.linkDownEpochMillis = 950;
        // This sample spans the failure: it does not count, however much moved.
        s.counters(1000, 0, 0, 1_000_000, 0);
        assertEquals(-1, s.dataOnLink2EpochMillis);
        s.counters(1100, 0, 0, 1_010_000, 0);
        assertEquals(-1, s.dataOnLink2EpochMillis, "10 kB is not the data");
        s.counters(1200, 0, 0, 1_700_000, 5);
        assertEquals(1200, s.dataOnLink2EpochMillis);
        assertEquals(690_000 * 8.0 / 1000 / 100, s.rateMbit(1, true), 1e-9);
        assertTrue(s.log.get(s.log.size() - 1).text().contains("250 ms after link 1"));
    }

    @Test
    void optionsParseAndRejectWithTheChoices() {
        TwoPathDemo.Options o = TwoPathDemo.Options.parse(new String[] {"--profile", "NONE",
                "--no-failure", "--direction", "down", "--seconds", "5", "--plain"});
        assertEquals(new TwoPathDemo.Options(PathProfile.NONE, false, Direction.DOWN, 5,
                Optional.of(false)), o);
        assertEquals(new TwoPathDemo.Options(PathProfile.HANDOVER, true, Direction.BOTH, 12,
                Optional.empty()), TwoPathDemo.Options.parse(new String[0]));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TwoPathDemo.Options.parse(new String[] {"--profile", "fast"}));
        assertEquals("--profile fast names no path profile; use one of "
                + PathProfile.choices(), e.getMessage());
        assertEquals("--seconds 2: give a whole number of seconds, 3 to 120",
                assertThrows(IllegalArgumentException.class, () -> TwoPathDemo.Options.parse(
                        new String[] {"--seconds", "2"})).getMessage());
        assertEquals("--direction sideways: use one of up, down, both",
                assertThrows(IllegalArgumentException.class, () -> TwoPathDemo.Options.parse(
                        new String[] {"--direction", "sideways"})).getMessage());
        assertEquals("--seconds needs a value", assertThrows(IllegalArgumentException.class,
                () -> TwoPathDemo.Options.parse(new String[] {"--seconds"})).getMessage());
        assertEquals("unknown option --fast", assertThrows(IllegalArgumentException.class,
                () -> TwoPathDemo.Options.parse(new String[] {"--fast"})).getMessage());
    }
}
