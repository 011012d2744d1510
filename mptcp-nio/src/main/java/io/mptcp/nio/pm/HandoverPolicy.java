package io.mptcp.nio.pm;

import io.mptcp.nio.Subflow;
import io.mptcp.nio.TcpInfo;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;

/**
 * The HANDOVER path policy: one active subflow, one backup subflow from every other usable
 * local address, and a switch to a backup as soon as the active path is known to be dead.
 *
 * <p>At {@link #start} the connection's first non-backup subflow is the active one (the
 * initial subflow of a new connection; its backup flag is cleared explicitly, and any other
 * non-backup subflow set backup), and a backup subflow is opened from every other local address
 * whose link is up, of the peer's address family, towards {@link PathControl#remoteAddress()}.
 * The active path is dead when
 * <ul>
 *   <li>its interface goes down ({@link MptcpEvent.LinkDown}, from rtnetlink: the same
 *       instant {@code ip link set down} returns, long before TCP's retransmission timer);
 *   <li>its local address is removed ({@link MptcpEvent.LocalAddressRemoved});
 *   <li>the kernel closes it ({@link MptcpEvent.SubflowClosed}, a subflow error or reset);
 *   <li>it makes no progress: its {@code tcp_info} {@code bytes_acked} stays still for
 *       {@link #noProgressTimeout()} while bytes it sent after the last acknowledgement are
 *       outstanding ({@code bytes_sent} moved since {@code bytes_acked} last moved).
 * </ul>
 * Then, in this order, the policy clears the backup flag of a live backup subflow (MP_PRIO:
 * the scheduler uses it at once) and closes the dead subflow with {@link SubflowClose#ABORT}
 * (a RST: MPTCP re-sends what it had in flight on the new active subflow, and the subflow
 * leaves the list at once instead of retransmitting until {@code tcp_retries2}). Backup
 * subflows on a dead link are closed the same way. A dead active subflow with no live backup
 * is kept: it is the connection's only hope until its link comes back. When a link comes up
 * again ({@link MptcpEvent.LinkUp}) or an address is added
 * ({@link MptcpEvent.LocalAddressAdded}), a backup subflow is reopened from each of its
 * addresses that has none.
 *
 * <p>Instances hold the state of one connection; the callbacks are synchronised on the
 * instance (the state below is guarded by it).
 */
public final class HandoverPolicy implements PathPolicy {
    /** The default {@link #noProgressTimeout()}. */
    public static final Duration DEFAULT_NO_PROGRESS_TIMEOUT = Duration.ofSeconds(1);
    /** The default {@link #tickInterval()}. */
    public static final Duration DEFAULT_TICK_INTERVAL = Duration.ofMillis(50);

    private static final System.Logger LOG = System.getLogger(HandoverPolicy.class.getName());

    private final Duration noProgressTimeout;
    private final Duration tickInterval;

    // All state is guarded by this.
    /** Local address -> interface, kept after a link goes down (IPv4 addresses stay). */
    private final Map<InetAddress, Integer> interfaceOf = new HashMap<>();
    private final Set<Integer> linksDown = new HashSet<>();
    /** Local addresses asked for with openSubflow and not yet reported established/closed. */
    private final Set<InetAddress> opening = new HashSet<>();
    /** Pairs this policy aborted: their SUB_CLOSED is no news. */
    private final Set<Pair> aborted = new HashSet<>();
    private final Map<Pair, Progress> progress = new HashMap<>();
    private final List<Handover> handovers = new ArrayList<>();

    /**
     * One switch of the active path, for logging and tests.
     *
     * @param from the dead subflow's local and remote address
     * @param to the promoted subflow's local and remote address
     * @param reason why the old path was taken as dead
     * @param atNanos {@link PathControl#nanoTime()} when it happened
     */
    public record Handover(InetSocketAddress from, InetSocketAddress to, String reason,
            long atNanos) {
        /**
         * @param from the dead subflow's local address
         * @param to the promoted subflow's local address
         * @param reason why the old path was taken as dead
         * @param atNanos {@link PathControl#nanoTime()} when it happened
         * @throws NullPointerException if an address or the reason is null
         */
        public Handover {
            Objects.requireNonNull(from, "from");
            Objects.requireNonNull(to, "to");
            Objects.requireNonNull(reason, "reason");
        }
    }

