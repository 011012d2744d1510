package io.mptcp.nio.internal.options;

import io.mptcp.nio.FallbackReason;
import io.mptcp.nio.FallbackReason.Kind;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.function.Supplier;

/**
 * Answers {@code MPTCP_FALLBACK_REASON} from what the socket's opener recorded
 * ({@link SocketOrigin}), what the kernel says of the socket now ({@code SO_PROTOCOL},
 * {@code TCP_IS_MPTCP}) and, for a fallback, the namespace's counters
 * ({@link NamespaceMptcpState}). No I/O of its own, so that each answer is testable from a
 * captured {@code netstat}.
 */
public final class FallbackDiagnosis {

    /** Where the socket stands. */
    public enum Role {
        /** A client socket before its connection is established. */
        UNCONNECTED,
        /** A connected socket: connected by us, accepted or inherited. */
        CONNECTED,
        /** A listening (or not yet listening) server socket. */
        LISTENER
    }

    /**
     * One possible cause of a fallback, counted per namespace by {@code counter}.
     *
     * @param what the cause, in words
     * @param counter its {@code MPTcpExt} counter (net/mptcp/mib.c, names as of Linux 6.18)
     * @param sysctl a {@code net.mptcp} sysctl that governs it, or null
     */
    private record Cause(String what, String counter, String sysctl) {
    }

    // A client's causes, in the order of a connection's life.
    private static final List<Cause> ACTIVE = List.of(
            new Cause("active MPTCP disabled by blackhole detection, SYN sent without"
                    + " MP_CAPABLE", "MPCapableSYNTXDisabled", "blackhole_timeout"),
            new Cause("SYN retried without MPTCP after MP_CAPABLE SYNs were lost",
                    "MPCapableSYNTXDrop", "syn_retrans_before_tcp_fallback"),
            new Cause("peer answered the SYN without MP_CAPABLE", "MPCapableFallbackSYNACK",
                    null),
            new Cause("simultaneous connect", "SimultConnectFallback", null),
            new Cause("no token could be allocated", "MPFallbackTokenInit", null),
            new Cause("first data without MPTCP mapping", "MPCapableDataFallback", null),
            new Cause("bad or missing DSS", "DssFallback", null),
            new Cause("DSS corruption", "DSSCorruptionFallback", null),
            new Cause("peer sent an infinite mapping", "InfiniteMapRx", null),
            new Cause("conflicting TCP option (TCP_MD5SIG)", "MD5SigFallback", null));

    // An accepted connection's (and a listener's) causes.
    private static final List<Cause> PASSIVE = List.of(
            new Cause("client's third ACK without MP_CAPABLE", "MPCapableFallbackACK", null),
            new Cause("no token could be allocated", "MPFallbackTokenInit", null),
            new Cause("first data without MPTCP mapping", "MPCapableDataFallback", null),
            new Cause("bad or missing DSS", "DssFallback", null),
            new Cause("DSS corruption", "DSSCorruptionFallback", null),
            new Cause("peer sent an infinite mapping", "InfiniteMapRx", null),
            new Cause("conflicting TCP option (TCP_MD5SIG)", "MD5SigFallback", null));

    private FallbackDiagnosis() {
    }

    /**
     * The answer for one socket.
     *
     * @param origin how the socket was opened
     * @param role where it stands
     * @param mptcpSocket {@code SO_PROTOCOL} is {@code IPPROTO_MPTCP}
     * @param mptcpNow the socket uses MPTCP now ({@code TCP_IS_MPTCP})
     * @param namespace the namespace's state, asked for only when needed
     */
    public static FallbackReason diagnose(SocketOrigin origin, Role role, boolean mptcpSocket,
            boolean mptcpNow, Supplier<NamespaceMptcpState> namespace) {
        if (!mptcpSocket) {
            FallbackReason tcp = plainTcpSocket(origin, namespace);
            return role == Role.UNCONNECTED ? FallbackReason.of(tcp.kind(), tcp.explanation()
                    + "; not connected yet, it will be plain TCP whatever the peer answers") : tcp;
        }
        boolean accepted = origin.way() == SocketOrigin.Way.ACCEPTED_ON_MPTCP;
        if (!mptcpNow) {
            return fellBack(origin, accepted || role == Role.LISTENER, namespace.get());
        }
        return switch (role) {
            case UNCONNECTED -> FallbackReason.of(Kind.NOT_CONNECTED, "an MPTCP socket ("
                    + origin.detail() + "), not connected yet: whether the peer speaks MPTCP is"
                    + " known once it is");
            case LISTENER -> FallbackReason.of(Kind.MPTCP_IN_USE, "an MPTCP listener ("
                    + origin.detail() + ", SO_PROTOCOL 262): it accepts MPTCP clients as MPTCP"
                    + " and plain TCP clients as TCP");
            case CONNECTED -> FallbackReason.of(Kind.MPTCP_IN_USE, accepted
                    ? "the client asked for MPTCP (SO_PROTOCOL 262) and the connection uses it"
                            + " (TCP_IS_MPTCP 1)"
                    : "the connection uses MPTCP (" + origin.detail() + ", TCP_IS_MPTCP 1)");
        };
    }

