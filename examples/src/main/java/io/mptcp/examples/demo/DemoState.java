package io.mptcp.examples.demo;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the demo knows so far, built from its children's lines: the client's subflows (from the
 * MPTCP events of both namespaces), the links' byte counters and rates, the events, and the
 * transfer's results. Used from the demo's main thread only.
 */
final class DemoState {
    private static final Pattern NAME = Pattern.compile("^\\[\\s*([A-Z_0-9]+(?: \\d+)?)\\]");
    private static final Pattern FIELD = Pattern.compile("(\\w+)=(\\S+)");
    private static final Pattern RECEIVED = Pattern.compile(
            "^received (\\d+) bytes sha256 ([0-9a-f]{64}) longest-gap-ms (\\d+)"
                    + " gap-end-epoch-ms (\\d+)$");
    private static final Pattern STALL = Pattern.compile(
            "^stall (\\d+) ms ended-epoch-ms (\\d+)$");
    private static final Pattern SENT = Pattern.compile(
            "^sent (\\d+) bytes sha256 ([0-9a-f]{64})$");
    // A link carries "the data" once one 100 ms sample moves this much on it: far above the
    // acknowledgements and MPTCP signalling a backup path sees, far below a 50 Mbit/s link.
    private static final long CARRYING_BYTES_PER_SAMPLE = 64 * 1024;

    /** One subflow as the client sees it; {@code backup} as last signalled. */
    record SubflowRow(String local, String remote, boolean backup) {
    }

    /** A line of the event log: when (ms since the demo started), who, what. */
    record LogEntry(long atMillis, String side, String text) {
    }

    /** A sample of the client end's link counters, index 0 for link 1. */
    record Sample(long epochMillis, long[] tx, long[] rx) {
    }

    /** One direction's outcome: what was sent, what arrived; -1 and null where unknown. */
    record Result(long sentBytes, String sentSha, long receivedBytes, String receivedSha,
            long longestGapMillis, long gapEndEpochMillis) {
        boolean complete() {
            return sentSha != null && receivedSha != null;
        }

        boolean intact() {
            return complete() && sentBytes == receivedBytes && sentSha.equals(receivedSha);
        }
    }

    /** A wait of the receiving {@code side} between two reads, as it ended. */
    record Stall(String side, long millis, long endEpochMillis) {
    }

    private record Sent(long bytes, String sha) {
    }

    private record Received(long bytes, String sha, long longestGapMillis,
            long gapEndEpochMillis) {
    }

    final long startEpochMillis;
    final Direction direction;
    final Map<String, SubflowRow> subflows = new LinkedHashMap<>();
    final List<LogEntry> log = new ArrayList<>();
    final Map<String, Map<String, Integer>> eventCounts = new TreeMap<>();
    final boolean[] linkUp = {true, true};
    final List<Stall> stalls = new ArrayList<>();
    Sample previous;
    Sample latest;
    long linkDownEpochMillis = -1;
    long linkUpAgainEpochMillis = -1;
    long dataOnLink2EpochMillis = -1;
    // the client's backup flag per subflow (client-view key), as the server's events report it
    private final Map<String, Boolean> clientBackup = new LinkedHashMap<>();
    private final Map<String, Sent> sent = new TreeMap<>();
    private final Map<String, Received> received = new TreeMap<>();

    DemoState(long startEpochMillis, Direction direction) {
        this.startEpochMillis = startEpochMillis;
        this.direction = direction;
        eventCounts.put("client", new TreeMap<>());
        eventCounts.put("server", new TreeMap<>());
    }

    void log(long epochMillis, String side, String text) {
        log.add(new LogEntry(epochMillis - startEpochMillis, side, text));
    }

    /** An event in {@code ip mptcp monitor}'s words, seen in {@code side}'s namespace. */
    void event(long epochMillis, String side, String text) {
        log(epochMillis, side, text);
        Matcher n = NAME.matcher(text);
        if (!n.find()) {
            return;
        }
        String name = n.group(1);
        eventCounts.get(side).merge(name, 1, Integer::sum);
        Map<String, String> f = new LinkedHashMap<>();
        Matcher m = FIELD.matcher(text);
        while (m.find()) {
            f.put(m.group(1), m.group(2));
        }
        String s = f.get("saddr4") + ":" + f.get("sport");
        String d = f.get("daddr4") + ":" + f.get("dport");
        boolean backup = "1".equals(f.get("backup"));
        // The table is the client's view: the server's events name the same subflow mirrored.
        boolean client = side.equals("client");
        String key = client ? s + ">" + d : d + ">" + s;
        switch (name) {
            case "ESTABLISHED", "SF_ESTABLISHED", "SF_PRIO" -> {
                // An event carries the peer's backup flag, and SF_PRIO is raised only where
                // the peer's MP_PRIO arrives: the client's own flag is what the server's
                // events say (Linux raises nothing on the side that set it).
                if (!client) {
                    clientBackup.put(key, backup);
                    SubflowRow row = subflows.get(key);
                    if (row != null) {
                        subflows.put(key, new SubflowRow(row.local(), row.remote(), backup));
                    }
                } else if (!name.equals("SF_PRIO")) {
                    subflows.put(key, new SubflowRow(s, d, clientBackup.getOrDefault(key,
                            false)));
                }
            }
            case "SF_CLOSED" -> {
                if (client) {
                    subflows.remove(key);
                }
            }
            case "CLOSED" -> {
                if (client) {
                    subflows.clear();
                }
            }
            default -> {
                // Announcements, listeners, links, addresses: logged and counted only.
            }
        }
    }

