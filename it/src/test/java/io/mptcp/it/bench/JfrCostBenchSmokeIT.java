package io.mptcp.it.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.mptcp.it.support.Prerequisites;

import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The benchmark's {@code jfr} suite, one small run: each child JVM (this build, and this build
 * under {@code -XX:StartFlightRecording}) builds its two-path test bed, gets HANDOVER's backup
 * subflow, moves 16 MiB each way with matching SHA-256 and prints its figure; the suite reports
 * no failure. The figures are not asserted.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class JfrCostBenchSmokeIT {

    @Test
    void everyKindOfChildMeasuresAnIntactTransfer() throws Exception {
        Prerequisites.requireTwoPathTestBed();
        List<String> failures = JfrCostBench.run(1, null, 16);
        assertEquals(List.of(), failures);
    }

    @Test
    void aBaselineThatIsNoFileIsRefusedWithTheReason() throws Exception {
        List<String> failures = JfrCostBench.run(1, "/nonexistent/mptcp-nio.jar", 16);
        assertEquals(List.of("--jfr-baseline /nonexistent/mptcp-nio.jar is not a file; give the"
                + " path of a mptcp-nio jar built from the commit to compare with"), failures);
    }
}
