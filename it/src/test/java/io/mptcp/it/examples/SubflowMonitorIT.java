package io.mptcp.it.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mptcp.examples.SubflowMonitor;
import io.mptcp.it.support.ChildJvm;
import io.mptcp.it.support.Prerequisites;
import io.mptcp.nio.MptcpSelectorProvider;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The subflow table example prints the live subflow of a loopback transfer. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class SubflowMonitorIT {
    private static final Duration LIMIT = Duration.ofSeconds(60);
    // "    1  /127.0.0.1:40000  /127.0.0.1:5201  rtt  cwnd  MiB/s"
    private static final Pattern ROW = Pattern.compile(
            "^\\s+1\\s+/127\\.0\\.0\\.1:\\d+\\s+/127\\.0\\.0\\.1:\\d+\\s+(\\d+)\\s+(\\d+)\\s+"
                    + "([0-9.]+)$", Pattern.MULTILINE);

    @BeforeAll
    static void classPath() {
        ChildJvm.requireOnClassPath(SubflowMonitor.class, MptcpSelectorProvider.class);
    }

    @Test
    void printsTheInitialSubflowWithItsRttAndThroughput() throws Exception {
        Prerequisites.requireMptcpEnabled();
        try (ChildJvm child = ChildJvm.start(List.of(),
                List.of("-D" + ChildJvm.PROVIDER_PROPERTY + "=" + ChildJvm.PROVIDER_CLASS),
                SubflowMonitor.class.getName(), "2")) {
            assertEquals(0, child.awaitExit(LIMIT), child::describe);
            String out = child.describe();
            assertTrue(out.contains(", MPTCP true, token "), out);
            // The report comes after the write that crosses each second: a kernel stall
            // can delay it, so the time stamp is not asserted.
            assertTrue(Pattern.compile("^t=\\d+\\.\\ds  1 subflow\\(s\\)$", Pattern.MULTILINE)
                    .matcher(out).find(), out);
            Matcher row = ROW.matcher(out);
            assertTrue(row.find(), out);
            assertTrue(Long.parseLong(row.group(1)) > 0, "rtt: " + out);
            assertTrue(Double.parseDouble(row.group(3)) > 1.0, "MiB/s: " + out);
        }
    }

    @Test
    void underTheJdkProviderItSaysWhatItNeeds() throws Exception {
        try (ChildJvm child = ChildJvm.start(List.of(), List.of(),
                SubflowMonitor.class.getName(), "1")) {
            assertEquals(2, child.awaitExit(LIMIT), child::describe);
            assertTrue(child.describe().contains("SubflowMonitor needs mptcp-nio"),
                    child::describe);
        }
    }
}
