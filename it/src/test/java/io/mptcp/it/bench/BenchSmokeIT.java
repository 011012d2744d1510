package io.mptcp.it.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mptcp.it.support.ChildJvm;
import io.mptcp.it.support.Prerequisites;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The benchmark suite's smoke mode ({@code bin/bench --smoke}): every case runs once, short,
 * on both suites, with checksums, and the driver prints its table. Checks that the harness works
 * and moves the right bytes; its figures are never asserted (this machine is shared).
 */
@Timeout(value = 15, unit = TimeUnit.MINUTES)
class BenchSmokeIT {

    @Test
    void everyCaseRunsAndItsBytesAreVerified() throws Exception {
        Prerequisites.requireKernelView();
        Prerequisites.requireMptcpize();
        Prerequisites.requireTwoPathTestBed();
        // The two-path cases ("multipath") have their own smoke test, TwoPathBenchSmokeIT.
        List<String> cases = BenchDriver.CASES.stream().filter(c -> !c.equals("multipath"))
                .toList();
        try (ChildJvm driver = ChildJvm.start(List.of(), List.of(), BenchDriver.class.getName(),
                "--smoke", "--cases", String.join(",", cases))) {
            driver.awaitLine(l -> l.startsWith("| suite | case |"), Duration.ofMinutes(14),
                    "the results table");
            assertEquals(0, driver.awaitExit(Duration.ofMinutes(1)), driver::describe);
            String out = driver.describe();
            assertFalse(out.contains("FAILED"), out);
            for (String suite : List.of("tcp", "mptcp")) {
                for (String bench : BenchDriver.CASES) {
                    if (bench.equals("multipath") || bench.equals("events")) {
                        continue; // run once, not per suite; checked below
                    }
                    if (!bench.equals("alloc")) {
                        assertTrue(out.contains("[" + suite + "] " + bench + ": "),
                                () -> suite + " " + bench + " did not run\n" + out);
                    }
                    assertTrue(out.contains("| " + suite + " | " + bench + " | "),
                            () -> suite + " " + bench + " has no row in the table\n" + out);
                }
            }
            assertTrue(out.contains("[alloc] bytes allocated"), out);
            assertTrue(out.contains("| events | rate | "),
                    () -> "the events case has no row in the table\n" + out);
        }
    }
}
