package io.mptcp.examples.demo;

import java.io.PrintStream;
import java.util.List;
import java.util.Locale;

/**
 * The demo's terminal view. On a terminal ({@code --ansi}) it redraws one screen: the links
 * with their state and rates, the client's subflows, and the latest events. Otherwise
 * ({@code --plain}) it writes a log, one line per event and one line of rates per second, which
 * a program can parse. Both end with the same summary lines.
 */
final class LiveView {
    private static final String CLEAR = "\033[H\033[2J";
    private static final String BOLD = "\033[1m";
    private static final String RED = "\033[31m";
    private static final String GREEN = "\033[32m";
    private static final String RESET = "\033[0m";
    private static final int EVENTS_SHOWN = 12;
    private static final long PLAIN_RATE_PERIOD_MS = 1000;

    private final PrintStream out;
    private final boolean ansi;
    private final String title;
    private int logged;
    private boolean titled;
    private long nextRateLine;

    LiveView(PrintStream out, boolean ansi, String title) {
        this.out = out;
        this.ansi = ansi;
        this.title = title;
    }

    /** Shows what changed since the last call. */
    void render(DemoState state, long nowEpochMillis) {
        if (ansi) {
            redraw(state, nowEpochMillis);
        } else {
            appendLog(state, nowEpochMillis);
        }
    }

    /** Ends the view: the remaining log lines, then {@code lines} as they are. */
    void finish(DemoState state, long nowEpochMillis, List<String> lines) {
        if (ansi) {
            redraw(state, nowEpochMillis);
        } else {
            appendLog(state, nowEpochMillis);
        }
        lines.forEach(out::println);
        out.flush();
    }

    private void appendLog(DemoState state, long now) {
        if (!titled) {
            out.println(title);
            titled = true;
        }
        for (; logged < state.log.size(); logged++) {
            DemoState.LogEntry e = state.log.get(logged);
            out.printf(Locale.ROOT, "%+7.1f s  %-6s  %s%n", e.atMillis() / 1000.0, e.side(),
                    e.text());
        }
        if (state.latest != null && now >= nextRateLine) {
            nextRateLine = now + PLAIN_RATE_PERIOD_MS;
            out.printf(Locale.ROOT, "%+7.1f s  %-6s  %s%n", state.elapsedMillis(now) / 1000.0,
                    "rate", rates(state) + "  subflows: " + subflows(state));
        }
        out.flush();
    }

    private static String rates(DemoState s) {
        return String.format(Locale.ROOT,
                "link 1 %s up %5.1f down %5.1f Mbit/s | link 2 %s up %5.1f down %5.1f Mbit/s",
                s.linkUp[0] ? "UP  " : "DOWN", s.rateMbit(0, true), s.rateMbit(0, false),
                s.linkUp[1] ? "UP  " : "DOWN", s.rateMbit(1, true), s.rateMbit(1, false));
    }

    private static String subflows(DemoState s) {
        if (s.subflows.isEmpty()) {
            return "none";
        }
        StringBuilder b = new StringBuilder();
        for (DemoState.SubflowRow r : s.subflows.values()) {
            if (b.length() > 0) {
                b.append(", ");
            }
            b.append(r.local()).append("->").append(r.remote())
                    .append(r.backup() ? " backup" : " active");
        }
        return b.toString();
    }

    private void redraw(DemoState s, long now) {
        StringBuilder b = new StringBuilder(CLEAR);
        b.append(BOLD).append(title).append(RESET).append('\n');
        b.append(String.format(Locale.ROOT, "t = %+.1f s%n%n", s.elapsedMillis(now) / 1000.0));
        for (int i = 0; i < 2; i++) {
            double up = s.rateMbit(i, true);
            double down = s.rateMbit(i, false);
            b.append(String.format(Locale.ROOT, "link %d  %-11s <-> %-11s %s  up %5.1f Mbit/s %-25s"
                            + " down %5.1f Mbit/s %s%n", i + 1, Namespaces.clientAddress(i + 1),
                    Namespaces.serverAddress(i + 1),
                    s.linkUp[i] ? GREEN + "UP  " + RESET : RED + "DOWN" + RESET, up, bar(up),
                    down, bar(down)));
        }
        b.append("\nsubflows (the client's, from MPTCP events):\n");
        if (s.subflows.isEmpty()) {
            b.append("  none\n");
        }
        for (DemoState.SubflowRow r : s.subflows.values()) {
            b.append(String.format(Locale.ROOT, "  %-21s -> %-21s %s%n", r.local(), r.remote(),
                    r.backup() ? "backup" : "active"));
        }
        b.append("\nevents:\n");
        for (int i = Math.max(0, s.log.size() - EVENTS_SHOWN); i < s.log.size(); i++) {
            DemoState.LogEntry e = s.log.get(i);
            b.append(String.format(Locale.ROOT, "  %+6.1f s  %-6s  %s%n", e.atMillis() / 1000.0,
                    e.side(), e.text()));
        }
        out.print(b);
        out.flush();
    }

    /** A bar of up to 25 characters, full at 50 Mbit/s (the demo's link rate). */
    private static String bar(double mbit) {
        int n = (int) Math.round(Math.min(mbit, 50) / 2);
        return "[" + "#".repeat(n) + " ".repeat(25 - n) + "]";
    }
}