    private record Pair(InetSocketAddress local, InetSocketAddress remote) {
        static Pair of(Subflow s) {
            return new Pair(s.local(), s.remote());
        }
    }

    /** The acknowledgement progress of one subflow; fields guarded by the policy. */
    private static final class Progress {
        long acked;
        long sent;
        long ackMovedNanos;
        /** When bytes were first seen sent after the last acknowledgement; -1 for none. */
        long unackedSinceNanos = -1;
    }

    private HandoverPolicy(Duration noProgressTimeout, Duration tickInterval) {
        this.noProgressTimeout = noProgressTimeout;
        this.tickInterval = tickInterval;
    }

    /**
     * {@return a policy with the default timeouts}
     */
    public static HandoverPolicy create() {
        return create(DEFAULT_NO_PROGRESS_TIMEOUT, DEFAULT_TICK_INTERVAL);
    }

    /**
     * A policy with its own timeouts.
     *
     * @param noProgressTimeout how long the active subflow may have sent data acknowledged by
     *     nothing before it is taken as dead; compare with the path's RTO (at least 200 ms on
     *     Linux): shorter than a few RTOs mistakes a slow path for a dead one
     * @param tickInterval how often the subflow list is read
     * @return a new policy, for one connection
     * @throws IllegalArgumentException if a duration is not positive, or the timeout is not
     *     longer than the tick
     */
    public static HandoverPolicy create(Duration noProgressTimeout, Duration tickInterval) {
        Objects.requireNonNull(noProgressTimeout, "noProgressTimeout");
        Objects.requireNonNull(tickInterval, "tickInterval");
        if (noProgressTimeout.isNegative() || noProgressTimeout.isZero()
                || tickInterval.isNegative() || tickInterval.isZero()) {
            throw new IllegalArgumentException("HandoverPolicy.create: noProgressTimeout "
                    + noProgressTimeout + " and tickInterval " + tickInterval
                    + " must both be positive");
        }
        if (noProgressTimeout.compareTo(tickInterval) <= 0) {
            throw new IllegalArgumentException("HandoverPolicy.create: noProgressTimeout "
                    + noProgressTimeout + " must be longer than tickInterval " + tickInterval
                    + " (progress is only seen once per tick)");
        }
        return new HandoverPolicy(noProgressTimeout, tickInterval);
    }

    /**
     * {@return how long the active subflow may make no progress before it is taken as dead}
     */
    public Duration noProgressTimeout() {
        return noProgressTimeout;
    }

    @Override
    public Duration tickInterval() {
        return tickInterval;
    }

    /**
     * {@return the switches of the active path so far} oldest first.
     */
    public synchronized List<Handover> handovers() {
        return List.copyOf(handovers);
    }

    @Override
    public synchronized void start(PathControl control) throws IOException {
        List<PathControl.LocalAddress> locals = control.localAddresses();
        for (PathControl.LocalAddress a : locals) {
            interfaceOf.put(a.address(), a.interfaceIndex());
            if (!a.linkUp()) {
                linksDown.add(a.interfaceIndex());
            }
        }
        List<Subflow> subflows = control.subflows();
        List<Subflow> active = subflows.stream().filter(s -> !isBackup(s)).toList();
        // One active path: the first the kernel lists (the initial subflow), its flag cleared
        // explicitly (which also makes a connection without the userspace path manager refuse
        // here, at once, rather than at the first failure); the others go backup.
        Subflow first = active.isEmpty() ? subflows.isEmpty() ? null : subflows.get(0)
                : active.get(0);
        if (first != null) {
            promote(first, control);
        }
        for (Subflow s : active) {
            if (s != first) {
                control.setSubflowBackup(s, true);
            }
        }
        openBackups(subflows, control);
    }

