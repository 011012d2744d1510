package io.mptcp.nio.internal.options;

import io.mptcp.ffi.Errno;
import io.mptcp.ffi.ErrnoException;
import io.mptcp.ffi.IoStatus;
import io.mptcp.ffi.LinuxSyscalls;
import io.mptcp.ffi.LinuxUapi;
import io.mptcp.ffi.NativeBuffer;
import io.mptcp.ffi.NetlinkUapi;
import io.mptcp.nio.internal.netlink.InetDiagMsg;
import io.mptcp.nio.internal.netlink.InetDiagMsg.MptcpSubflowDiag;
import io.mptcp.nio.internal.netlink.NetlinkError;
import io.mptcp.nio.internal.netlink.NetlinkMessage;
import io.mptcp.nio.internal.netlink.NetlinkProtocolException;
import io.mptcp.nio.internal.netlink.NetlinkReader;
import io.mptcp.nio.internal.netlink.Reply;
import io.mptcp.nio.internal.netlink.SockDiag;

import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Reads the MPTCP flags of a connection's subflows from the kernel's socket diagnostics
 * ({@code NETLINK_SOCK_DIAG}, {@code SOCK_DIAG_BY_FAMILY} for TCP, as {@code ss -ti} does):
 * the MPTCP socket does not report them, its subflows' TCP sockets do, to any process from
 * Linux 6.15 on (kernel commit "tcp: ulp: diag: more info without CAP_NET_ADMIN", which keeps
 * only the sequence numbers for CAP_NET_ADMIN). One instance serves one listing: it opens its
 * netlink socket in the calling thread's network namespace and closes it at the end; its
 * buffer is freed then, not left to the collector (the list is read as often as any option).
 *
 * <p>Each subflow is looked up by its addresses first (one answer); a subflow bound to an
 * interface (an endpoint with {@code dev}, a userspace-PM subflow with an interface) is found
 * that way only with the interface, which the MPTCP socket does not report, so when the lookup
 * finds nothing a dump filtered by the two ports follows. A dump walks the kernel's whole table
 * of TCP connections (milliseconds on a large table), so the caller keeps the interface a dump
 * found and passes it to the next lookup of that subflow. An answer counts only if the
 * subflow's local token is the connection's: a socket of the same addresses in another
 * network namespace is never taken for this one's.
 *
 * <p>Where the kernel tells nothing the flags stay empty, and the first time each reason is
 * met it is logged ({@code System.Logger} {@code io.mptcp.nio}, INFO), never thrown: the list
 * itself does not depend on them.
 */
