package io.mptcp.nio;

import java.util.Objects;

/**
 * Why a connection is plain TCP, or that it is not: the value of
 * {@link MptcpSocketOptions#MPTCP_FALLBACK_REASON}. A {@link #kind()} for programs and a one-line
 * {@link #explanation()} for people, which names the evidence: the system property or option,
 * the errno of a refused {@code socket(IPPROTO_MPTCP)}, the sysctl and its value, the kernel's
 * counters and their values.
 *
 * <h2>What Linux lets a program tell apart</h2>
 *
 * <p><b>Per socket</b>, exactly: whether the socket was opened as MPTCP ({@code SO_PROTOCOL}
 * 262) or TCP (6), and if TCP why (our own choice by mode or option, or the errno the kernel
 * gave {@code socket(IPPROTO_MPTCP)}: {@code ENOPROTOOPT} for {@code net.mptcp.enabled=0},
 * {@code EINVAL} or {@code EPROTONOSUPPORT} for a kernel without MPTCP); whether it uses MPTCP
 * now ({@code TCP_IS_MPTCP}); and on the accepting side whether the client asked for MPTCP (an
 * MPTCP listener accepts a TCP client as a TCP socket, {@code SO_PROTOCOL} 6).
 *
 * <p><b>Only per network namespace</b>: why an MPTCP connection fell back to TCP. The kernel
 * keeps no reason per socket (its {@code MPTCP_INFO_FLAG_FALLBACK} is not even readable by
 * {@code getsockopt} once fallen back); it counts each cause in the namespace's
 * {@code MPTcpExt} counters of {@code /proc/net/netstat}: a SYN-ACK without MP_CAPABLE
 * ({@code MPCapableFallbackSYNACK}), SYNs retried without MPTCP after
 * {@code net.mptcp.syn_retrans_before_tcp_fallback} losses ({@code MPCapableSYNTXDrop}),
 * connections opened without MP_CAPABLE while blackhole detection has active MPTCP turned off
 * ({@code MPCapableSYNTXDisabled}, with {@code Blackhole} and
 * {@code net.mptcp.blackhole_timeout}), a third ACK without MP_CAPABLE on the server
 * ({@code MPCapableFallbackACK}), and fallbacks after the handshake (missing or bad DSS,
 * infinite mapping, simultaneous connect, ...). A {@link Kind#FELL_BACK} explanation lists the
 * causes whose counter is above zero as <em>seen in this namespace</em> (by some connection, not
 * necessarily this one), those at zero as <em>not seen</em>, and those this kernel does not count
 * as <em>unknown</em>. The counters are read when the option is read, from the namespace of the
 * reading thread, which is the socket's unless the program moves threads between namespaces.
 */
public final class FallbackReason {

    /** The answer, from MPTCP in use to each reason for plain TCP that can be told apart. */
    public enum Kind {
        /** The connection (or listener) uses MPTCP: no fallback. */
        MPTCP_IN_USE,
        /**
         * An MPTCP client socket that is not connected yet: whether the peer speaks MPTCP is
         * known once it is. (A socket that is TCP already answers with why, connected or not.)
         */
        NOT_CONNECTED,
        /**
         * Opened as TCP by choice: the provider's mode ({@code io.mptcp.nio.mode}), or
         * {@link MptcpSocketOptions#MPTCP_ENABLED} set to false, or opened as TCP outside this
         * library (an inherited socket); the explanation says which.
         */
        NOT_REQUESTED,
        /**
         * {@code socket(IPPROTO_MPTCP)} failed with {@code ENOPROTOOPT} when the socket was
         * opened: MPTCP was disabled in this network namespace ({@code net.mptcp.enabled=0}).
         */
        DISABLED_IN_NAMESPACE,
        /**
         * {@code socket(IPPROTO_MPTCP)} failed with {@code EINVAL} (Linux before 5.6) or
         * {@code EPROTONOSUPPORT} (built without MPTCP): this kernel cannot do MPTCP.
         */
        KERNEL_WITHOUT_MPTCP,
        /**
         * Accepted on an MPTCP listener from a client that did not ask for MPTCP (no MP_CAPABLE
         * in its SYN): the kernel gave a plain TCP socket.
         */
        PEER_DID_NOT_REQUEST,
        /**
         * The socket is MPTCP but the connection fell back to TCP (at the handshake or later);
         * the explanation gives the namespace's evidence for each possible cause.
         */
        FELL_BACK
    }

    private final Kind kind;
    private final String explanation;

    private FallbackReason(Kind kind, String explanation) {
        this.kind = Objects.requireNonNull(kind, "kind");
        this.explanation = Objects.requireNonNull(explanation, "explanation");
    }

    /**
     * A reason of {@code kind} explained by {@code explanation}.
     *
     * @param kind the answer
     * @param explanation one line of text that names the evidence
     * @return the reason
     */
    public static FallbackReason of(Kind kind, String explanation) {
        return new FallbackReason(kind, explanation);
    }

    /** {@return the answer} */
    public Kind kind() {
        return kind;
    }

    /** {@return one line for people, naming the evidence (property, errno, sysctl, counters)} */
    public String explanation() {
        return explanation;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FallbackReason r && r.kind == kind && r.explanation.equals(explanation);
    }

    @Override
    public int hashCode() {
        return kind.hashCode() * 31 + explanation.hashCode();
    }

    /** {@return the kind, a colon and the explanation} */
    @Override
    public String toString() {
        return kind + ": " + explanation;
    }
}
