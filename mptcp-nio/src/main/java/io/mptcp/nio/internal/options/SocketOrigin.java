package io.mptcp.nio.internal.options;

import java.util.Objects;

/**
 * How an INET stream socket came to be MPTCP or TCP, known only when it is opened (or
 * accepted, or its protocol switched) and kept by its {@link NativeSocketOptions} for
 * {@link FallbackDiagnosis}: the kernel can tell later that a socket is TCP, never why.
 *
 * @param way what happened
 * @param detail what the text of an answer names: the mode property, the option, the errno
 */
public record SocketOrigin(Way way, String detail) {

    /** What happened when the socket was opened. */
    public enum Way {
        /** Opened as MPTCP; {@code detail} says who asked (mode or option). */
        MPTCP,
        /** Opened as TCP by choice; {@code detail} names the mode or the option. */
        TCP_CHOSEN,
        /** {@code socket(IPPROTO_MPTCP)} failed with {@code ENOPROTOOPT}: off in the namespace. */
        REFUSED_BY_NAMESPACE,
        /** {@code socket(IPPROTO_MPTCP)} failed with {@code EINVAL} or {@code EPROTONOSUPPORT}. */
        REFUSED_BY_KERNEL,
        /** Accepted on an MPTCP listener: MPTCP or TCP as the client asked. */
        ACCEPTED_ON_MPTCP,
        /** Not opened by this library (inherited), or a socket without MPTCP (datagram). */
        UNKNOWN
    }

    /** A socket this library did not open. */
    public static final SocketOrigin UNKNOWN = new SocketOrigin(Way.UNKNOWN,
            "opened outside this channel (inherited from the process that started this one)");

    /** Accepted on an MPTCP listener. */
    public static final SocketOrigin ACCEPTED_ON_MPTCP = new SocketOrigin(Way.ACCEPTED_ON_MPTCP,
            "accepted on an MPTCP listener");

    public SocketOrigin {
        Objects.requireNonNull(way, "way");
        Objects.requireNonNull(detail, "detail");
    }

    /** Opened as MPTCP because {@code who} asked for it. */
    public static SocketOrigin mptcp(String who) {
        return new SocketOrigin(Way.MPTCP, who);
    }

    /** Opened as TCP because {@code who} chose it. */
    public static SocketOrigin tcpChosen(String who) {
        return new SocketOrigin(Way.TCP_CHOSEN, who);
    }

    /** The protocol chosen with {@code MPTCP_ENABLED} after open. */
    public static SocketOrigin byOption(boolean mptcp) {
        String who = "MPTCP_ENABLED was set to " + mptcp;
        return mptcp ? mptcp(who) : tcpChosen(who);
    }

    /**
     * The kernel refused {@code socket(IPPROTO_MPTCP)}.
     *
     * @param inNamespace {@code ENOPROTOOPT} ({@code net.mptcp.enabled=0}), else a kernel
     *     without MPTCP
     * @param reason the refusal, with its errno
     */
    public static SocketOrigin refused(boolean inNamespace, String reason) {
        return new SocketOrigin(inNamespace ? Way.REFUSED_BY_NAMESPACE : Way.REFUSED_BY_KERNEL,
                reason);
    }

    /**
     * The origin of a connection accepted on a TCP listener of this origin: TCP for the same
     * reason as the listener.
     */
    public SocketOrigin acceptedOnTcpListener() {
        return new SocketOrigin(way, "accepted on a TCP listener (the listener: " + detail + ")");
    }
}
