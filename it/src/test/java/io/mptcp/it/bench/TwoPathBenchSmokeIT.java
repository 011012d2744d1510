package io.mptcp.it.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mptcp.it.support.Prerequisites;
import io.mptcp.it.support.TwoPathTestBed;
import io.mptcp.nio.pm.PathProfile;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The benchmark's {@code two-path} suite in smoke mode (one run, small sizes): every case runs
 * every side and checks its bytes (SHA-256); no case may fail. What is asserted is what the
 * kernel and the links show, never a time: no byte lost, where HANDOVER's rest went by link 2's
 * interface counter, the dead subflow gone from the client's list, and a figure for every side.
 * The test beds are deleted by the bench (try-with-resources per side); the test checks that
 * none is left.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class TwoPathBenchSmokeIT {

    @Test
    void everyCaseRunsEverySide() {
        Prerequisites.requireTwoPathTestBed();
        List<String> before = TwoPathTestBed.namespaces();
        TwoPathBench.Options smoke = new TwoPathBench.Options(1, true, 1, "CLIENT_USERSPACE",
                "CLIENT_USERSPACE", null);
        TwoPathBench.Outcome out = TwoPathBench.run(TwoPathBench.CASES, smoke);

        assertTrue(out.failures().isEmpty(), () -> "cases failed: " + out.failures());
        Map<String, PathProfile> profileOf = Map.of("handover", PathProfile.HANDOVER,
                "aggregate", PathProfile.AGGREGATE, "interactive", PathProfile.INTERACTIVE);
        assertEquals(profileOf.keySet(), Set.copyOf(TwoPathBench.CASES));
        for (String c : TwoPathBench.CASES) {
            String profile = profileOf.get(c).name();
            List<TwoPathBench.Row> rows = out.rows().stream()
                    .filter(r -> r.caseName().equals(c)).toList();
            assertTrue(rows.stream().anyMatch(r -> r.side().startsWith(profile + " (")),
                    () -> c + " has no row of its profile side: " + rows);
            assertTrue(rows.stream().anyMatch(r -> r.side().startsWith("in-kernel PM")),
                    () -> c + " has no row of the in-kernel PM: " + rows);
            for (TwoPathBench.Row r : rows) {
                assertEquals(1, r.values().size(), r::toString);
                assertFalse(r.values().get(0).isNaN(), r::toString);
            }
        }

        // HANDOVER: nothing lost, the rest went over link 2 (its client-side TX counter), and
        // the dead subflow left the client's list while the bench watched.
        TwoPathBench.Row lost = row(out, "handover", "HANDOVER", "lost_bytes");
        assertEquals(0.0, lost.values().get(0), lost::toString);
        TwoPathBench.Row share = row(out, "handover", "HANDOVER", "link2_share");
        assertTrue(share.values().get(0) >= 0.5, share::toString);
        TwoPathBench.Row gone = row(out, "handover", "HANDOVER", "client_gone_ms");
        assertFalse(gone.values().get(0).isInfinite(), gone::toString);
        TwoPathBench.Row kernelLost = row(out, "handover", "in-kernel PM", "lost_bytes");
        assertEquals(0.0, kernelLost.values().get(0), kernelLost::toString);

        // Only this JVM's: other test runs on the machine make test beds of their own.
        String mine = "mpnio-" + ProcessHandle.current().pid() + "-";
        List<String> left = TwoPathTestBed.namespaces().stream()
                .filter(n -> n.startsWith(mine) && !before.contains(n)).toList();
        assertTrue(left.isEmpty(), () -> "namespaces left behind: " + left);
    }

    private static TwoPathBench.Row row(TwoPathBench.Outcome out, String c, String sidePrefix,
            String key) {
        return out.rows().stream().filter(r -> r.caseName().equals(c)
                        && r.side().startsWith(sidePrefix) && r.key().equals(key)).findFirst()
                .orElseThrow(() -> new AssertionError("no " + c + " " + sidePrefix + " " + key
                        + " in " + out.rows()));
    }
}
