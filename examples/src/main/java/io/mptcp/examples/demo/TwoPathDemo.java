package io.mptcp.examples.demo;

import io.mptcp.examples.EchoDemo;
import io.mptcp.nio.pm.PathProfile;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.StringJoiner;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The one-command demo ({@code bin/demo}): Multipath TCP over two real paths, a link failure
 * in the middle of a transfer, and what the connection does about it, live.
 *
 * <p>It builds two network namespaces joined by two 50 Mbit/s links ({@link Namespaces}),
 * starts an ordinary NIO server and client ({@link NioTransfer}) in them under the mptcp-nio
 * provider, the client with a path profile (HANDOVER by default), and an observer in each
 * namespace ({@link DemoMonitor}: the library's MPTCP event channel, and the client's link
 * counters). A third of the way into the transfer it takes link 1, the one the connection
 * started on, down at both ends; two thirds in it brings it back. It ends with a summary:
 * bytes, whether the SHA-256 of what arrived matches what was sent, the longest stall the
 * receiver saw, and the events seen.
 *
 * <pre>
 * TwoPathDemo [--profile none|handover|…] [--no-failure] [--direction up|down|both]
 *             [--seconds N] [--ansi|--plain]
 * </pre>
 *
 * <p>It needs root, a kernel with MPTCP and iproute2 ({@code ip}, {@code tc}). Without them it
 * says why in one line and runs the loopback {@link EchoDemo} instead. Exit status 0 when every
 * byte arrived intact, 1 when not, 2 for bad options.
 */
public final class TwoPathDemo {
    /** Setting this system property to {@code true} makes the demo act as if not run as root. */
    public static final String ASSUME_UNPRIVILEGED = "io.mptcp.demo.assumeUnprivileged";

    private static final int RATE_MBIT = 50;
    private static final int PORT = 5201;
    private static final long START_TIMEOUT_MS = 30_000;
    private static final long END_GRACE_MS = 20_000;
    private static final long FRAME_MS = 250;

    private TwoPathDemo() {
    }

