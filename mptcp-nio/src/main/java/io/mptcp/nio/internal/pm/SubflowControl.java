package io.mptcp.nio.internal.pm;

import io.mptcp.ffi.Errno;
import io.mptcp.ffi.ErrnoException;
import io.mptcp.ffi.LinuxSyscalls;
import io.mptcp.ffi.LinuxUapi;
import io.mptcp.nio.MptcpSocketOptions;
import io.mptcp.nio.MptcpToken;
import io.mptcp.nio.Subflow;
import io.mptcp.nio.internal.netlink.MptcpPm;
import io.mptcp.nio.internal.netlink.PmAddress;
import io.mptcp.nio.pm.AnnouncedAddress;
import io.mptcp.nio.pm.MptcpEvent;
import io.mptcp.nio.pm.PathManager;
import io.mptcp.nio.pm.PathManagerException;
import io.mptcp.nio.pm.PathPolicy;
import io.mptcp.nio.pm.SubflowClose;
import io.mptcp.nio.pm.SubflowRequest;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.BindException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.NotYetConnectedException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Subflow control of one channel: the userspace path manager's per-connection commands
 * ({@code SUBFLOW_CREATE}, {@code SUBFLOW_DESTROY}, {@code SET_FLAGS}, {@code ANNOUNCE},
 * {@code REMOVE}) by the connection's token, over the namespace's {@link PmSession}, and the
 * state the kernel keeps badly (reference §11):
 * <ul>
 *   <li>address ids: the kernel's per-connection table of local (address, port) ↔ id is
 *       fragile (a create without id reuses id 0, a destroy drops the first entry of the same
 *       address whatever its port), so this class allocates the ids, one per (address, port),
 *       and always sends them;
 *   <li>an open completes only on the {@code SUB_ESTABLISHED} of its own address pair once the
 *       subflow list shows it, and still shows it two round trips (of the new subflow, plus
 *       20 ms) later; it fails on a {@code SUB_CLOSED} that comes instead (a remote refusal
 *       arrives only that way, some time after the command succeeded, and a join the peer
 *       rejects at its third ACK is first reported established);
 *   <li>{@code SUBFLOW_CREATE} before the connection is fully established fails
 *       {@code ENOTCONN}: the open then waits for the connection's {@code ESTABLISHED} event
 *       (the subscription exists before the first attempt, so the event cannot be missed) and
 *       tries again, also every few hundred milliseconds in case events were lost;
 *   <li>the local backup flag, which the events do not carry (theirs is the peer's).
 * </ul>
 * Created on the first subflow-control call of a channel, closed with it.
 */
public final class SubflowControl {
    /** Retries of a create that found the connection not yet fully established. */
    private static final long RETRY_MILLIS = 200;
    /** Re-reads of the subflow list for a subflow whose SUB_ESTABLISHED came first. */
    private static final int LIST_TRIES = 100;
    private static final long LIST_RETRY_MILLIS = 10;
    /** Added to two round trips of the new subflow before an open is taken as accepted. */
    private static final long SETTLE_MIN_MICROS = 20_000;

    /** Timers of all channels: retries and list re-reads, never blocking work. */
    private static final ScheduledExecutorService TIMERS =
            Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "mptcp-nio-subflow-timers");
                t.setDaemon(true);
                return t;
            });

    /** What subflow control needs from its channel. */
    public interface Host {
        /** Whether the channel is open. */
        boolean isOpen();

        /** Whether the channel is connected. */
        boolean isConnected();

        /** {@link MptcpSocketOptions#MPTCP_TOKEN} of the channel. */
        Optional<MptcpToken> token() throws IOException;

        /** {@link MptcpSocketOptions#MPTCP_SUBFLOWS} of the channel. */
        List<Subflow> subflows() throws IOException;

        /** {@code AF_INET} or {@code AF_INET6}: the socket's family. */
        int family();

        /** The socket's network-namespace cookie (0 when the kernel cannot tell). */
        long netnsCookie() throws IOException;
    }

    private final LinuxSyscalls sys;
    private final Host host;

    // Everything below is guarded by this.
    private PmSession session;
    /** The session held from before connect until {@link #startPolicy} has its own. */
    private PmSession early;
    private MptcpToken token;
    private boolean closed;
    private final Map<Local, Integer> ids = new HashMap<>();
    private final Map<Integer, AnnouncedAddress> announced = new LinkedHashMap<>();
    private final Map<Pair, Boolean> localBackup = new HashMap<>();
    // pairs seen established (events, lists) and not yet reported closed
    private final Set<Pair> seen = new HashSet<>();
    // the device a subflow is bound to, from its SUB_ESTABLISHED (SOCK_DESTROY must name it)
    private final Map<Pair, Integer> boundTo = new HashMap<>();
    // a subflow's local address id, from its SUB_ESTABLISHED (REMOVE names the address by it)
    private final Map<Pair, Integer> localIdOf = new HashMap<>();
    private final List<Pending> pending = new ArrayList<>();

    /** A local (address, port) of the kernel's table; port 0 for "no port". */
    private record Local(InetAddress address, int port) {
    }

    /** A subflow's address pair. */
    private record Pair(InetSocketAddress local, InetSocketAddress remote) {
    }

    /** An open in progress; its mutable fields are guarded by the SubflowControl. */
    private static final class Pending {
        final SubflowRequest request;
        final PmAddress local;
        final PmAddress remote;
        final Set<Pair> before;
        final CompletableFuture<Subflow> future = new CompletableFuture<>();
        boolean attempted;
        boolean created;
        boolean awaitingEstablished;
        Pair matched;
        int listTries;
        boolean settled;

        Pending(SubflowRequest request, PmAddress local, PmAddress remote, Set<Pair> before) {
            this.request = request;
            this.local = local;
            this.remote = remote;
            this.before = before;
        }
    }

    public SubflowControl(LinuxSyscalls sys, Host host) {
        this.sys = sys;
        this.host = host;
    }

    /** The network-namespace cookie of socket {@code fd} ({@code SO_NETNS_COOKIE}). */
    public static long netnsCookie(LinuxSyscalls sys, int fd) throws IOException {
        return PmSession.netnsCookie(sys, fd);
    }

    // ---- open -------------------------------------------------------------------------------

    /** The blocking open: {@link #openAsync} and a wait of at most {@code timeout}. */
    public Subflow open(SubflowRequest request, Duration timeout) throws IOException {
        Objects.requireNonNull(timeout, "openSubflow: null timeout");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("openSubflow: timeout " + timeout
                    + " is not positive");
        }
        Pending p = start(request);
        try {
            return p.future.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            boolean created;
            synchronized (this) {
                created = p.created;
            }
            SocketTimeoutException t = new SocketTimeoutException("openSubflow: " + request
                    + " was not usable within " + timeout + (created
                            ? " (the kernel accepted SUBFLOW_CREATE; the join may still"
                                    + " complete and then shows in MPTCP_SUBFLOWS)"
                            : " (the connection did not become fully established: MPTCP"
                                    + " accepts subflows only after its first data exchange)"));
            fail(p, t);
            throw t;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            InterruptedIOException x = new InterruptedIOException("openSubflow: interrupted"
                    + " while waiting for " + request);
            fail(p, x);
            throw x;
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof IOException x) {
                throw x;
            }
            if (cause instanceof RuntimeException x) {
                throw x;
            }
            throw new IOException("openSubflow: " + request + " failed", cause);
        }
    }

    /** The non-blocking open: preconditions and the first attempt now, the rest on events. */
    public CompletableFuture<Subflow> openAsync(SubflowRequest request) {
        try {
            return start(request).future;
        } catch (IOException | RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private Pending start(SubflowRequest request) throws IOException {
        Objects.requireNonNull(request, "openSubflow: null request");
        MptcpToken t = usable("openSubflow");
        InetAddress local = request.local();
        checkFamily("openSubflow", local);
        checkFamily("openSubflow", request.remote().getAddress());
        if (local.isAnyLocalAddress() && request.networkInterface().isEmpty()) {
            throw new IllegalArgumentException("openSubflow: the wildcard local address "
                    + local.getHostAddress() + " needs a networkInterface to pick the path");
        }
        PmSession s = session("openSubflow");
        if (s.failure().isPresent()) {
            throw new IOException("openSubflow: the mptcp_pm_events subscription of this"
                    + " namespace failed; no join can be confirmed (close the channel to"
                    + " start a new one)", s.failure().get());
        }
        if (!local.isAnyLocalAddress() && !s.isLocal(local)) {
            throw notLocal("openSubflow", local);
        }
        int port = request.localPort().orElse(0);
        PmAddress l = PmAddress.of(local).withId(idFor(local, port));
        if (port != 0) {
            l = l.withPort(port);
        }
        if (request.networkInterface().isPresent()) {
            l = l.withIfIndex(request.networkInterface().get().getIndex());
        }
        if (request.backup()) {
            l = l.withFlags(MptcpPm.MPTCP_PM_ADDR_FLAG_BACKUP);
        }
        InetSocketAddress remote = request.remote();
        PmAddress r = PmAddress.of(remote.getAddress()).withPort(remote.getPort());
        Pending p = new Pending(request, l, r, pairs(listed()));
        synchronized (this) {
            seen.addAll(p.before);
            pending.add(p);
        }
        // However the stage ends (also by the application's orTimeout or cancel), the open
        // stops waiting.
        p.future.whenComplete((v, x) -> {
            synchronized (this) {
                pending.remove(p);
            }
        });
        attempt(p, t);
        return p;
    }

    /** One {@code SUBFLOW_CREATE}; ENOTCONN (not yet fully established) waits and retries. */
    private void attempt(Pending p, MptcpToken t) {
        if (p.future.isDone()) {
            return;
        }
        try {
            PmSession s = session("openSubflow");
            synchronized (this) {
                // The SUB_ESTABLISHED may be read before the command returns.
                p.attempted = true;
            }
            run(s, c -> {
                c.subflowCreate(t.value(), p.local, p.remote);
                return null;
            });
            synchronized (this) {
                p.created = true;
            }
        } catch (PathManagerException e) {
            if (e.errno() == Errno.ENOTCONN && host.isOpen()) {
                synchronized (this) {
                    p.awaitingEstablished = true;
                }
                TIMERS.schedule(() -> retry(p), RETRY_MILLIS, TimeUnit.MILLISECONDS);
                return;
            }
            fail(p, mapCreate(e, p.request));
        } catch (IOException | RuntimeException e) {
            fail(p, e);
        }
    }

    private void retry(Pending p) {
        MptcpToken t;
        synchronized (this) {
            if (!p.awaitingEstablished || p.future.isDone() || closed) {
                return;
            }
            p.awaitingEstablished = false;
            t = token;
        }
        attempt(p, t);
    }

    /** A refusal of SUBFLOW_CREATE in the words of the precondition it broke. */
    private static IOException mapCreate(PathManagerException e, SubflowRequest r) {
        switch (e.errno()) {
            case Errno.EADDRNOTAVAIL:
                return withCause(new BindException("openSubflow: cannot use local address "
                        + r.local().getHostAddress() + (r.localPort().isPresent() ? " port "
                                + r.localPort().getAsInt() : "")
                        + ": it is not an address of this network namespace (EADDRNOTAVAIL)"),
                        e);
            case Errno.EACCES:
                return withCause(new BindException("openSubflow: permission denied to bind"
                        + " local port " + r.localPort().orElse(0) + ": it is below"
                        + " net.ipv4.ip_unprivileged_port_start and the caller lacks"
                        + " CAP_NET_BIND_SERVICE (draft-hesmans-mptcp-socket-03 §6: no subflow"
                        + " on a privileged port for an unprivileged caller)"), e);
            case Errno.EADDRINUSE:
                return withCause(new BindException("openSubflow: local "
                        + r.local().getHostAddress() + " port " + r.localPort().orElse(0)
                        + " is in use (EADDRINUSE)"), e);
            default:
                return e;
        }
    }

    // ---- events (the session's reader thread) ----------------------------------------------

    void onEvent(MptcpEvent e) {
        List<Runnable> after = new ArrayList<>();
        synchronized (this) {
            if (e instanceof MptcpEvent.ConnectionEstablished) {
                for (Pending p : pending) {
                    if (p.awaitingEstablished) {
                        after.add(() -> retry(p));
                    }
                }
            } else if (e instanceof MptcpEvent.SubflowEstablished s) {
                Pair pair = new Pair(s.local(), s.remote());
                seen.add(pair);
                localIdOf.put(pair, s.localId());
                if (s.interfaceIndex().isPresent()) {
                    boundTo.put(pair, s.interfaceIndex().getAsInt());
                }
                for (Pending p : pending) {
                    if (p.attempted && p.matched == null && matches(p, pair)) {
                        p.matched = pair;
                        after.add(() -> confirm(p));
                        break;
                    }
                }
            } else if (e instanceof MptcpEvent.SubflowClosed s) {
                Pair pair = new Pair(s.local(), s.remote());
                localBackup.remove(pair);
                boundTo.remove(pair);
                localIdOf.remove(pair);
                Pending failed = null;
                for (Pending p : pending) {
                    if (pair.equals(p.matched)) {
                        failed = p;
                        break;
                    }
                }
                // A subflow that was established before (a late SUB_CLOSED of one this
                // channel closed, say) is not the refused join of an open in progress.
                if (failed == null && !seen.remove(pair)) {
                    for (Pending p : pending) {
                        if (p.attempted && p.matched == null && matches(p, pair)) {
                            failed = p;
                            break;
                        }
                    }
                }
                if (failed != null) {
                    Pending p = failed;
                    after.add(() -> fail(p, joinFailed(p.request, s)));
                }
            } else if (e instanceof MptcpEvent.ConnectionClosed) {
                for (Pending p : pending) {
                    after.add(() -> fail(p, new IOException("openSubflow: the connection"
                            + " closed (CLOSED event) while " + p.request + " was pending")));
                }
            }
        }
        after.forEach(Runnable::run);
    }

    /** Events were lost: a join may have happened unseen; the subflow list tells. */
    void eventsLost() {
        List<Pending> check = new ArrayList<>();
        synchronized (this) {
            for (Pending p : pending) {
                if (p.attempted && p.matched == null) {
                    check.add(p);
                }
            }
        }
        for (Pending p : check) {
            try {
                boolean found = false;
                for (Subflow s : listed()) {
                    Pair pair = new Pair(s.local(), s.remote());
                    synchronized (this) {
                        if (p.matched == null && matches(p, pair)) {
                            // Only the one that sets it starts the confirmation.
                            p.matched = pair;
                            found = true;
                        }
                    }
                }
                if (found) {
                    confirm(p);
                }
            } catch (IOException | RuntimeException x) {
                fail(p, x);
            }
        }
    }

    /** The subscription broke: nothing will complete the opens in progress. */
    void eventsFailed(Exception cause) {
        List<Pending> all;
        synchronized (this) {
            all = List.copyOf(pending);
        }
        for (Pending p : all) {
            fail(p, new IOException("openSubflow: the mptcp_pm_events subscription failed"
                    + " while waiting for " + p.request, cause));
        }
    }

    /** Completes {@code p} with its subflow once the list shows it. */
    private void confirm(Pending p) {
        Pair matched;
        boolean settled;
        synchronized (this) {
            if (p.future.isDone()) {
                return;
            }
            matched = p.matched;
            settled = p.settled;
        }
        Subflow found = null;
        try {
            for (Subflow s : listed()) {
                if (new Pair(s.local(), s.remote()).equals(matched)) {
                    found = s;
                    break;
                }
            }
        } catch (IOException | RuntimeException e) {
            fail(p, e);
            return;
        }
        if (found != null && settled) {
            complete(p, found);
        } else if (found != null) {
            // A join the peer rejects looks established here until the peer's RST for our
            // third ACK arrives, one round trip after SUB_ESTABLISHED (reference §11 item 6):
            // look again after two round trips.
            synchronized (this) {
                p.settled = true;
            }
            long settle = SETTLE_MIN_MICROS + 2 * found.tcp().rttMicros();
            TIMERS.schedule(() -> confirm(p), settle, TimeUnit.MICROSECONDS);
        } else if (settled) {
            fail(p, new PathManagerException("mptcp_pm SUBFLOW_CREATE: the join "
                    + matched.local() + " -> " + matched.remote() + " for " + p.request
                    + " looked established (SUB_ESTABLISHED) and was gone from the subflow list"
                    + " right after (the peer rejected it)", "SUBFLOW_CREATE", Errno.ECONNRESET,
                    null, -1, new ErrnoException("subflow join", Errno.ECONNRESET)));
        } else {
            int tries;
            synchronized (this) {
                tries = ++p.listTries;
            }
            if (tries < LIST_TRIES) {
                TIMERS.schedule(() -> confirm(p), LIST_RETRY_MILLIS, TimeUnit.MILLISECONDS);
            } else {
                fail(p, new IOException("openSubflow: the kernel reported " + matched.local()
                        + " -> " + matched.remote() + " established (SUB_ESTABLISHED) but the"
                        + " subflow list never showed it established"));
            }
        }
    }

    private boolean matches(Pending p, Pair pair) {
        if (p.before.contains(pair)) {
            return false;
        }
        SubflowRequest r = p.request;
        if (!same(r.remote().getAddress(), pair.remote().getAddress())
                || r.remote().getPort() != pair.remote().getPort()) {
            return false;
        }
        if (!r.local().isAnyLocalAddress() && !same(r.local(), pair.local().getAddress())) {
            return false;
        }
        return r.localPort().isEmpty() || r.localPort().getAsInt() == pair.local().getPort();
    }

    private static boolean same(InetAddress a, InetAddress b) {
        return normal(a).equals(normal(b));
    }

    /** An IPv4-mapped IPv6 address as the IPv4 address it maps. */
    private static InetAddress normal(InetAddress a) {
        byte[] b = a.getAddress();
        if (b.length == 16) {
            for (int i = 0; i < 10; i++) {
                if (b[i] != 0) {
                    return a;
                }
            }
            if (b[10] == (byte) 0xff && b[11] == (byte) 0xff) {
                try {
                    return InetAddress.getByAddress(new byte[] {b[12], b[13], b[14], b[15]});
                } catch (IOException e) {
                    throw new AssertionError(e);
                }
            }
        }
        return a;
    }

    private static IOException joinFailed(SubflowRequest r, MptcpEvent.SubflowClosed s) {
        int errno = s.error().orElse(Errno.ECONNRESET);
        StringBuilder m = new StringBuilder("mptcp_pm SUBFLOW_CREATE: the join ")
                .append(s.local()).append(" -> ").append(s.remote()).append(" for ").append(r)
                .append(" failed after the request: ").append(Errno.describe(errno))
                .append(" (").append(Errno.name(errno)).append(')');
        if (s.error().isEmpty()) {
            m.append(", closed without an error right after it looked established (the peer"
                    + " rejected the join, e.g. at its subflow limit)");
        }
        if (s.resetReason().isPresent()) {
            m.append(", MP_TCPRST reason ").append(s.resetReason().getAsLong());
        }
        return new PathManagerException(m.toString(), "SUBFLOW_CREATE", errno, null, -1,
                new ErrnoException("subflow join", errno));
    }

    private void complete(Pending p, Subflow s) {
        synchronized (this) {
            pending.remove(p);
            localBackup.put(new Pair(s.local(), s.remote()), p.request.backup());
        }
        p.future.complete(s);
    }

    private void fail(Pending p, Throwable e) {
        synchronized (this) {
            pending.remove(p);
        }
        p.future.completeExceptionally(e);
    }

    // ---- close, backup -----------------------------------------------------------------------

    public void close(Subflow subflow, SubflowClose how) throws IOException {
        Objects.requireNonNull(subflow, "closeSubflow: null subflow");
        Objects.requireNonNull(how, "closeSubflow: null SubflowClose");
        MptcpToken t = usable("closeSubflow");
        Subflow s = find("closeSubflow", subflow);
        PmSession session = session("closeSubflow");
        if (how == SubflowClose.ABORT) {
            int ifIndex;
            synchronized (this) {
                ifIndex = boundTo.getOrDefault(new Pair(s.local(), s.remote()), 0);
            }
            session.abort(s.local(), s.remote(), ifIndex);
        } else {
            run(session, c -> {
                c.subflowDestroy(t.value(), withPort(s.local()), withPort(s.remote()));
                return null;
            });
        }
        synchronized (this) {
            localBackup.remove(new Pair(s.local(), s.remote()));
        }
    }

    public void setBackup(Subflow subflow, boolean backup) throws IOException {
        Objects.requireNonNull(subflow, "setSubflowBackup: null subflow");
        MptcpToken t = usable("setSubflowBackup");
        Subflow s = find("setSubflowBackup", subflow);
        PmAddress local = withPort(s.local()).withFlags(backup
                ? MptcpPm.MPTCP_PM_ADDR_FLAG_BACKUP : 0);
        run(session("setSubflowBackup"), c -> {
            c.setSubflowFlags(t.value(), local, withPort(s.remote()));
            return null;
        });
        synchronized (this) {
            localBackup.put(new Pair(s.local(), s.remote()), backup);
        }
    }

    /** The local backup flag this channel set on the subflow, if it set one. */
    public synchronized Optional<Boolean> localBackup(InetSocketAddress local,
            InetSocketAddress remote) {
        return Optional.ofNullable(localBackup.get(new Pair(local, remote)));
    }

    private static PmAddress withPort(InetSocketAddress a) {
        return PmAddress.of(a.getAddress()).withPort(a.getPort());
    }

    /** {@code subflow} as the list shows it now, or why it cannot be used. */
    private Subflow find(String call, Subflow subflow) throws IOException {
        for (Subflow s : listed()) {
            if (s.local().equals(subflow.local()) && s.remote().equals(subflow.remote())) {
                return s;
            }
        }
        throw new IOException(call + ": " + subflow.local() + " -> " + subflow.remote()
                + " is not an established subflow of this connection (it closed, or belongs"
                + " to another connection); read MPTCP_SUBFLOWS again");
    }

    // ---- announce, withdraw ------------------------------------------------------------------

    public AnnouncedAddress announce(InetSocketAddress address) throws IOException {
        Objects.requireNonNull(address, "announce: null address");
        if (address.isUnresolved()) {
            throw new IllegalArgumentException("announce: " + address
                    + " is unresolved; resolve the host name first");
        }
        InetAddress a = address.getAddress();
        if (a.isAnyLocalAddress()) {
            throw new IllegalArgumentException("announce: the wildcard address "
                    + a.getHostAddress() + " cannot be announced; give an address of an"
                    + " interface");
        }
        MptcpToken t = usable("announce");
        checkFamily("announce", a);
        PmSession s = session("announce");
        if (!s.isLocal(a)) {
            throw notLocal("announce", a);
        }
        int id = idFor(a, address.getPort());
        PmAddress pm = PmAddress.of(a).withId(id).withFlags(MptcpPm.MPTCP_PM_ADDR_FLAG_SIGNAL);
        if (address.getPort() != 0) {
            pm = pm.withPort(address.getPort());
        }
        PmAddress request = pm;
        run(s, c -> {
            c.announce(t.value(), request);
            return null;
        });
        AnnouncedAddress result = new AnnouncedAddress(id, address);
        synchronized (this) {
            announced.put(id, result);
        }
        return result;
    }

    public void withdraw(AnnouncedAddress announcement) throws IOException {
        Objects.requireNonNull(announcement, "withdraw: null announcement");
        synchronized (this) {
            if (!announcement.equals(announced.get(announcement.id()))) {
                throw new IllegalArgumentException("withdraw: " + announcement + " was not"
                        + " announced on this channel, or was withdrawn already");
            }
        }
        MptcpToken t = usable("withdraw");
        run(session("withdraw"), c -> {
            c.remove(t.value(), announcement.id());
            return null;
        });
        synchronized (this) {
            announced.remove(announcement.id());
        }
    }

    /**
     * REMOVE of {@code subflow}'s local address id: RM_ADDR to the peer, which closes its end of
     * the subflows from that address at once. The id is the one the subflow's SUB_ESTABLISHED
     * gave, else the one this channel assigned to the address, else 0: the initial subflow's.
     */
    public void removeLocalAddress(Subflow subflow) throws IOException {
        Objects.requireNonNull(subflow, "removeLocalAddress: null subflow");
        MptcpToken t = usable("removeLocalAddress");
        int id;
        synchronized (this) {
            Integer known = localIdOf.get(new Pair(subflow.local(), subflow.remote()));
            InetAddress a = normal(subflow.local().getAddress());
            id = known != null ? known : ids.entrySet().stream()
                    .filter(e -> e.getKey().address().equals(a))
                    .mapToInt(Map.Entry::getValue).findFirst().orElse(0);
        }
        run(session("removeLocalAddress"), c -> {
            c.remove(t.value(), id);
            return null;
        });
    }

    // ---- preconditions, ids, session ---------------------------------------------------------

    /** The token, or the precise reason there is no connection to control. */
    private MptcpToken usable(String call) throws IOException {
        if (!host.isOpen()) {
            throw new ClosedChannelException();
        }
        if (!host.isConnected()) {
            throw new NotYetConnectedException();
        }
        Optional<MptcpToken> t = host.token();
        if (t.isEmpty()) {
            throw new IOException(call + ": this connection does not use MPTCP (MPTCP_ENABLED"
                    + " is false: the channel was opened for TCP, the peer did not answer with"
                    + " MPTCP, or the connection fell back to TCP); subflow control needs an"
                    + " MPTCP connection");
        }
        synchronized (this) {
            if (closed) {
                throw new ClosedChannelException();
            }
            token = t.get();
        }
        return t.get();
    }

    private void checkFamily(String call, InetAddress a) {
        if (host.family() == LinuxUapi.AF_INET && !(normal(a) instanceof Inet4Address)) {
            throw new IllegalArgumentException(call + ": " + a.getHostAddress() + " is an IPv6"
                    + " address and this channel's socket is IPv4 (AF_INET); subflows of an"
                    + " IPv4 connection are IPv4 (open the channel for INET6 to mix)");
        }
    }

    private static BindException notLocal(String call, InetAddress a) {
        return new BindException(call + ": " + a.getHostAddress() + " is not an address of"
                + " this host's network namespace (no interface has it)");
    }

    /** The library's id for local (address, port): one per pair, 1 to 255, never reused. */
    private synchronized int idFor(InetAddress address, int port) throws IOException {
        Local key = new Local(normal(address), port);
        Integer id = ids.get(key);
        if (id != null) {
            return id;
        }
        Set<Integer> used = new HashSet<>(ids.values());
        for (int i = 1; i <= 255; i++) {
            if (!used.contains(i)) {
                ids.put(key, i);
                return i;
            }
        }
        throw new IOException("the 255 MPTCP address ids of this connection are all in use"
                + " (one per local address and port it used or announced)");
    }

    /** The namespace's session, acquired on first use and registered for this token. */
    private PmSession session(String call) throws IOException {
        synchronized (this) {
            if (session != null) {
                return session;
            }
        }
        long netns = host.netnsCookie();
        MptcpToken t;
        synchronized (this) {
            t = token;
        }
        // Before the subscription, which needs CAP_NET_ADMIN: a connection of the in-kernel
        // path manager is refused for that, the more basic reason, also for callers without
        // the capability.
        try {
            PmSession.probePathManager(sys, netns, t.value());
        } catch (PathManagerException e) {
            if (isPmTypeRefusal(e)) {
                throw pmTypeRefusal(e);
            }
            // Anything else the commands themselves report.
        }
        PmSession s = PmSession.acquire(sys, netns, call);
        synchronized (this) {
            if (closed || session != null) {
                s.release();
                if (closed) {
                    throw new ClosedChannelException();
                }
                return session;
            }
            session = s;
            s.register(token, this);
            return s;
        }
    }

    private List<Subflow> listed() throws IOException {
        return host.subflows();
    }

    private static Set<Pair> pairs(List<Subflow> subflows) {
        Set<Pair> out = new HashSet<>();
        for (Subflow s : subflows) {
            out.add(new Pair(s.local(), s.remote()));
        }
        return out;
    }

    /**
     * Runs {@code policy} for this connection on the namespace's session, from now until the
     * channel closes ({@code PATH_PROFILE}). Refused as the commands are: not MPTCP, the
     * in-kernel path manager (the precise {@code net.mptcp.path_manager} reason), no
     * {@code CAP_NET_ADMIN}, or no session yet and the calling thread in another namespace.
     *
     * @param remote the connection's peer, where the policy's new subflows go
     * @param call the option, for messages
     */
    public void startPolicy(PathPolicy policy, InetSocketAddress remote, String call)
            throws IOException {
        Objects.requireNonNull(policy, "policy");
        try {
            MptcpToken t = usable(call);
            PmSession s = session(call);
            s.addRunner(new PolicyRunner(policy, this, host, s, t, remote, call));
        } finally {
            releaseEarly();
        }
    }

    /**
     * Subscribes to the namespace's path-manager events before the connection is made, for a
     * profile started once it is: the peer's ADD_ADDR comes right after the handshake, often
     * before {@code connect} returns, and an event that comes before the subscription is lost.
     * Best effort: what prevents the subscription now, {@link #startPolicy} reports then.
     *
     * @param call the option, for messages
     */
    public void subscribeBeforeConnect(String call) {
        synchronized (this) {
            if (closed || session != null || early != null) {
                return;
            }
        }
        PmSession s;
        try {
            s = PmSession.acquire(sys, host.netnsCookie(), call);
        } catch (IOException | RuntimeException e) {
            return;
        }
        synchronized (this) {
            if (!closed && early == null) {
                early = s;
                return;
            }
        }
        s.release();
    }

    private void releaseEarly() {
        PmSession s;
        synchronized (this) {
            s = early;
            early = null;
        }
        if (s != null) {
            s.release();
        }
    }

    /** The channel closed: fail what is in progress and give the session back. */
    public void close() {
        List<Pending> all;
        PmSession s;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            all = List.copyOf(pending);
            s = session;
            session = null;
        }
        for (Pending p : all) {
            fail(p, new ClosedChannelException());
        }
        if (s != null) {
            s.unregister(token, this);
            s.release();
        }
        releaseEarly();
    }

    /** A command; the refusal of a connection without the userspace PM in precise words. */
    private static <T> T run(PmSession s, PmSession.Command<T> command) throws IOException {
        try {
            return s.command(command);
        } catch (PathManagerException e) {
            if (isPmTypeRefusal(e)) {
                throw pmTypeRefusal(e);
            }
            throw e;
        }
    }

    private static boolean isPmTypeRefusal(PathManagerException e) {
        return e.errno() == Errno.EINVAL && e.kernelMessage()
                .map(m -> m.contains("userspace PM not selected")).orElse(false);
    }

    /**
     * The message of "userspace PM not selected", in words that name the sysctl and when it
     * counts.
     */
    static PathManagerException pmTypeRefusal(PathManagerException e) {
        String now;
        try {
            now = PathManager.type() == PathManager.Type.USERSPACE ? "userspace" : "kernel";
        } catch (IOException x) {
            now = "unreadable: " + x.getMessage();
        }
        return new PathManagerException(e.getMessage() + " - this connection's socket was"
                + " created while net.mptcp.path_manager (net.mptcp.pm_type before Linux 6.15)"
                + " of its network namespace was not \"userspace\" (now: " + now + "); a"
                + " connection keeps the path manager it was created with: set"
                + " net.mptcp.path_manager=userspace, then create the socket",
                e.command(), e.errno(), e.kernelMessage().orElse(null),
                e.missingAttribute().orElse(-1), e);
    }

    private static <X extends Exception> X withCause(X x, Throwable cause) {
        x.initCause(cause);
        return x;
    }
}
