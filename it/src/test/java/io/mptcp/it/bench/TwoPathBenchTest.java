package io.mptcp.it.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mptcp.it.bench.TwoPathBench.Judge;
import io.mptcp.it.bench.TwoPathBench.Row;

import java.util.List;

import org.junit.jupiter.api.Test;

/** The two-path suite's arithmetic and verdicts, without a test bed. */
class TwoPathBenchTest {

    private static Row row(Judge judge, boolean higherIsBetter, double target, Double... v) {
        return new Row("handover", "HANDOVER (CLIENT_USERSPACE)", "figure", "key", List.of(v),
                judge, higherIsBetter, target);
    }

    @Test
    void medianOfAnOddAndAnEvenCount() {
        assertEquals(14.0, row(Judge.MEDIAN, false, 100, 100.2, 13.5, 14.0, 12.2, 23.3).median());
        assertEquals(15.0, row(Judge.MEDIAN, false, 100, 20.0, 10.0, 12.0, 18.0).median());
        assertEquals(10.0, row(Judge.MEDIAN, false, 100, 20.0, 10.0, 12.0, 18.0).min());
        assertEquals(20.0, row(Judge.MEDIAN, false, 100, 20.0, 10.0, 12.0, 18.0).max());
    }

    @Test
    void aSubflowNeverGoneIsInfinityAndMissesAnUpperBound() {
        Row r = row(Judge.MEDIAN, false, 100, Double.POSITIVE_INFINITY, 20.0,
                Double.POSITIVE_INFINITY);
        assertEquals(Double.POSITIVE_INFINITY, r.median());
        assertEquals("MISSED", r.verdict(false));
        assertEquals("inf", TwoPathBench.fmt(r.median()));
    }

    @Test
    void everyRunIsJudgedByTheWorstRun() {
        Row lost = row(Judge.EVERY_RUN, false, 0, 0.0, 0.0, 1.0, 0.0, 0.0);
        assertEquals(0.0, lost.median());
        assertEquals("MISSED", lost.verdict(false));
        assertEquals("every run <= 0", lost.targetText());
        assertEquals("met", row(Judge.EVERY_RUN, false, 0, 0.0, 0.0).verdict(false));
    }

    @Test
    void aLowerBoundIsMetAtTheMedian() {
        Row ratio = row(Judge.MEDIAN, true, 1.95, 1.90, 1.96, 1.97);
        assertEquals("met", ratio.verdict(false));
        assertEquals(">= 1.950", ratio.targetText());
        assertEquals("MISSED", row(Judge.MEDIAN, true, 1.95, 1.90, 1.94, 1.97).verdict(false));
    }

    @Test
    void reportedFiguresAndSmokeRunsHaveNoVerdict() {
        Row baseline = row(Judge.REPORTED, false, Double.NaN, 400.0);
        assertEquals("", baseline.verdict(false));
        assertEquals("reported", baseline.targetText());
        assertEquals("n/a (smoke)", row(Judge.MEDIAN, false, 100, 400.0).verdict(true));
    }

    @Test
    void figuresPrintIntegersAsIntegersAndKeepThreeDigits() {
        assertEquals("0", TwoPathBench.fmt(0));
        assertEquals("14.188", TwoPathBench.fmt(14.1881));
        assertEquals("476.7", TwoPathBench.fmt(476.71));
        assertEquals("nan", TwoPathBench.fmt(Double.NaN));
    }

    @Test
    void optionsRefuseNoRunsAndNoTime() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new TwoPathBench.Options(0, false, 5, "CLIENT_USERSPACE",
                        "CLIENT_USERSPACE", null));
        assertTrue(e.getMessage().contains("--runs 0"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new TwoPathBench.Options(5, false, 0,
                "CLIENT_USERSPACE", "CLIENT_USERSPACE", null));
    }

    @Test
    void anUnknownCaseIsRefusedBeforeAnythingRuns() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TwoPathBench.run(List.of("handover", "bulk"),
                        TwoPathBench.Options.defaults()));
        assertEquals("two-path case 'bulk': the cases are handover, aggregate, interactive",
                e.getMessage());
    }
}
