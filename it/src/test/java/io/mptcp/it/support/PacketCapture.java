package io.mptcp.it.support;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code tcpdump} on one interface of a namespace, for the TCP segments that end a connection
 * (FIN or RST): the observer that tells a graceful subflow close from an abortive one without
 * asking the kernel's MPTCP code anything.
 */
public final class PacketCapture implements AutoCloseable {
    /** Where tcpdump lives on Debian (package tcpdump). */
    public static final String TCPDUMP = "/usr/bin/tcpdump";

    // "12:00:00.000000 IP 10.250.1.1.40000 > 10.250.1.2.5201: Flags [F.], seq …"
    private static final Pattern SEGMENT = Pattern.compile(
            "IP (\\d+\\.\\d+\\.\\d+\\.\\d+)\\.(\\d+) > (\\d+\\.\\d+\\.\\d+\\.\\d+)\\.(\\d+): "
                    + "Flags \\[([^\\]]*)\\]");

    /**
     * One captured segment.
     *
     * @param source its source address and port
     * @param destination its destination address and port
     * @param flags tcpdump's flag letters ({@code F.}, {@code R}, {@code R.}…)
     */
    public record Segment(InetSocketAddress source, InetSocketAddress destination,
            String flags) {
        public boolean fin() {
            return flags.contains("F");
        }

        public boolean rst() {
            return flags.contains("R");
        }

        /** Whether it belongs to the TCP connection {@code local} ↔ {@code remote}, either way. */
        public boolean between(InetSocketAddress local, InetSocketAddress remote) {
            return source.equals(local) && destination.equals(remote)
                    || source.equals(remote) && destination.equals(local);
        }
    }

    private final ChildProcess process;

    private PacketCapture(ChildProcess process) {
        this.process = process;
    }

    /**
     * Captures the FIN and RST segments on {@code device} in {@code ns}; returns once tcpdump
     * says it is listening.
     */
    public static PacketCapture finAndRst(NetNamespace ns, String device) throws Exception {
        Prerequisites.require(java.nio.file.Files.isExecutable(java.nio.file.Path.of(TCPDUMP)),
                "tcpdump is missing: apt-get install tcpdump");
        PacketCapture c = new PacketCapture(ns.start(TCPDUMP, "-i", device, "-n", "-l", "-U",
                "tcp[tcpflags] & (tcp-fin|tcp-rst) != 0"));
        try {
            c.process.awaitLine(l -> l.startsWith("listening on"), Duration.ofSeconds(20),
                    "that it listens");
            return c;
        } catch (AssertionError | InterruptedException e) {
            c.close();
            throw e;
        }
    }

    /** The next segment for which {@code match} holds; segments before it are skipped. */
    public Segment await(java.util.function.Predicate<Segment> match, Duration timeout,
            String what) throws InterruptedException {
        return parse(process.awaitLine(l -> {
            Segment s = parse(l);
            return s != null && match.test(s);
        }, timeout, what));
    }

    /** Every segment captured so far (the transcript; also those already awaited). */
    public List<Segment> segments() {
        List<Segment> all = new ArrayList<>();
        for (String line : process.describe().split("\n")) {
            Segment s = parse(line);
            if (s != null) {
                all.add(s);
            }
        }
        return all;
    }

    /** tcpdump's output so far, for failure messages. */
    public String describe() {
        return process.describe();
    }

    static Segment parse(String line) {
        Matcher m = SEGMENT.matcher(line);
        if (!m.find()) {
            return null;
        }
        return new Segment(new InetSocketAddress(m.group(1), Integer.parseInt(m.group(2))),
                new InetSocketAddress(m.group(3), Integer.parseInt(m.group(4))), m.group(5));
    }

    @Override
    public void close() {
        try {
            process.close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
