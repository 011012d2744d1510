package io.mptcp.it.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mptcp.examples.PathSteering;
import io.mptcp.it.support.ChildJvm;
import io.mptcp.it.support.NetNamespace.InterfaceCounters;
import io.mptcp.it.support.Prerequisites;
import io.mptcp.it.support.TwoPathTestBed;
import io.mptcp.it.support.TwoPathTestBed.Link;
import io.mptcp.nio.MptcpSelectorProvider;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The path-steering example on the two-path test bed (client namespace on the userspace path
 * manager): its tables show the transfer on link 1, then on link 2, then on link 1 again; the
 * links' own byte counters agree that both carried a real part of it, and the sink's SHA-256
 * equals the sender's.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class PathSteeringIT {
    private static final Duration LIMIT = Duration.ofSeconds(60);
    private static final String PROVIDER = "-D" + ChildJvm.PROVIDER_PROPERTY + "="
            + ChildJvm.PROVIDER_CLASS;
    private static final int RATE_MBIT = 50;
    // "    1  /10.250.1.1:40000   /10.250.1.2:5201   12345678  100.0%"
    private static final Pattern ROW = Pattern.compile(
            "^\\s+(\\S+)\\s+/([0-9.]+):(\\d+)\\s+/([0-9.]+):(\\d+)\\s+(\\d+)\\s+([0-9.]+)%$");

    /** One row of a step's table. */
    record Row(String local, String remote, long sent, double share) {
    }

    @BeforeAll
    static void classPath() {
        ChildJvm.requireOnClassPath(PathSteering.class, MptcpSelectorProvider.class);
    }

    @Test
    void movesTheTransferToLink2AndBack() throws Exception {
        Prerequisites.requireTwoPathTestBed();
        Prerequisites.require(Prerequisites.kernelAtLeast(5, 19), "subflow control needs the"
                + " userspace path manager (Linux 5.19+)");
        try (TwoPathTestBed bed = TwoPathTestBed.start(TwoPathTestBed.PathManager.CLIENT_USERSPACE)) {
            bed.links().forEach(l -> bed.limitRate(l, RATE_MBIT));
            Link one = bed.link(1);
            Link two = bed.link(2);
            try (ChildJvm sink = ChildJvm.start(netnsExec(bed.server().name()),
                    List.of(PROVIDER), PathSteering.class.getName(), "--sink", "0")) {
                String listening = sink.awaitLine(l -> l.startsWith("sink listening on "), LIMIT,
                        "its port");
                String port = listening.substring(listening.lastIndexOf(':') + 1);
                InterfaceCounters one0 = bed.counters(one);
                InterfaceCounters two0 = bed.counters(two);
                String out;
                try (ChildJvm client = ChildJvm.start(netnsExec(bed.client().name()),
                        List.of(PROVIDER), PathSteering.class.getName(),
                        one.serverAddress().getHostAddress() + ":" + port,
                        one.clientAddress().getHostAddress(),
                        two.clientAddress().getHostAddress(),
                        two.serverAddress().getHostAddress(), "2")) {
                    assertEquals(0, client.awaitExit(LIMIT), client::describe);
                    out = client.describe();
                }
                InterfaceCounters onOne = bed.counters(one).since(one0);
                InterfaceCounters onTwo = bed.counters(two).since(two0);
                String received = sink.awaitLine(l -> l.startsWith("received "), LIMIT,
                        "the end of the transfer");

                Matcher sent = Pattern.compile("^sent (\\d+) bytes sha256 ([0-9a-f]{64})$",
                        Pattern.MULTILINE).matcher(out);
                assertTrue(sent.find(), out);
                assertTrue(received.startsWith("received " + sent.group(1) + " bytes sha256 "
                        + sent.group(2)), received + " vs " + sent.group());

                String l1 = one.clientAddress().getHostAddress();
                String l2 = two.clientAddress().getHostAddress();
                List<Row> step1 = table(out, 1);
                List<Row> step2 = table(out, 2);
                List<Row> step3 = table(out, 3);
                assertEquals(1, step1.size(), out);
                assertEquals(l1, step1.get(0).local(), out);
                assertEquals(2, step2.size(), out);
                // The steps' shares: link 1 a backup now, link 2 carries (nearly) everything;
                // then link 2 is closed and link 1 alone carries it.
                assertTrue(share(step2, l2) >= 75.0, "step 2 on link 2:\n" + out);
                assertEquals(1, step3.size(), out);
                assertEquals(l1, step3.get(0).local(), out);
                assertTrue(step3.get(0).sent() > 0, out);
                // The links' own counters: both carried a real part of the transfer.
                long total = Long.parseLong(sent.group(1));
                assertTrue(onOne.txBytes() >= total / 5 && onTwo.txBytes() >= total / 5,
                        "link 1 sent " + onOne.txBytes() + " B, link 2 " + onTwo.txBytes()
                                + " B of " + total + "\n" + out);
                System.out.printf("[PathSteeringIT] %d bytes: link 1 sent %d B, link 2 %d B;"
                                + " step shares on link 2: %.1f %% / %.1f %% / %.1f %%%n%s%n",
                        total, onOne.txBytes(), onTwo.txBytes(), share(step1, l2),
                        share(step2, l2), share(step3, l2), out);
            }
        }
    }

    private static List<String> netnsExec(String ns) {
        return List.of("ip", "netns", "exec", ns);
    }

    /** The rows of step {@code step}'s table. */
    private static List<Row> table(String out, int step) {
        String[] lines = out.split("\n");
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < lines.length; i++) {
            if (lines[i].startsWith("step " + step + " table: ")) {
                for (int j = i + 2; j < lines.length; j++) {
                    Matcher m = ROW.matcher(lines[j]);
                    if (!m.matches()) {
                        break;
                    }
                    rows.add(new Row(m.group(2), m.group(4), Long.parseLong(m.group(6)),
                            Double.parseDouble(m.group(7))));
                }
                return rows;
            }
        }
        throw new AssertionError("no table of step " + step + " in\n" + out);
    }

    private static double share(List<Row> rows, String local) {
        return rows.stream().filter(r -> r.local().equals(local)).mapToDouble(Row::share).sum();
    }
}
