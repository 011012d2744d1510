package io.mptcp.it.events;

import io.mptcp.it.support.ChildProcess;
import io.mptcp.it.support.NetNamespace;
import io.mptcp.nio.pm.MptcpEvent;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code ip mptcp monitor} (iproute2) in a namespace, as an independent decoder of the same
 * events, and the translation of our events into its words: one line per event,
 * {@code [NAME] key=value ...}, with the names and keys of iproute2's {@code ipmptcp.c}.
 */
final class IpMonitor implements AutoCloseable {
    private static final Pattern LINE = Pattern.compile("^\\[\\s*([^\\]]+?)\\s*\\]\\s*(.*)$");

    /** One printed event: its name and its fields in order. */
    record Line(String name, Map<String, String> fields) {
        @Override
        public String toString() {
            return "[" + name + "] " + fields;
        }
    }

    private final ChildProcess process;

    private IpMonitor(ChildProcess process) {
        this.process = process;
    }

    static IpMonitor start(NetNamespace ns) throws Exception {
        return new IpMonitor(ns.start("ip", "mptcp", "monitor"));
    }

    /** The next event line. */
    Line next(Duration timeout) throws InterruptedException {
        return parse(process.awaitLine(l -> LINE.matcher(l).matches(), timeout, "an event"));
    }

    static Line parse(String text) {
        Matcher m = LINE.matcher(text.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException("not an ip mptcp monitor line: " + text);
        }
        Map<String, String> fields = new LinkedHashMap<>();
        for (String word : m.group(2).trim().split("\\s+")) {
            if (word.isEmpty()) {
                continue;
            }
            int eq = word.indexOf('=');
            if (eq < 0) {
                throw new IllegalArgumentException("no key=value: " + word + " in " + text);
            }
            fields.put(word.substring(0, eq), word.substring(eq + 1));
        }
        // iproute2 6.1 names events it does not know "UNKNOWN <type>"
        return new Line(m.group(1).replace(':', ' '), fields);
    }

    /** How iproute2 6.1 prints {@code e}. */
    static Line expected(MptcpEvent e) {
        Map<String, String> f = new LinkedHashMap<>();
        if (e instanceof MptcpEvent.ConnectionCreated c) {
            connection(f, c.token().value(), c.local(), c.remote(), c.serverSide());
            return new Line("CREATED", f);
        } else if (e instanceof MptcpEvent.ConnectionEstablished c) {
            connection(f, c.token().value(), c.local(), c.remote(), c.serverSide());
            return new Line("ESTABLISHED", f);
        } else if (e instanceof MptcpEvent.ConnectionClosed c) {
            f.put("token", token(c.token().value()));
            return new Line("CLOSED", f);
        } else if (e instanceof MptcpEvent.AddressAnnounced a) {
            f.put("token", token(a.token().value()));
            f.put("remid", Integer.toString(a.remoteId()));
            address(f, "d", a.address().getAddress());
            f.put("dport", Integer.toString(a.address().getPort()));
            return new Line("ANNOUNCED", f);
        } else if (e instanceof MptcpEvent.AddressRemoved a) {
            f.put("token", token(a.token().value()));
            f.put("remid", Integer.toString(a.remoteId()));
            return new Line("REMOVED", f);
        } else if (e instanceof MptcpEvent.SubflowEstablished s) {
            subflow(f, s.token().value(), s.remoteId(), s.localId(), s.local(), s.remote(),
                    s.backup());
            s.interfaceIndex().ifPresent(i -> f.put("ifindex", Integer.toString(i)));
            return new Line("SF_ESTABLISHED", f);
        } else if (e instanceof MptcpEvent.SubflowClosed s) {
            subflow(f, s.token().value(), s.remoteId(), s.localId(), s.local(), s.remote(),
                    s.backup());
            s.error().ifPresent(x -> f.put("error", Integer.toString(x)));
            s.interfaceIndex().ifPresent(i -> f.put("ifindex", Integer.toString(i)));
            s.resetReason().ifPresent(r -> f.put("reset_reason", Long.toString(r)));
            s.resetFlags().ifPresent(r -> f.put("reset_flags", "0x" + Long.toHexString(r)));
            return new Line("SF_CLOSED", f);
        } else if (e instanceof MptcpEvent.SubflowPriority s) {
            subflow(f, s.token().value(), s.remoteId(), s.localId(), s.local(), s.remote(),
                    s.backup());
            s.interfaceIndex().ifPresent(i -> f.put("ifindex", Integer.toString(i)));
            return new Line("SF_PRIO", f);
        } else if (e instanceof MptcpEvent.ListenerCreated) {
            return new Line("UNKNOWN 15", f);
        } else if (e instanceof MptcpEvent.ListenerClosed) {
            return new Line("UNKNOWN 16", f);
        }
        throw new IllegalArgumentException("not an mptcp_pm event: " + e);
    }

    private static void connection(Map<String, String> f, long token, InetSocketAddress local,
            InetSocketAddress remote, boolean serverSide) {
        f.put("token", token(token));
        // The initial subflow's address ids are 0 by definition; the records leave them out.
        f.put("remid", "0");
        f.put("locid", "0");
        address(f, "s", local.getAddress());
        address(f, "d", remote.getAddress());
        f.put("sport", Integer.toString(local.getPort()));
        f.put("dport", Integer.toString(remote.getPort()));
        if (serverSide) {
            // MPTCP_ATTR_FLAGS with MPTCP_PM_EV_FLAG_SERVER_SIDE, as 6.18 sends it
            f.put("flags", "2");
        }
    }

    private static void subflow(Map<String, String> f, long token, int remoteId, int localId,
            InetSocketAddress local, InetSocketAddress remote, boolean backup) {
        f.put("token", token(token));
        f.put("remid", Integer.toString(remoteId));
        f.put("locid", Integer.toString(localId));
        address(f, "s", local.getAddress());
        address(f, "d", remote.getAddress());
        f.put("sport", Integer.toString(local.getPort()));
        f.put("dport", Integer.toString(remote.getPort()));
        f.put("backup", backup ? "1" : "0");
    }

    private static void address(Map<String, String> f, String side, InetAddress a) {
        f.put(side + "addr" + (a.getAddress().length == 4 ? "4" : "6"), a.getHostAddress());
    }

    private static String token(long token) {
        return String.format("%08x", token);
    }

    String describe() {
        return process.describe();
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