    @Override
    public synchronized void onEvent(MptcpEvent event, PathControl control) throws IOException {
        if (event instanceof MptcpEvent.LinkDown d) {
            linksDown.add(d.interfaceIndex());
            failWhere(s -> interfaceOf(s).map(i -> i == d.interfaceIndex()).orElse(false),
                    "link " + d.name().orElse("#" + d.interfaceIndex()) + " down", control);
        } else if (event instanceof MptcpEvent.LinkUp u) {
            if (linksDown.remove(u.interfaceIndex())) {
                openBackups(control.subflows(), control);
            }
        } else if (event instanceof MptcpEvent.LocalAddressRemoved r) {
            interfaceOf.remove(r.address());
            failWhere(s -> s.local().getAddress().equals(r.address()),
                    "address " + r.address().getHostAddress() + " removed", control);
        } else if (event instanceof MptcpEvent.LocalAddressAdded a) {
            if (interfaceOf.put(a.address(), a.interfaceIndex()) == null) {
                openBackups(control.subflows(), control);
            }
        } else if (event instanceof MptcpEvent.SubflowEstablished e) {
            opening.remove(e.local().getAddress());
        } else if (event instanceof MptcpEvent.SubflowClosed c) {
            Pair p = new Pair(c.local(), c.remote());
            progress.remove(p);
            if (aborted.remove(p) | opening.remove(p.local().getAddress())) {
                return;
            }
            String why = "subflow closed" + c.error().stream()
                    .mapToObj(e -> " (error " + e + ")").findFirst().orElse("");
            // The kernel may still list it: it is dead whatever the list says.
            List<Subflow> subflows = control.subflows();
            List<Subflow> rest = subflows.stream().filter(s -> !Pair.of(s).equals(p)).toList();
            if (rest.stream().noneMatch(s -> !isBackup(s))) {
                Optional<Subflow> dead = subflows.stream()
                        .filter(s -> Pair.of(s).equals(p)).findFirst();
                promoteReplacement(rest, p, why, control);
                if (dead.isPresent() && rest.stream().anyMatch(this::usable)) {
                    abort(dead.get(), control);
                }
            }
        }
    }

    @Override
    public synchronized void onTick(List<Subflow> subflows, PathControl control)
            throws IOException {
        long now = control.nanoTime();
        Set<Pair> listed = new HashSet<>();
        Subflow stalled = null;
        for (Subflow s : subflows) {
            Pair p = Pair.of(s);
            listed.add(p);
            TcpInfo t = s.tcp();
            Progress g = progress.get(p);
            if (g == null) {
                g = new Progress();
                g.acked = t.bytesAcked();
                g.sent = t.bytesSent();
                g.ackMovedNanos = now;
                progress.put(p, g);
                continue;
            }
            if (t.bytesAcked() != g.acked) {
                g.acked = t.bytesAcked();
                g.ackMovedNanos = now;
                g.unackedSinceNanos = -1;
            }
            if (t.bytesSent() != g.sent) {
                g.sent = t.bytesSent();
                if (g.unackedSinceNanos < 0 && now != g.ackMovedNanos) {
                    g.unackedSinceNanos = now;
                }
            }
            if (!isBackup(s) && g.unackedSinceNanos >= 0
                    && now - g.unackedSinceNanos >= noProgressTimeout.toNanos()) {
                stalled = s;
            }
        }
        progress.keySet().retainAll(listed);
        if (stalled != null) {
            Subflow dead = stalled;
            failWhere(s -> Pair.of(s).equals(Pair.of(dead)), "no progress for "
                    + noProgressTimeout.toMillis() + " ms", control, subflows);
        }
    }

    // ---- the work ---------------------------------------------------------------------------

    private void failWhere(Predicate<Subflow> dead, String why,
            PathControl control) throws IOException {
        failWhere(dead, why, control, control.subflows());
    }

    /**
     * Promotes a live backup if an active subflow is dead, then aborts the dead ones (unless
     * nothing would be left to carry the data).
     */
    private void failWhere(Predicate<Subflow> dead, String why,
            PathControl control, List<Subflow> subflows) throws IOException {
        // An aborted subflow may stay listed a moment, and rtnetlink repeats a link's state:
        // what was handled once is not removed and aborted again.
        List<Subflow> gone = subflows.stream()
                .filter(s -> dead.test(s) && !aborted.contains(Pair.of(s))).toList();
        if (gone.isEmpty()) {
            return;
        }
        List<Subflow> rest = subflows.stream().filter(dead.negate()).toList();
        Optional<Subflow> deadActive = gone.stream().filter(s -> !isBackup(s)).findFirst();
        if (deadActive.isPresent() && rest.stream().noneMatch(s -> !isBackup(s) && usable(s))) {
            promoteReplacement(rest, Pair.of(deadActive.get()), why, control);
        }
        if (rest.stream().noneMatch(this::usable)) {
            control.report(new PathDecision.Note("keep " + PathText.paths(gone),
                    why + "; no other usable path"));
            return;
        }
        // The RM_ADDR makes the peer drop its end at once instead of retransmitting into the
        // dead path until its timer fires (~400 ms of stall in the peer's direction). Before
        // the abort: the kernel refuses to remove id 0 once no subflow uses it, and it sends
        // the signal over a subflow from another address.
        Set<InetAddress> removed = new HashSet<>();
        for (Subflow s : gone) {
            if (removed.add(s.local().getAddress())) {
                removeAddress(s, control);
            }
        }
        for (Subflow s : gone) {
            abort(s, control);
        }
    }