    /** The command line, checked. */
    record Options(PathProfile profile, boolean failure, Direction direction, int seconds,
            Optional<Boolean> ansi) {

        static final String USAGE = "usage: bin/demo [--profile NAME] [--no-failure]"
                + " [--direction up|down|both] [--seconds N] [--ansi|--plain] | bin/demo --echo"
                + " [-D...]";

        static Options parse(String[] args) {
            PathProfile profile = PathProfile.HANDOVER;
            boolean failure = true;
            // Both ways: the stall of each direction, the profile's (up) and the peer's.
            Direction direction = Direction.BOTH;
            int seconds = 12;
            Optional<Boolean> ansi = Optional.empty();
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--profile" -> profile = profile(value(args, i++));
                    case "--no-failure" -> failure = false;
                    case "--direction" -> direction = Direction.parse(value(args, i++));
                    case "--seconds" -> seconds = seconds(value(args, i++));
                    case "--ansi" -> ansi = Optional.of(true);
                    case "--plain" -> ansi = Optional.of(false);
                    default -> throw new IllegalArgumentException("unknown option " + args[i]);
                }
            }
            return new Options(profile, failure, direction, seconds, ansi);
        }

        private static String value(String[] args, int i) {
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException(args[i] + " needs a value");
            }
            return args[i + 1];
        }

        private static PathProfile profile(String name) {
            try {
                return PathProfile.valueOf(name.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--profile " + name + " names no path"
                        + " profile; use one of " + PathProfile.choices(), e);
            }
        }

        private static int seconds(String value) {
            int s;
            try {
                s = Integer.parseInt(value);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--seconds " + value + ": give a whole"
                        + " number of seconds, 3 to 120", e);
            }
            if (s < 3 || s > 120) {
                throw new IllegalArgumentException("--seconds " + value + ": give a whole"
                        + " number of seconds, 3 to 120");
            }
            return s;
        }
    }

    /**
     * Runs the demo.
     *
     * @param args see the class description
     */
    public static void main(String[] args) throws Exception {
        Options options;
        try {
            options = Options.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("bin/demo: " + e.getMessage());
            System.err.println(Options.USAGE);
            System.exit(2);
            return;
        }
        Optional<String> why = whyNotTwoPaths(options.profile());
        if (why.isPresent()) {
            System.out.println("bin/demo: no two-path demo: " + why.get()
                    + "; running the loopback echo demo instead");
            System.out.flush();
            EchoDemo.main(new String[0]);
            return;
        }
        System.exit(run(options) ? 0 : 1);
    }

    /** Why the two-path demo cannot run here, if it cannot. */
    static Optional<String> whyNotTwoPaths(PathProfile profile) {
        if (Boolean.getBoolean(ASSUME_UNPRIVILEGED)) {
            return Optional.of("not root (-D" + ASSUME_UNPRIVILEGED + "=true)");
        }
        if (!isRoot()) {
            return Optional.of("it needs root for network namespaces (run it with sudo)");
        }
        if (!Files.isDirectory(Path.of("/proc/sys/net/mptcp"))) {
            return Optional.of("this kernel has no MPTCP (CONFIG_MPTCP, Linux 5.6+)");
        }
        if (!runs("ip", "netns", "list") || !runs("ip", "mptcp", "limits", "show")
                || !runs("tc", "qdisc", "show", "dev", "lo")) {
            return Optional.of("ip and tc with MPTCP support are missing (apt-get install"
                    + " iproute2)");
        }
        if (profile != PathProfile.NONE
                && !Files.exists(Path.of("/proc/sys/net/mptcp/path_manager"))
                && !Files.exists(Path.of("/proc/sys/net/mptcp/pm_type"))) {
            return Optional.of("path profiles need the userspace path manager (Linux 5.19+);"
                    + " try --profile none");
        }
        return Optional.empty();
    }

    private static boolean isRoot() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) {
                    return line.split("\\s+")[2].equals("0"); // the effective uid
                }
            }
        } catch (IOException e) {
            return false;
        }
        return false;
    }

    private static boolean runs(String... command) {
        try {
            Namespaces.run(command);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** A line from a child: who ({@code client}, {@code server}, {@code mon-c}, {@code mon-s}) and when. */
    private record Line(String from, long epochMillis, String text) {
    }

    /** A child process whose output lines go to a shared queue; ends with a null text. */
    private static final class Child implements AutoCloseable {
        final String name;
        final Process process;

        Child(String name, List<String> command, BlockingQueue<Line> lines) throws IOException {
            this.name = name;
            this.process = new ProcessBuilder(command).redirectErrorStream(true).start();
            Thread pump = new Thread(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(
                        process.getInputStream(), StandardCharsets.UTF_8))) {
                    for (String l = r.readLine(); l != null; l = r.readLine()) {
                        lines.add(new Line(name, System.currentTimeMillis(), l));
                    }
                } catch (IOException e) {
                    lines.add(new Line(name, System.currentTimeMillis(), "failed: " + e));
                }
                lines.add(new Line(name, System.currentTimeMillis(), null));
            }, "demo-" + name);
            pump.setDaemon(true);
            pump.start();
        }

        @Override
        public void close() {
            try {
                process.getOutputStream().close();
            } catch (IOException e) {
                // It is going anyway.
            }
            process.destroy();
            try {
                if (!process.waitFor(3, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                process.destroyForcibly();
            }
        }
    }

    private static List<String> java(String namespace, List<String> properties,
            Class<?> main, String... args) {
        List<String> cmd = new ArrayList<>(Namespaces.exec(namespace));
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("--enable-native-access=ALL-UNNAMED");
        cmd.add("-Djava.nio.channels.spi.SelectorProvider=io.mptcp.nio.MptcpSelectorProvider");
        // The library's log records (a profile's decisions) on one line each, like the rest.
        cmd.add("-Djava.util.logging.SimpleFormatter.format=%4$s %3$s: %5$s%6$s%n");
        cmd.addAll(properties);
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(main.getName());
        cmd.addAll(List.of(args));
        return cmd;
    }

    /** Runs the two-path demo; true when every byte arrived intact. */
    static boolean run(Options o) throws Exception {
        long start = ProcessHandle.current().info().startInstant()
                .map(java.time.Instant::toEpochMilli).orElse(System.currentTimeMillis());
        boolean ansi = o.ansi().orElse(System.console() != null);
        String profile = o.profile().name().toLowerCase(Locale.ROOT);
        String title = String.format(Locale.ROOT, "mptcp-nio two-path demo: profile %s,"
                        + " direction %s, %d s of data over 2 x %d Mbit/s links, %s", profile,
                o.direction(), o.seconds(), RATE_MBIT, o.failure()
                        ? "link 1 down at 1/3, back at 2/3" : "no link failure");
        DemoState state = new DemoState(start, o.direction());
        LiveView view = new LiveView(System.out, ansi, title);
        Namespaces.PathManager pm = o.profile() == PathProfile.NONE
                ? Namespaces.PathManager.KERNEL : Namespaces.PathManager.CLIENT_USERSPACE;
        BlockingQueue<Line> lines = new LinkedBlockingQueue<>();
        List<String> problems = new ArrayList<>();
        List<Child> children = new ArrayList<>();
        try (Namespaces ns = Namespaces.create(pm, RATE_MBIT)) {
            state.log(System.currentTimeMillis(), "demo", "namespaces " + ns.client() + " / "
                    + ns.server() + " built; client path manager "
                    + (pm == Namespaces.PathManager.KERNEL ? "in-kernel (server signals"
                            + " 10.250.2.2)" : "userspace (the profile opens subflows)"));
            try {
                children.add(new Child("mon-c", java(ns.client(), List.of(), DemoMonitor.class,
                        "--counters"), lines));
                children.add(new Child("mon-s", java(ns.server(), List.of(), DemoMonitor.class),
                        lines));
                children.add(new Child("server", java(ns.server(), List.of(), NioTransfer.class,
                        "server", Integer.toString(PORT), o.direction().toString(),
                        Integer.toString(o.seconds())), lines));
                drive(o, ns, state, view, lines, children, problems, profile);
            } finally {
                for (Child c : children) {
                    c.close();
                }
            }
        }
        List<String> summary = summary(o, state, problems, profile);
        view.finish(state, System.currentTimeMillis(), summary);
        return problems.isEmpty();
    }

    private static void drive(Options o, Namespaces ns, DemoState state, LiveView view,
            BlockingQueue<Line> lines, List<Child> children, List<String> problems,
            String profile) throws Exception {
        int ready = 0;
        boolean listening = false;
        long deadline = System.currentTimeMillis() + START_TIMEOUT_MS;
        long connectedAt = -1;
        long failAt = Long.MAX_VALUE;
        long restoreAt = Long.MAX_VALUE;
        long endBy = deadline;
        int transfersLeft = 2;
        long nextFrame = 0;
        while (transfersLeft > 0) {
            long now = System.currentTimeMillis();
            if (now >= endBy) {
                problems.add(connectedAt < 0 ? "the transfer did not start within "
                        + START_TIMEOUT_MS / 1000 + " s" : "the transfer did not end within "
                        + (o.seconds() + END_GRACE_MS / 1000) + " s of its start");
                break;
            }
            if (now >= failAt) {
                failAt = Long.MAX_VALUE;
                // Taken before: the link is down from the first of the two commands on.
                state.linkDownEpochMillis = System.currentTimeMillis();
                ns.setLinkUp(1, false);
                state.linkUp[0] = false;
                state.log(state.linkDownEpochMillis, "demo", "[     LINK1_DOWN] ip link set mp1"
                        + " down, at both ends, in the middle of the transfer");
            }
            if (now >= restoreAt) {
                restoreAt = Long.MAX_VALUE;
                state.linkUpAgainEpochMillis = System.currentTimeMillis();
                ns.setLinkUp(1, true);
                state.linkUp[0] = true;
                state.log(state.linkUpAgainEpochMillis, "demo", "[       LINK1_UP] ip link set"
                        + " mp1 up again, at both ends");
            }
            if (now >= nextFrame) {
                view.render(state, now);
                nextFrame = now + FRAME_MS;
            }
            long wait = Math.max(1, Math.min(Math.min(nextFrame, endBy),
                    Math.min(failAt, restoreAt)) - now);
            Line l = lines.poll(wait, TimeUnit.MILLISECONDS);
            if (l == null) {
                continue;
            }
            if (l.text() == null) {
                if (l.from().equals("client") || l.from().equals("server")) {
                    transfersLeft--;
                } else {
                    problems.add("the " + l.from() + " observer ended early");
                }
                continue;
            }
            String side = l.from().equals("mon-c") ? "client"
                    : l.from().equals("mon-s") ? "server" : l.from();
            String text = l.text();
            if (text.equals("ready")) {
                ready++;
            } else if (text.startsWith("event ")) {
                int sp = text.indexOf(' ', 6);
                state.event(Long.parseLong(text.substring(6, sp)), side,
                        text.substring(sp + 1));
            } else if (text.startsWith("counters ")) {
                String[] w = text.split(" ");
                state.counters(Long.parseLong(w[1]), Long.parseLong(w[2]), Long.parseLong(w[3]),
                        Long.parseLong(w[4]), Long.parseLong(w[5]));
            } else if (text.startsWith("listening ")) {
                listening = true;
                state.log(l.epochMillis(), side, text);
            } else if (text.startsWith("connected ")) {
                state.log(l.epochMillis(), side, text);
                if (side.equals("client")) {
                    connectedAt = l.epochMillis();
                    endBy = connectedAt + o.seconds() * 1000L + END_GRACE_MS;
                    if (o.failure()) {
                        failAt = connectedAt + o.seconds() * 1000L / 3;
                        restoreAt = connectedAt + o.seconds() * 2000L / 3;
                    }
                }
            } else if (text.startsWith("stall ")) {
                state.transferLine(side, text);
                state.log(l.epochMillis(), side, "[          STALL] "
                        + text.substring("stall ".length(), text.indexOf(" ms ")) + " ms"
                        + " without data");
            } else if (text.startsWith("sent ") || text.startsWith("received ")) {
                state.transferLine(side, text);
                state.log(l.epochMillis(), side, text.replaceAll(" gap-end-epoch-ms \\d+", ""));
            } else if (text.startsWith("failed: ")) {
                problems.add(side + " " + text);
                state.log(l.epochMillis(), side, text);
            } else if (!text.equals("done")) {
                // Warnings of the library (a profile that could not start) and anything else.
                state.log(l.epochMillis(), side, text);
            }
            if (ready == 2 && listening && children.size() == 3) {
                // The observers are subscribed: the client's first event cannot be missed.
                children.add(new Child("client", java(ns.client(),
                        List.of("-D" + PathProfile.SYSTEM_PROPERTY + "=" + profile),
                        NioTransfer.class, "client", Namespaces.serverAddress(1),
                        Integer.toString(PORT), Namespaces.clientAddress(1),
                        o.direction().toString(), Integer.toString(o.seconds())), lines));
            }
        }
        // The connection's last events (SF_CLOSED, CLOSED) follow its close closely.
        long until = System.currentTimeMillis() + 300;
        for (Line l; (l = lines.poll(Math.max(1, until - System.currentTimeMillis()),
                TimeUnit.MILLISECONDS)) != null; ) {
            if (l.text() != null && l.text().startsWith("event ")) {
                int sp = l.text().indexOf(' ', 6);
                state.event(Long.parseLong(l.text().substring(6, sp)),
                        l.from().equals("mon-c") ? "client" : "server",
                        l.text().substring(sp + 1));
            }
        }
    }

    private static List<String> summary(Options o, DemoState s, List<String> problems,
            String profile) {
        List<String> out = new ArrayList<>();
        long now = System.currentTimeMillis();
        out.add(String.format(Locale.ROOT, "summary: profile %s, direction %s, link failure %s,"
                        + " run time %.1f s", profile, o.direction(), o.failure() ? "yes" : "no",
                (now - s.startEpochMillis) / 1000.0));
        for (boolean up : new boolean[] {true, false}) {
            if (up ? !o.direction().clientSends() : !o.direction().serverSends()) {
                continue;
            }
            String dir = up ? "up" : "down";
            DemoState.Result r = s.result(up);
            if (!r.complete()) {
                problems.add(dir + ": the transfer did not complete");
                out.add("summary: " + dir + " incomplete: sent " + r.sentBytes()
                        + " bytes, received " + r.receivedBytes());
                continue;
            }
            if (!r.intact()) {
                problems.add(dir + ": what arrived differs from what was sent");
            }
            out.add(String.format(Locale.ROOT, "summary: %s %d bytes sent, %d received,"
                            + " sha256 match %s", dir, r.sentBytes(), r.receivedBytes(),
                    r.intact() ? "yes" : "NO"));
            long after = r.gapEndEpochMillis() - s.linkDownEpochMillis;
            String when = s.linkDownEpochMillis < 0 ? ""
                    : String.format(Locale.ROOT, ", ended %d ms %s link 1 went down",
                            Math.abs(after), after < 0 ? "before" : "after");
            out.add(String.format(Locale.ROOT, "summary: longest stall %s %d ms%s", dir,
                    r.longestGapMillis(), when));
            if (s.linkDownEpochMillis >= 0) {
                long atFailure = s.stallAtFailure(up ? "server" : "client");
                out.add(atFailure < 0 ? "summary: stall at the failure " + dir
                        + " under 100 ms (none reported)"
                        : String.format(Locale.ROOT, "summary: stall at the failure %s %d ms",
                                dir, atFailure));
            }
        }
        if (s.linkDownEpochMillis >= 0) {
            out.add(s.dataOnLink2EpochMillis < 0 ? "summary: link 2 never carried the data"
                    + " after link 1 went down"
                    : String.format(Locale.ROOT, "summary: link 2 carried the data %d ms after"
                            + " link 1 went down", s.dataOnLink2EpochMillis
                            - s.linkDownEpochMillis));
        }
        for (Map.Entry<String, Map<String, Integer>> side : s.eventCounts.entrySet()) {
            StringJoiner j = new StringJoiner(", ");
            side.getValue().forEach((k, v) -> j.add(k + " " + v));
            out.add("summary: events seen (" + side.getKey() + "): "
                    + (j.length() == 0 ? "none" : j.toString()));
        }
        out.add(problems.isEmpty() ? "summary: OK" : "summary: FAILED: "
                + String.join("; ", problems));
        return out;
    }
}
