package io.mptcp.nio;

import io.mptcp.nio.pm.PathProfile;

import java.net.SocketOption;
import java.nio.channels.AlreadyConnectedException;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Socket options of Multipath TCP channels, in the style of {@code jdk.net.ExtendedSocketOptions}:
 * keys for {@link java.nio.channels.NetworkChannel#getOption} and
 * {@link java.nio.channels.NetworkChannel#setOption} on the channels of
 * {@link MptcpSelectorProvider}, listed in their {@code supportedOptions()}.
 *
 * <p>Read-only keys reject {@code setOption} with {@link java.net.SocketException}, as the JDK
 * does for its read-only options.
 *
 * <p>The read-only keys ({@link #MPTCP_TOKEN}, {@link #MPTCP_INFO}, {@link #MPTCP_SUBFLOWS},
 * {@link #MPTCP_FALLBACK_REASON}) are listed in {@code supportedOptions()} all the same, as
 * the JDK lists its read-only {@code jdk.net.ExtendedSocketOptions.SO_INCOMING_NAPI_ID} (and
 * {@code SO_PEERCRED}): a
 * program can only tell a channel's options by that set, and Netty's
 * {@code NioChannelOption.of(key)} reaches none that is missing from it. So the idiom
 * {@code for (o : ch.supportedOptions()) ch.setOption(o, ch.getOption(o))} fails on them with
 * the {@code SocketException}, exactly as it fails on the JDK's own channels (on
 * {@code SO_INCOMING_NAPI_ID}; Netty's {@code config().setOptions(config().getOptions())}
 * throws a {@code ChannelException} for the same reason under either provider). Every other
 * option, {@link #MPTCP_ENABLED} included, takes back the value it reads.
 */
public final class MptcpSocketOptions {
    private MptcpSocketOptions() {
    }

    /**
     * Multipath TCP on or off for this socket (RFC 6897 {@code TCP_MULTIPATH_ENABLE}).
     *
     * <p><b>Read</b>: whether the connection uses MPTCP right now: {@code true} only while the
     * socket is MPTCP and has not fallen back to TCP. It reads {@code false} for a socket opened
     * as TCP (mode {@code off}, the option set to {@code false}, or MPTCP refused by the
     * kernel), for a connection whose peer does not speak MPTCP, and for an accepted connection
     * from a plain TCP client. Before a connection exists it tells whether the socket is MPTCP.
     *
     * <p><b>Write</b>: chooses MPTCP ({@code true}) or TCP ({@code false}) for this socket,
     * whatever the provider's mode says, on a {@link MptcpSocketChannel} before it is bound or
     * connected and on a {@link MptcpServerSocketChannel} before it is bound, also after it was
     * registered with a selector. Linux cannot change a socket's protocol, so the channel opens a
     * new socket, applies the options already set on the old one, and puts it under the same
     * descriptor ({@code dup3(2)}); its selectors watch the new socket. Setting the value the
     * socket already has does nothing. Later, or on an accepted channel, writing the value the
     * option reads does nothing (on a connection that fell back to TCP that is {@code false}),
     * and the other value throws {@link java.net.SocketException} ("already bound", "already
     * connected"). Asking for MPTCP where the kernel refuses it throws
     * {@link java.net.SocketException} that says why (for example {@code net.mptcp.enabled=0}
     * in this network namespace), with the errno as its cause; the socket is left as it was.
     *
     * <p>Kernel: reading uses {@code TCP_IS_MPTCP} (Linux 6.10); on 5.16 to 6.9 the socket
     * protocol and {@code MPTCP_INFO}, which tell the same. Writing needs MPTCP (Linux 5.6) for
     * {@code true}.
     */
    public static final SocketOption<Boolean> MPTCP_ENABLED =
            new MptcpSocketOption<>("MPTCP_ENABLED", Boolean.class);

    /**
     * This host's token of the connection (RFC 6897 {@code TCP_MULTIPATH_CONNID}), the name the
     * kernel's path manager and its events use for it. Read-only. Empty while the channel is
     * not connected and when the connection does not use MPTCP ({@link #MPTCP_ENABLED} false),
     * so that a program that reads every supported option (as Netty's
     * {@code config().getOptions()} does) never fails on a TCP connection.
     *
     * <p>Kernel: {@code MPTCP_INFO} (Linux 5.16); on an MPTCP connection under an older kernel,
     * {@link java.net.SocketException} naming the version needed.
     */
    @SuppressWarnings({"unchecked", "rawtypes"})
    public static final SocketOption<Optional<MptcpToken>> MPTCP_TOKEN =
            new MptcpSocketOption<>("MPTCP_TOKEN", (Class) Optional.class);

    /**
     * The connection's MPTCP-level state, every field the kernel reports. Read-only. Empty while
     * the channel is not connected and when the connection does not use MPTCP.
     *
     * <p>Kernel: {@code MPTCP_INFO} (Linux 5.16; later kernels report more fields, see
     * {@link MptcpInfo}); on an MPTCP connection under an older kernel,
     * {@link java.net.SocketException} naming the version needed.
     */
    @SuppressWarnings({"unchecked", "rawtypes"})
    public static final SocketOption<Optional<MptcpInfo>> MPTCP_INFO =
            new MptcpSocketOption<>("MPTCP_INFO", (Class) Optional.class);

    /**
     * The established subflows of the connection (RFC 6897 {@code TCP_MULTIPATH_SUBFLOWS};
     * draft-hesmans-mptcp-socket-03 {@code MPTCP_GET_SUB_IDS} and {@code MPTCP_GET_SUB_TUPLE}),
     * in the kernel's order (the initial subflow first), each with its addresses and TCP
     * figures. A snapshot: an immutable list. Subflows that are no longer established are left
     * out (the kernel keeps listing a destroyed initial subflow). Read-only. Empty while the
     * channel is not connected and when the connection does not use MPTCP.
     *
     * <p>Kernel: {@code MPTCP_FULL_INFO} (Linux 6.5), one consistent snapshot with subflow ids;
     * on 5.16 to 6.4, {@code MPTCP_SUBFLOW_ADDRS} and {@code MPTCP_TCPINFO}, two calls that can
     * race with a subflow change, and no ids; on an MPTCP connection under an older kernel,
     * {@link java.net.SocketException} naming the version needed.
     */
    @SuppressWarnings({"unchecked", "rawtypes"})
    public static final SocketOption<List<Subflow>> MPTCP_SUBFLOWS =
            new MptcpSocketOption<>("MPTCP_SUBFLOWS", (Class) List.class);

    /**
     * Why this connection (or listener) is plain TCP, or that it uses MPTCP: the answer behind
     * an {@link #MPTCP_ENABLED} that reads {@code false}. Read-only; listed on socket channels
     * and on server socket channels (for a listener: why it is not MPTCP), and readable through
     * their {@code java.net.Socket}/{@code ServerSocket} adaptors, the sockets of
     * {@link MptcpSockets} and the asynchronous channels.
     *
     * <p>The {@link FallbackReason#kind() kind} tells apart what the kernel tells apart per
     * socket: TCP by choice (mode or option), MPTCP disabled in the namespace or unknown to the
     * kernel when the socket was opened (the errno of {@code socket(IPPROTO_MPTCP)}), a client
     * that did not ask for MPTCP (on the accepting side), a fallback, MPTCP in use, and not
     * connected yet. The cause of a fallback is not kept per socket by Linux: the
     * {@link FallbackReason#explanation() explanation} reports the namespace's counters of each
     * possible cause, see {@link FallbackReason}. Reading it on a fallen-back connection reads
     * {@code /proc/thread-self/net/netstat} and three {@code net.mptcp} sysctls: a diagnostic,
     * not a hot path.
     *
     * <p>Kernel: {@code TCP_IS_MPTCP} (Linux 6.10; before, as for {@link #MPTCP_ENABLED}); the
     * counters are those of {@code net/mptcp/mib.c}, each reported as unknown where the
     * kernel does not have it.
     */
    public static final SocketOption<FallbackReason> MPTCP_FALLBACK_REASON =
            new MptcpSocketOption<>("MPTCP_FALLBACK_REASON", FallbackReason.class);

    /**
     * The path policy the library runs for this connection ({@link PathProfile}): set before
     * connect; the default is the JVM's ({@link PathProfile#jvmDefault()}, system property
     * {@value PathProfile#SYSTEM_PROPERTY}), else {@link PathProfile#NONE} (also when the
     * property names no profile: that is logged once). Setting it once
     * connected to another value than it has throws {@link AlreadyConnectedException}.
     *
     * <p>When the connection is made (connect or finishConnect returns {@code true}), a profile
     * other than {@code NONE} starts on the namespace's path-manager subscription (the thread
     * {@code mptcp-nio-subflow-events}, one per namespace, no thread per connection) and steers
     * the subflows with the commands of subflow control. Those need the userspace path manager
     * and {@code CAP_NET_ADMIN}, and the first connection of a namespace must be connected from
     * a thread of that namespace: where one is missing, the connection works as with
     * {@code NONE} and the precise reason is logged (logger {@code io.mptcp.nio.pm.PathProfile},
     * WARNING). Socket channels only.
     */
    public static final SocketOption<PathProfile> PATH_PROFILE =
            new MptcpSocketOption<>("PATH_PROFILE", PathProfile.class);

    private static final class MptcpSocketOption<T> implements SocketOption<T> {
        private final String name;
        private final Class<T> type;

        MptcpSocketOption(String name, Class<T> type) {
            this.name = Objects.requireNonNull(name);
            this.type = Objects.requireNonNull(type);
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public Class<T> type() {
            return type;
        }

        @Override
        public String toString() {
            return name;
        }
    }
}