    private void removeAddress(Subflow s, PathControl control) {
        try {
            control.removeLocalAddress(s);
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.DEBUG, "HANDOVER: REMOVE_ADDR of " + s.local() + " failed", e);
        }
    }

    private void promoteReplacement(List<Subflow> candidates, Pair from, String why,
            PathControl control) throws IOException {
        Optional<Subflow> next = candidates.stream().filter(this::usable).findFirst();
        if (next.isEmpty()) {
            control.report(new PathDecision.Note("no handover from "
                    + PathText.address(from.local()),
                    why + "; no usable backup"));
            return;
        }
        long now = control.nanoTime();
        promote(next.get(), control);
        handovers.add(new Handover(from.local(), next.get().local(), why, now));
        control.report(new PathDecision.Handover(from.local(), next.get().local(), why,
                stallOf(from, now)));
    }

    /** How long {@code p} had bytes outstanding without an acknowledgement, if measured. */
    private Optional<Duration> stallOf(Pair p, long now) {
        Progress g = progress.get(p);
        if (g == null) {
            return Optional.empty();
        }
        return Optional.of(g.unackedSinceNanos < 0 ? Duration.ZERO
                : Duration.ofNanos(Math.max(0, now - g.ackMovedNanos)));
    }

    private void promote(Subflow s, PathControl control) throws IOException {
        control.setSubflowBackup(s, false);
        // What the list says about it is stale until it is read again.
    }

    private void abort(Subflow s, PathControl control) throws IOException {
        Pair p = Pair.of(s);
        aborted.add(p);
        progress.remove(p);
        try {
            control.closeSubflow(s, SubflowClose.ABORT);
        } catch (IOException e) {
            // Gone already (the kernel closed it first): that is what was wanted.
            aborted.remove(p);
            LOG.log(Level.DEBUG, "HANDOVER: abort of " + p + " failed", e);
        }
    }

    private void openBackups(List<Subflow> subflows, PathControl control) throws IOException {
        InetSocketAddress remote = control.remoteAddress();
        boolean v4 = remote.getAddress() instanceof Inet4Address;
        Set<InetAddress> used = new HashSet<>();
        for (Subflow s : subflows) {
            used.add(s.local().getAddress());
        }
        used.addAll(opening);
        for (Map.Entry<InetAddress, Integer> e : interfaceOf.entrySet()) {
            InetAddress a = e.getKey();
            if (used.contains(a) || linksDown.contains(e.getValue())
                    || (a instanceof Inet4Address) != v4 || a.isLoopbackAddress()
                    || a.isLinkLocalAddress() || a.isAnyLocalAddress()) {
                continue;
            }
            SubflowRequest r = SubflowRequest.builder().local(a).remote(remote).backup(true)
                    .build();
            opening.add(a);
            try {
                control.openSubflow(r);
            } catch (IOException x) {
                opening.remove(a);
                LOG.log(Level.INFO, "HANDOVER: could not open a backup from " + a, x);
            }
        }
    }

    /** Whether {@code s}'s link is up and it was not aborted (InteractivePolicy asks). */
    synchronized boolean usable(Subflow s) {
        return interfaceOf(s).map(i -> !linksDown.contains(i)).orElse(false)
                && !aborted.contains(Pair.of(s));
    }

    private Optional<Integer> interfaceOf(Subflow s) {
        return Optional.ofNullable(interfaceOf.get(s.local().getAddress()));
    }

    private static boolean isBackup(Subflow s) {
        return s.localBackup().orElse(false);
    }
}