    /**
     * The longest stall of the data {@code side} receives that ended while link 1 was down (and
     * up to 2 s after it came back), or -1 if none was reported or the link never went down.
     */
    long stallAtFailure(String side) {
        if (linkDownEpochMillis < 0) {
            return -1;
        }
        long until = linkUpAgainEpochMillis < 0 ? Long.MAX_VALUE : linkUpAgainEpochMillis + 2000;
        return stalls.stream().filter(s -> s.side().equals(side)
                        && s.endEpochMillis() > linkDownEpochMillis && s.endEpochMillis() <= until)
                .mapToLong(Stall::millis).max().orElse(-1);
    }

    /** A {@code sent}/{@code received}/{@code stall} line of the client or the server. */
    void transferLine(String side, String text) {
        Matcher st = STALL.matcher(text);
        if (st.matches()) {
            stalls.add(new Stall(side, Long.parseLong(st.group(1)), Long.parseLong(st.group(2))));
            return;
        }
        Matcher s = SENT.matcher(text);
        if (s.matches()) {
            sent.put(side, new Sent(Long.parseLong(s.group(1)), s.group(2)));
            return;
        }
        Matcher r = RECEIVED.matcher(text);
        if (r.matches()) {
            received.put(side, new Received(Long.parseLong(r.group(1)), r.group(2),
                    Long.parseLong(r.group(3)), Long.parseLong(r.group(4))));
        }
    }

    /** The outcome of what the client sends ({@code up}) or the server sends (not up). */
    Result result(boolean up) {
        Sent s = sent.get(up ? "client" : "server");
        Received r = received.get(up ? "server" : "client");
        return new Result(s == null ? -1 : s.bytes(), s == null ? null : s.sha(),
                r == null ? -1 : r.bytes(), r == null ? null : r.sha(),
                r == null ? -1 : r.longestGapMillis(), r == null ? -1 : r.gapEndEpochMillis());
    }

    /** A sample of the client's link counters; notes when link 2 starts carrying the data. */
    void counters(long epochMillis, long tx1, long rx1, long tx2, long rx2) {
        previous = latest;
        latest = new Sample(epochMillis, new long[] {tx1, tx2}, new long[] {rx1, rx2});
        // Only a sample taken wholly after the failure began counts.
        if (previous != null && linkDownEpochMillis >= 0 && dataOnLink2EpochMillis < 0
                && previous.epochMillis() >= linkDownEpochMillis
                && dataBytes(1, previous, latest) >= CARRYING_BYTES_PER_SAMPLE) {
            dataOnLink2EpochMillis = epochMillis;
            log(epochMillis, "demo", String.format(Locale.ROOT,
                    "[  DATA_ON_LINK2] link 2 carries the data, %d ms after link 1 went down"
                            + " (its byte counter)", epochMillis - linkDownEpochMillis));
        }
    }

    /** Bytes in the data direction on link index {@code i} (0 or 1) between two samples. */
    private long dataBytes(int i, Sample a, Sample b) {
        long up = b.tx()[i] - a.tx()[i];
        long down = b.rx()[i] - a.rx()[i];
        return switch (direction) {
            case UP -> up;
            case DOWN -> down;
            case BOTH -> Math.max(up, down);
        };
    }

    /** The rate on link index {@code i}, client to server ({@code up}) or back, in Mbit/s. */
    double rateMbit(int i, boolean up) {
        if (previous == null || latest.epochMillis() <= previous.epochMillis()) {
            return 0;
        }
        long bytes = up ? latest.tx()[i] - previous.tx()[i] : latest.rx()[i] - previous.rx()[i];
        return bytes * 8.0 / 1000.0 / (latest.epochMillis() - previous.epochMillis());
    }

    /** {@code epochMillis} as milliseconds since the demo started. */
    long elapsedMillis(long epochMillis) {
        return epochMillis - startEpochMillis;
    }
}