final class SubflowDiagnostics implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger("io.mptcp.nio");
    private static final Set<String> LOGGED = ConcurrentHashMap.newKeySet();
    /** Larger than any datagram of a dump (at most 32 KiB), so a truncation is an error. */
    private static final int BUFFER_BYTES = 64 * 1024;
    private static final int REPLY_TIMEOUT_MILLIS = 5_000;

    private final LinuxSyscalls sys;
    private final int fd;
    private final ByteBuffer buffer;
    private int sequence = (int) (System.nanoTime() & 0x3fffffff);
    /** Why nothing more is asked in this listing; null while the kernel answers. */
    private String unavailable;

    private SubflowDiagnostics(LinuxSyscalls sys, int fd) {
        this.sys = sys;
        this.fd = fd;
        this.buffer = NativeBuffer.allocate(BUFFER_BYTES).order(ByteOrder.nativeOrder());
    }

    /**
     * A diagnostics socket in the calling thread's network namespace, or empty (and the reason
     * logged) if the kernel has none for this process or that namespace is not the one of
     * {@code socketFd}, the MPTCP socket: its subflows would not be found there, and each
     * would cost a dump.
     */
    static Optional<SubflowDiagnostics> open(LinuxSyscalls sys, int socketFd) {
        int fd;
        try {
            fd = sys.socket(LinuxUapi.AF_NETLINK,
                    LinuxUapi.SOCK_RAW | LinuxUapi.SOCK_CLOEXEC | LinuxUapi.SOCK_NONBLOCK,
                    NetlinkUapi.NETLINK_SOCK_DIAG);
        } catch (ErrnoException e) {
            once("socket-" + e.errnoName(), e.errno() == Errno.EPROTONOSUPPORT
                    ? "this kernel has no socket diagnostics (socket(AF_NETLINK, SOCK_RAW,"
                            + " NETLINK_SOCK_DIAG): EPROTONOSUPPORT; CONFIG_INET_DIAG off or"
                            + " module inet_diag not loadable)"
                    : "socket(AF_NETLINK, SOCK_RAW, NETLINK_SOCK_DIAG) failed: " + e);
            return Optional.empty();
        }
        try {
            sys.bindNetlink(fd, 0, 0);
            sys.setsockoptInt(fd, NetlinkUapi.SOL_NETLINK, NetlinkUapi.NETLINK_EXT_ACK, 1);
            sys.setsockoptInt(fd, NetlinkUapi.SOL_NETLINK, NetlinkUapi.NETLINK_CAP_ACK, 1);
        } catch (ErrnoException e) {
            once("setup-" + e.errnoName(), "the NETLINK_SOCK_DIAG socket could not be set up: "
                    + e);
            closeQuietly(sys, fd);
            return Optional.empty();
        }
        long socketNamespace = namespaceCookie(sys, socketFd);
        long diagNamespace = namespaceCookie(sys, fd);
        if (socketNamespace != -1 && diagNamespace != -1 && socketNamespace != diagNamespace) {
            once("namespace", "the list is read from a thread in another network namespace"
                    + " than the socket's (SO_NETNS_COOKIE " + diagNamespace + ", the socket's "
                    + socketNamespace + "), and the kernel's socket diagnostics answer for the"
                    + " caller's namespace only");
            closeQuietly(sys, fd);
            return Optional.empty();
        }
        return Optional.of(new SubflowDiagnostics(sys, fd));
    }

    /** The network namespace of {@code fd} (Linux 5.14), or -1 where the kernel cannot say. */
    private static long namespaceCookie(LinuxSyscalls sys, int fd) {
        ByteBuffer b = NativeBuffer.allocate(Long.BYTES).order(ByteOrder.nativeOrder());
        try {
            int n = sys.getsockopt(fd, LinuxUapi.SOL_SOCKET, LinuxUapi.SO_NETNS_COOKIE, b);
            return n == Long.BYTES ? b.getLong(0) : -1;
        } catch (ErrnoException e) {
            // ENOPROTOOPT before 5.14: the token comparison still keeps other sockets out.
            return -1;
        } finally {
            NativeBuffer.free(b);
        }
    }

    /**
     * The answer for the subflow {@code local} to {@code remote} of the connection whose local
     * token is {@code token}, with its MPTCP attributes; empty when the kernel does not tell.
     *
     * @param ifindex the interface the subflow is bound to if known (an earlier answer's
     *     {@link InetDiagMsg#ifindex()}), else 0
     */
    Optional<InetDiagMsg> find(long token, InetSocketAddress local, InetSocketAddress remote,
            int ifindex) {
        if (unavailable != null) {
            return Optional.empty();
        }
        try {
            Optional<InetDiagMsg> found = lookup(local, remote, ifindex);
            if (found.isEmpty()) {
                found = dump(local, remote);
            }
            if (found.isEmpty()) {
                // Closed since the list was read, or the socket is in another namespace than
                // this thread: nothing to say about it.
                once("not-found", System.Logger.Level.DEBUG, "a subflow the MPTCP socket"
                        + " listed was not found by NETLINK_SOCK_DIAG (" + local + " to "
                        + remote + "): it closed in between, or the list is read from a"
                        + " thread in another network namespace than the socket's (on a"
                        + " kernel without SO_NETNS_COOKIE)");
                return Optional.empty();
            }
            Optional<MptcpSubflowDiag> subflow = found.get().subflow();
            if (subflow.isEmpty()) {
                unavailable = "this kernel does not give this process the MPTCP subflow"
                        + " information (INET_DIAG_ULP_INFO): before Linux 6.15 only"
                        + " CAP_NET_ADMIN gets it";
                once("no-ulp", unavailable);
                return Optional.empty();
            }
            if (subflow.get().localToken() != token) {
                once("token", "the TCP socket " + local + " to " + remote + " belongs to"
                        + " another MPTCP connection (token "
                        + Long.toHexString(subflow.get().localToken()) + ", not "
                        + Long.toHexString(token) + "): the list is read from a thread in"
                        + " another network namespace than the socket's");
                return Optional.empty();
            }
            return found;
        } catch (NoDiagHandler e) {
            unavailable = e.getMessage();
            once("no-handler", unavailable);
        } catch (IOException e) {
            unavailable = "NETLINK_SOCK_DIAG failed: " + e;
            once("io-" + e.getClass().getSimpleName(), unavailable);
        }
        return Optional.empty();
    }

    /** The exact lookup: the answer if it is this socket, else empty. */
    private Optional<InetDiagMsg> lookup(InetSocketAddress local, InetSocketAddress remote,
            int ifindex) throws IOException {
        int seq = nextSequence();
        int scope = ifindex != 0 ? ifindex
                : local.getAddress() instanceof Inet6Address a6 ? a6.getScopeId() : 0;
        Reply reply = transact(seq,
                SockDiag.lookup(seq, SockDiag.familyOf(local), local, remote, scope));
        Optional<NetlinkError> error = reply.error();
        if (error.isPresent()) {
            if (error.get().error() == -Errno.ENOENT) {
                return Optional.empty();
            }
            throw refused("lookup", error.get());
        }
        return matching(reply.messages(), local, remote);
    }

    /** Dumps by ports, IPv4 then (for an IPv4 subflow of an IPv6 socket) IPv6. */
    private Optional<InetDiagMsg> dump(InetSocketAddress local, InetSocketAddress remote)
            throws IOException {
        int first = SockDiag.familyOf(local);
        int[] families = first == SockDiag.AF_INET
                ? new int[] {SockDiag.AF_INET, SockDiag.AF_INET6}
                : new int[] {SockDiag.AF_INET6};
        for (int family : families) {
            int seq = nextSequence();
            Reply reply = transact(seq,
                    SockDiag.dumpPorts(seq, family, local.getPort(), remote.getPort()));
            Optional<NetlinkError> error = reply.error();
            if (error.isPresent()) {
                if (error.get().error() == -Errno.ENOENT) {
                    // A dump finds no socket with an empty answer: ENOENT means no handler.
                    throw new NoDiagHandler("this kernel has no TCP socket diagnostics"
                            + " (SOCK_DIAG_BY_FAMILY for TCP: ENOENT; CONFIG_INET_TCP_DIAG off"
                            + " or module tcp_diag not loadable)");
                }
                throw refused("dump", error.get());
            }
            Optional<InetDiagMsg> found = matching(reply.messages(), local, remote);
            if (found.isPresent()) {
                return found;
            }
        }
        return Optional.empty();
    }

    private static Optional<InetDiagMsg> matching(List<NetlinkMessage> messages,
            InetSocketAddress local, InetSocketAddress remote) throws NetlinkProtocolException {
        for (NetlinkMessage m : messages) {
            InetDiagMsg msg = InetDiagMsg.decode(m);
            if (msg.matches(local, remote)) {
                return Optional.of(msg);
            }
        }
        return Optional.empty();
    }

    private static IOException refused(String what, NetlinkError error) {
        return new IOException("SOCK_DIAG_BY_FAMILY " + what + ": errno " + -error.error()
                + error.message().map(m -> " (" + m + ")").orElse(""));
    }

    private int nextSequence() {
        sequence = sequence + 1 & 0x7fffffff;
        return sequence;
    }

    /** Sends {@code request} and collects its answer. */
    private Reply transact(int seq, byte[] request) throws IOException {
        buffer.clear();
        buffer.put(request).flip();
        if (sys.sendNetlink(fd, buffer) == IoStatus.UNAVAILABLE) {
            throw new IOException("NETLINK_SOCK_DIAG: the kernel did not take the request"
                    + " (EAGAIN)");
        }
        Reply reply = new Reply(seq);
        long deadline = System.nanoTime() + REPLY_TIMEOUT_MILLIS * 1_000_000L;
        while (true) {
            buffer.clear();
            int n = sys.recvNetlink(fd, buffer, 0);
            if (n == IoStatus.UNAVAILABLE) {
                long left = (deadline - System.nanoTime()) / 1_000_000L;
                if (left <= 0) {
                    throw new IOException("NETLINK_SOCK_DIAG: no answer from the kernel within "
                            + REPLY_TIMEOUT_MILLIS + " ms");
                }
                sys.poll(fd, LinuxUapi.POLLIN, -1, (int) left);
                continue;
            }
            if (n > buffer.capacity()) {
                throw new NetlinkProtocolException("NETLINK_SOCK_DIAG: a datagram of " + n
                        + " bytes was cut to the " + buffer.capacity() + "-byte buffer");
            }
            buffer.limit(n);
            if (reply.accept(NetlinkReader.read(buffer))) {
                return reply;
            }
        }
    }

    @Override
    public void close() {
        closeQuietly(sys, fd);
        NativeBuffer.free(buffer);
    }

    private static void closeQuietly(LinuxSyscalls sys, int fd) {
        try {
            sys.close(fd);
        } catch (ErrnoException e) {
            // Nothing was written through it; the descriptor is gone either way (close(2)).
        }
    }

    private static void once(String key, String why) {
        once(key, System.Logger.Level.INFO, why);
    }

    private static void once(String key, System.Logger.Level level, String why) {
        if (LOGGED.add(key)) {
            LOG.log(level, "mptcp-nio: MPTCP_SUBFLOWS reports no backup or"
                    + " fully-established flags: " + why);
        }
    }

    /** The kernel has no TCP diag handler: nothing more to ask in this listing. */
    private static final class NoDiagHandler extends IOException {
        private static final long serialVersionUID = 1L;

        NoDiagHandler(String message) {
            super(message);
        }
    }
}
