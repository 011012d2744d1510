package io.mptcp.it.support;

import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.spi.SelectorProvider;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code ip mptcp monitor} (iproute2) in one namespace: an observer of the kernel's path-manager
 * events that shares no code with mptcp-nio. Lines look like
 * {@code [SF_ESTABLISHED] token=… remid=0 locid=1 saddr4=10.250.2.1 … backup=0}.
 *
 * <p>A monitor in a namespace whose path manager is {@code userspace} is itself an events
 * subscriber, and with one the kernel accepts incoming joins there (§11 item 17): a test of the
 * library's own subscription must watch from the other namespace.
 */
public final class MptcpMonitor implements AutoCloseable {
    private static final Pattern LINE = Pattern.compile("^\\[\\s*([^\\]]+?)\\s*\\]\\s*(.*)$");

    /**
     * One printed event.
     *
     * @param name the event's name as iproute2 prints it ({@code SF_CLOSED}, {@code ANNOUNCED}…)
     * @param fields its key=value pairs in order
     * @param text the line as printed
     */
    public record Event(String name, Map<String, String> fields, String text) {
        /** A field, or "" if the event has none of that name. */
        public String get(String key) {
            return fields.getOrDefault(key, "");
        }
    }

    private final NetNamespace ns;
    private final ChildProcess process;

    private MptcpMonitor(NetNamespace ns, ChildProcess process) {
        this.ns = ns;
        this.process = process;
    }

    /**
     * Starts the monitor in {@code ns} and returns once it is subscribed: a probe listener is
     * opened and closed there (with {@code provider}, so an MPTCP listener) until the monitor
     * prints its {@code LISTENER_CREATED} event.
     */
    public static MptcpMonitor start(NetNamespace ns, SelectorProvider provider)
            throws Exception {
        MptcpMonitor m = new MptcpMonitor(ns, ns.start("ip", "mptcp", "monitor"));
        try {
            m.synchronise(provider);
            return m;
        } catch (Exception | Error e) {
            m.close();
            throw e;
        }
    }

    private void synchronise(SelectorProvider provider) throws Exception {
        for (int attempt = 0; attempt < 50; attempt++) {
            ns.call(() -> {
                try (ServerSocketChannel probe = provider.openServerSocketChannel(
                        StandardProtocolFamily.INET)) {
                    probe.bind(new InetSocketAddress(0));
                }
                return null;
            });
            try {
                // iproute2 6.1 prints LISTENER_CREATED/CLOSED as "UNKNOWN 15"/"UNKNOWN 16"
                await(e -> e.name().equals("UNKNOWN 15") || e.name().equals("LISTENER_CREATED"),
                        Duration.ofMillis(300), "the probe");
                return;
            } catch (AssertionError notYet) {
                // not subscribed yet: probe again
            }
        }
        throw new AssertionError("ip mptcp monitor in " + ns + " printed no probe\n"
                + process.describe());
    }

    /** The next event matching {@code match}; events before it are skipped. */
    public Event await(Predicate<Event> match, Duration timeout, String what)
            throws InterruptedException {
        String line = process.awaitLine(l -> {
            Event e = parse(l);
            return e != null && match.test(e);
        }, timeout, what + " (ip mptcp monitor in " + ns + ")");
        return parse(line);
    }

    /** The next event named {@code name} whose fields include all of {@code fields}. */
    public Event await(String name, Map<String, String> fields, Duration timeout)
            throws InterruptedException {
        return await(e -> e.name().equals(name)
                        && fields.entrySet().stream().allMatch(f -> f.getValue().equals(
                                e.fields().get(f.getKey()))),
                timeout, name + " " + fields);
    }

    /** The monitor's output so far, for failure messages. */
    public String describe() {
        return process.describe();
    }

    /** Parses one line; null if it is not an event line. */
    public static Event parse(String text) {
        Matcher m = LINE.matcher(text.trim());
        if (!m.matches()) {
            return null;
        }
        Map<String, String> fields = new LinkedHashMap<>();
        for (String word : m.group(2).trim().split("\\s+")) {
            int eq = word.indexOf('=');
            if (eq > 0) {
                fields.put(word.substring(0, eq), word.substring(eq + 1));
            }
        }
        return new Event(m.group(1).replace(':', ' '), Map.copyOf(fields), text.trim());
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