    /** A socket whose protocol is TCP: the answer is how it was opened. */
    private static FallbackReason plainTcpSocket(SocketOrigin origin,
            Supplier<NamespaceMptcpState> namespace) {
        return switch (origin.way()) {
            case TCP_CHOSEN -> FallbackReason.of(Kind.NOT_REQUESTED,
                    "opened as plain TCP by choice: " + origin.detail());
            case REFUSED_BY_NAMESPACE -> FallbackReason.of(Kind.DISABLED_IN_NAMESPACE,
                    origin.detail() + " when the socket was opened; net.mptcp.enabled reads "
                            + namespace.get().sysctl("enabled").orElse("unknown") + " now");
            case REFUSED_BY_KERNEL -> FallbackReason.of(Kind.KERNEL_WITHOUT_MPTCP,
                    origin.detail() + "; kernel " + System.getProperty("os.version", "unknown"));
            case ACCEPTED_ON_MPTCP -> FallbackReason.of(Kind.PEER_DID_NOT_REQUEST,
                    "accepted on an MPTCP listener from a client that did not ask for MPTCP (no"
                            + " MP_CAPABLE in its SYN): the kernel made it a TCP socket"
                            + " (SO_PROTOCOL 6)");
            // MPTCP cannot be the origin of a TCP socket; say what the kernel shows.
            case MPTCP, UNKNOWN -> FallbackReason.of(Kind.NOT_REQUESTED,
                    "a plain TCP socket (SO_PROTOCOL 6) " + origin.detail() + "; this process"
                            + " cannot tell whether it was opened as TCP or accepted from a"
                            + " client that did not ask for MPTCP");
        };
    }

    /** An MPTCP socket that uses TCP now: the namespace's counters of each possible cause. */
    private static FallbackReason fellBack(SocketOrigin origin, boolean passive,
            NamespaceMptcpState ns) {
        List<String> seen = new ArrayList<>();
        List<String> notSeen = new ArrayList<>();
        List<String> unknown = new ArrayList<>();
        for (Cause c : passive ? PASSIVE : ACTIVE) {
            OptionalLong n = ns.counter(c.counter());
            String name = "MPTcpExt" + c.counter();
            if (n.isEmpty()) {
                unknown.add(c.what() + " (" + name + ")");
            } else if (n.getAsLong() == 0) {
                notSeen.add(c.what() + " (" + name + "=0)");
            } else {
                seen.add(c.what() + " (" + name + "=" + n.getAsLong() + context(c, ns) + ")");
            }
        }
        StringBuilder b = new StringBuilder(passive
                ? "an MPTCP socket (" + origin.detail() + ") that uses plain TCP now"
                : "opened as MPTCP (" + origin.detail() + ") but the connection uses plain TCP"
                        + " now");
        b.append(" (TCP_IS_MPTCP 0). Linux keeps no reason per socket; counters of this network"
                + " namespace, for all its connections, not this one alone.");
        if (seen.isEmpty()) {
            b.append(" Causes seen (counter above 0): none.");
        }
        append(b, " Causes seen (counter above 0): ", seen);
        append(b, " Causes not seen (counter 0): ", notSeen);
        append(b, " Causes this kernel does not count: ", unknown);
        return FallbackReason.of(Kind.FELL_BACK, b.toString());
    }

    /** The sysctl and companion counter that say whether a cause can still be at work. */
    private static String context(Cause c, NamespaceMptcpState ns) {
        if (c.sysctl() == null) {
            return "";
        }
        String value = ns.sysctl(c.sysctl()).orElse("unknown");
        if (c.counter().equals("MPCapableSYNTXDisabled")) {
            OptionalLong blackholes = ns.counter("Blackhole");
            return ", MPTcpExtBlackhole=" + (blackholes.isPresent()
                    ? Long.toString(blackholes.getAsLong()) : "unknown")
                    + ", net.mptcp.blackhole_timeout=" + value + " s: while it lasts, new"
                    + " client connections in this namespace are plain TCP";
        }
        return ", net.mptcp." + c.sysctl() + "=" + value;
    }

    private static void append(StringBuilder b, String label, List<String> causes) {
        if (!causes.isEmpty()) {
            b.append(label).append(String.join("; ", causes)).append('.');
        }
    }
}
