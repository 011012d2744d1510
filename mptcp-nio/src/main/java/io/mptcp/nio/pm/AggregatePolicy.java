package io.mptcp.nio.pm;

import io.mptcp.nio.Subflow;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * The AGGREGATE path policy: every usable path at once, all of them active, for the most
 * throughput one connection can get.
 *
 * <p><b>On a connecting socket</b> the policy keeps a subflow over every usable pair of a local
 * address and a remote address, a full mesh. A local address is usable while its link is up
 * and it is of the peer's address family, not loopback, link-local or the wildcard. The remote
 * addresses are the connection's peer address ({@link PathControl#remoteAddress()}) and every
 * address the peer announced ({@link MptcpEvent.AddressAnnounced}) and has not removed
 * ({@link MptcpEvent.AddressRemoved}). No subflow is a backup.
 * <ul>
 *   <li>Missing pairs are opened at {@link #start}, when a link comes up
 *       ({@link MptcpEvent.LinkUp}), when a local address is added, and when the peer announces
 *       an address; a pair is never opened twice while its open is pending.
 *   <li>A subflow whose local address went away or whose link went down is closed with
 *       {@link SubflowClose#ABORT}, so that it does not go on retransmitting into a dead link
 *       (until {@code tcp_retries2}, 15 minutes by default) and MPTCP re-sends what it had in
 *       flight on the others. A subflow is kept if no subflow on a live link would be left:
 *       it is then the connection's only hope, and it is closed on the tick after another path
 *       is up. Subflows to an address the peer removed are closed the same way, and so is a
 *       subflow that makes no progress: its {@code tcp_info} {@code bytes_acked} stays still
 *       for {@link #noProgressTimeout()} while it sends (retransmits) bytes, as a subflow to a
 *       peer address that became unreachable does while its own link is up.
 *   <li>A failed open (refused at once, or reported by a {@link MptcpEvent.SubflowClosed}),
 *       and a subflow closed by the kernel or the peer while its path is still usable, are
 *       retried on a later tick after a delay that doubles from {@link #firstRetryDelay()} up
 *       to {@link #maxRetryDelay()}: a peer at its subflow limit refuses every join, and it is
 *       not asked every tick. The delay starts again from the first when the link or address
 *       comes back, and once a subflow of the pair has lived for {@link #maxRetryDelay()}.
 *   <li>At most {@link #maxSubflows()} subflows, counting those being opened. The kernel bound
 *       is {@value #MAX_SUBFLOWS}: the initial subflow plus {@code MPTCP_PM_ADDR_MAX} (8,
 *       {@code net/mptcp/protocol.h}, Linux 6.18; {@code net/mptcp/pm_netlink.c} before), the
 *       most additional subflows an in-kernel-PM peer accepts. Pairs from a local address and
 *       to a remote address with fewer subflows come first, so a bound smaller than the mesh
 *       still spreads the subflows over every link.
 * </ul>
 *
 * <p><b>On an accepted socket</b> ({@link PathControl#accepted()}) the policy opens nothing
 * towards the client, whose addresses are usually behind NAT or not listening. It announces
 * (ADD_ADDR) each of its usable local addresses other than the one the connection arrived on,
 * at most {@value #MAX_ANNOUNCED} (the peer's {@code add_addr_accepted} limit cannot exceed
 * {@code MPTCP_PM_ADDR_MAX}), so the client can join them, and withdraws (REMOVE_ADDR) an
 * address when it or its link goes; its subflows there are closed as on the connecting side.
 * A refused announcement is retried with the same backoff.
 *
 * <p>Instances hold the state of one connection; the callbacks are synchronised on the
 * instance (the state below is guarded by it).
 */
public final class AggregatePolicy implements PathPolicy {
    /**
     * The most subflows of one connection: 1 (the initial subflow) + {@code MPTCP_PM_ADDR_MAX}
     * (8 in {@code net/mptcp/protocol.h}, Linux 6.18), the in-kernel PM's highest
     * {@code subflows} limit, which a peer applies to the joins it accepts.
     */
    public static final int MAX_SUBFLOWS = 1 + PathManagerLimits.MAX;
    /**
     * The most addresses announced on one connection: {@code MPTCP_PM_ADDR_MAX} (8), the
     * highest {@code add_addr_accepted} limit of an in-kernel-PM peer.
     */
    public static final int MAX_ANNOUNCED = PathManagerLimits.MAX;
    /** The default {@link #tickInterval()}. */
    public static final Duration DEFAULT_TICK_INTERVAL = Duration.ofMillis(100);
    /** The default {@link #firstRetryDelay()}. */
    public static final Duration DEFAULT_FIRST_RETRY_DELAY = Duration.ofSeconds(1);
    /** The default {@link #maxRetryDelay()}. */
    public static final Duration DEFAULT_MAX_RETRY_DELAY = Duration.ofSeconds(30);
    /** The default {@link #noProgressTimeout()}. */
    public static final Duration DEFAULT_NO_PROGRESS_TIMEOUT = Duration.ofSeconds(2);

    private static final System.Logger LOG = System.getLogger(AggregatePolicy.class.getName());

    private final int maxSubflows;
    private final Duration firstRetryDelay;
    private final Duration maxRetryDelay;
    private final Duration tickInterval;
    private final Duration noProgressTimeout;

    // All state is guarded by this.
    /** Local address -> interface, in the order the namespace lists them. */
    private final Map<InetAddress, Integer> interfaceOf = new LinkedHashMap<>();
    private final Set<Integer> linksDown = new HashSet<>();
    /** The peer's addresses by its address id; 0 is the connection's peer address. */
    private final Map<Integer, InetSocketAddress> remotes = new TreeMap<>();
    /** Pairs asked for with openSubflow, until listed or reported closed. */
    private final Set<Pair> opening = new HashSet<>();
    /** Pairs this policy aborted: their SUB_CLOSED is no news. */
    private final Set<Pair> aborted = new HashSet<>();
    /** Pairs (or, on an accepted socket, addresses) whose next attempt waits. */
    private final Map<Object, Backoff> backoff = new HashMap<>();
    private final Map<Pair, Progress> progress = new HashMap<>();
    /** When each listed pair was first seen listed, for resetting its backoff. */
    private final Map<Pair, Long> listedSince = new HashMap<>();
    /** Accepted socket: what this end announced, by local address. */
    private final Map<InetAddress, AnnouncedAddress> announced = new LinkedHashMap<>();
    /** The local address of the connection's initial subflow, never announced. */
    private InetAddress initialLocal;
    /** Whether the connection is IPv4 (its peer address is): local addresses must match. */
    private boolean v4;

    private record Pair(InetAddress local, InetSocketAddress remote) {
        static Pair of(Subflow s) {
            return new Pair(s.local().getAddress(), s.remote());
        }

        @Override
        public String toString() {
            return local.getHostAddress() + " -> " + remote;
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

    /** The failures of one pair or address so far, and when it may be tried again. */
    private record Backoff(int failures, long notBeforeNanos) {
    }

    private AggregatePolicy(Builder b) {
        this.maxSubflows = b.maxSubflows;
        this.firstRetryDelay = b.firstRetryDelay;
        this.maxRetryDelay = b.maxRetryDelay;
        this.tickInterval = b.tickInterval;
        this.noProgressTimeout = b.noProgressTimeout;
    }

    /**
     * {@return a policy with the default settings} ({@link #builder()} without changes)
     */
    public static AggregatePolicy create() {
        return builder().build();
    }

    /**
     * {@return a builder for a policy with other settings}
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * {@return the most subflows this policy keeps on the connection} including the initial one
     * and those being opened
     */
    public int maxSubflows() {
        return maxSubflows;
    }

    /**
     * {@return the delay before a failed open is tried again the first time} doubled for every
     * further failure of the same pair
     */
    public Duration firstRetryDelay() {
        return firstRetryDelay;
    }

    /**
     * {@return the longest delay between two attempts of the same pair}
     */
    public Duration maxRetryDelay() {
        return maxRetryDelay;
    }

    /**
     * {@return how long a subflow may send without any of its bytes acknowledged} before it is
     * closed as dead (and opened again after the retry delay)
     */
    public Duration noProgressTimeout() {
        return noProgressTimeout;
    }

    @Override
    public Duration tickInterval() {
        return tickInterval;
    }

    @Override
    public synchronized void start(PathControl control) throws IOException {
        for (PathControl.LocalAddress a : control.localAddresses()) {
            interfaceOf.put(a.address(), a.interfaceIndex());
            if (!a.linkUp()) {
                linksDown.add(a.interfaceIndex());
            }
        }
        remotes.put(0, control.remoteAddress());
        v4 = control.remoteAddress().getAddress() instanceof Inet4Address;
        List<Subflow> subflows = control.subflows();
        if (!subflows.isEmpty()) {
            initialLocal = subflows.get(0).local().getAddress();
        }
        if (control.accepted()) {
            announceMissing(control);
        } else {
            openMissing(subflows, control);
        }
    }

    @Override
    public synchronized void onEvent(MptcpEvent event, PathControl control) throws IOException {
        if (event instanceof MptcpEvent.LinkDown d) {
            if (linksDown.add(d.interfaceIndex())) {
                lost(a -> Objects.equals(interfaceOf.get(a), d.interfaceIndex()),
                        "link " + d.name().orElse("#" + d.interfaceIndex()) + " down", control);
            }
        } else if (event instanceof MptcpEvent.LinkUp u) {
            if (linksDown.remove(u.interfaceIndex())) {
                forgetFailures(a -> Objects.equals(interfaceOf.get(a), u.interfaceIndex()));
                regain(control);
            }
        } else if (event instanceof MptcpEvent.LocalAddressRemoved r) {
            if (interfaceOf.containsKey(r.address())) {
                lost(a -> a.equals(r.address()),
                        "address " + r.address().getHostAddress() + " removed", control);
                interfaceOf.remove(r.address());
            }
        } else if (event instanceof MptcpEvent.LocalAddressAdded a) {
            // RTM_NEWADDR also comes for flag and lifetime changes of a known address.
            Integer before = interfaceOf.put(a.address(), a.interfaceIndex());
            if (before == null || before != a.interfaceIndex()) {
                forgetFailures(x -> x.equals(a.address()));
                regain(control);
            }
        } else if (event instanceof MptcpEvent.AddressAnnounced a) {
            InetSocketAddress before = remotes.put(a.remoteId(), a.address());
            if (!a.address().equals(before) && !control.accepted()) {
                backoff.keySet().removeIf(k -> k instanceof Pair p
                        && p.remote().equals(a.address()));
                openMissing(control.subflows(), control);
            }
        } else if (event instanceof MptcpEvent.AddressRemoved r && !control.accepted()) {
            InetSocketAddress gone = remotes.remove(r.remoteId());
            if (gone != null && !remotes.containsValue(gone)) {
                backoff.keySet().removeIf(k -> k instanceof Pair p && p.remote().equals(gone));
                closeDead(control.subflows(), s -> s.remote().equals(gone),
                        "the peer removed " + gone, control);
            }
        } else if (event instanceof MptcpEvent.SubflowClosed c) {
            Pair p = new Pair(c.local().getAddress(), c.remote());
            listedSince.remove(p);
            boolean ours = aborted.remove(p);
            boolean wasOpening = opening.remove(p);
            if (ours || control.accepted() || !wanted(p)) {
                return;
            }
            // A refused join, or a subflow the kernel or the peer closed on a path that is
            // still up: try again later, not at once (a peer at its limit refuses every join).
            long delay = fail(p, control.nanoTime());
            LOG.log(Level.DEBUG, () -> "AGGREGATE: " + (wasOpening ? "open of " : "subflow ")
                    + p + " closed" + c.error().stream().mapToObj(e -> " (error " + e + ")")
                    .findFirst().orElse("") + "; next attempt in " + delay / 1_000_000 + " ms");
        }
    }

    @Override
    public synchronized void onTick(List<Subflow> subflows, PathControl control)
            throws IOException {
        long now = control.nanoTime();
        Set<Pair> listed = new HashSet<>();
        for (Subflow s : subflows) {
            Pair p = Pair.of(s);
            listed.add(p);
            opening.remove(p);
            long since = listedSince.computeIfAbsent(p, k -> now);
            if (now - since >= maxRetryDelay.toNanos()) {
                backoff.remove(p);
            }
        }
        listedSince.keySet().retainAll(listed);
        aborted.retainAll(listed);
        progress.keySet().retainAll(listed);
        Set<Pair> stalled = new HashSet<>();
        for (Subflow s : subflows) {
            if (stalled(s, now)) {
                stalled.add(Pair.of(s));
            }
        }
        if (!stalled.isEmpty()) {
            closeDead(subflows, s -> stalled.contains(Pair.of(s)), "no progress for "
                    + noProgressTimeout.toMillis() + " ms", control);
            for (Pair p : stalled) {
                if (aborted.contains(p)) {
                    fail(p, now);
                }
            }
        }
        // A path kept because it was the only one goes as soon as another one is up.
        closeDead(subflows, s -> !usableLocal(s.local().getAddress()),
                "its local path is gone", control);
        if (control.accepted()) {
            announceMissing(control);
        } else {
            openMissing(subflows, control);
        }
    }

    // ---- the work ---------------------------------------------------------------------------

    /** A local address (and its link) went: withdraw it and close its subflows. */
    private void lost(Predicate<InetAddress> gone, String why,
            PathControl control) throws IOException {
        for (var i = announced.entrySet().iterator(); i.hasNext(); ) {
            Map.Entry<InetAddress, AnnouncedAddress> e = i.next();
            if (gone.test(e.getKey())) {
                i.remove();
                try {
                    control.withdraw(e.getValue());
                } catch (IOException x) {
                    // The address is gone either way; the peer's joins to it fail by themselves.
                    LOG.log(Level.DEBUG, "AGGREGATE: withdraw of " + e.getValue() + " failed", x);
                }
            }
        }
        forgetFailures(gone);
        opening.removeIf(p -> gone.test(p.local()));
        closeDead(control.subflows(), s -> gone.test(s.local().getAddress()), why, control);
    }

    /** A link or address came back: open (or announce) what is now missing. */
    private void regain(PathControl control) throws IOException {
        if (control.accepted()) {
            announceMissing(control);
        } else {
            openMissing(control.subflows(), control);
        }
    }

    private void forgetFailures(Predicate<InetAddress> local) {
        backoff.keySet().removeIf(k -> k instanceof Pair p ? local.test(p.local())
                : k instanceof InetAddress a && local.test(a));
    }

    /**
     * Aborts the subflows {@code dead} selects, unless none on a live path would be left: an
     * MPTCP connection without subflows dies, one with a stalled subflow may recover.
     */
    private void closeDead(List<Subflow> subflows,
            Predicate<Subflow> dead, String why, PathControl control)
            throws IOException {
        List<Subflow> gone = subflows.stream()
                .filter(s -> dead.test(s) && !aborted.contains(Pair.of(s))).toList();
        if (gone.isEmpty()) {
            return;
        }
        boolean othersLive = subflows.stream().anyMatch(s -> !dead.test(s)
                && !aborted.contains(Pair.of(s)) && usableLocal(s.local().getAddress()));
        if (!othersLive) {
            LOG.log(Level.DEBUG, "AGGREGATE: {0}: no other live path; keeping {1}", why, gone);
            return;
        }
        control.report(new PathDecision.Note("close " + PathText.paths(gone), why));
        for (Subflow s : gone) {
            Pair p = Pair.of(s);
            aborted.add(p);
            listedSince.remove(p);
            progress.remove(p);
            try {
                control.closeSubflow(s, SubflowClose.ABORT);
            } catch (IOException x) {
                // Gone already (the kernel closed it first): that is what was wanted.
                aborted.remove(p);
                LOG.log(Level.DEBUG, "AGGREGATE: abort of " + p + " failed", x);
            }
        }
    }

    private void openMissing(List<Subflow> subflows, PathControl control) throws IOException {
        long now = control.nanoTime();
        Map<InetAddress, Integer> perLocal = new HashMap<>();
        Map<InetSocketAddress, Integer> perRemote = new HashMap<>();
        Set<Pair> present = new HashSet<>(opening);
        for (Subflow s : subflows) {
            present.add(Pair.of(s));
        }
        for (Pair p : present) {
            perLocal.merge(p.local(), 1, Integer::sum);
            perRemote.merge(p.remote(), 1, Integer::sum);
        }
        int count = subflows.size() + opening.size();
        List<Pair> candidates = new ArrayList<>();
        for (InetAddress local : interfaceOf.keySet()) {
            // Distinct: the peer may announce its connection address again under an id.
            for (InetSocketAddress remote : new LinkedHashSet<>(remotes.values())) {
                Pair p = new Pair(local, remote);
                if (!present.contains(p) && wanted(p) && due(p, now)) {
                    candidates.add(p);
                }
            }
        }
        // Stable: the namespace's order among equals, new links and new peer addresses first.
        candidates.sort(Comparator.comparingInt((Pair p) -> perLocal.getOrDefault(p.local(), 0))
                .thenComparingInt(p -> perRemote.getOrDefault(p.remote(), 0)));
        for (Pair p : candidates) {
            if (count >= maxSubflows) {
                LOG.log(Level.DEBUG, "AGGREGATE: {0} subflows, the most allowed; not opening {1}",
                        count, p);
                return;
            }
            SubflowRequest r = SubflowRequest.builder().local(p.local()).remote(p.remote())
                    .build();
            opening.add(p);
            count++;
            try {
                control.openSubflow(r);
            } catch (IOException x) {
                opening.remove(p);
                count--;
                long delay = fail(p, now);
                LOG.log(Level.INFO, "AGGREGATE: could not open " + p + "; next attempt in "
                        + delay / 1_000_000 + " ms", x);
            }
        }
    }

    private void announceMissing(PathControl control) throws IOException {
        long now = control.nanoTime();
        for (InetAddress a : interfaceOf.keySet()) {
            if (announced.size() >= MAX_ANNOUNCED) {
                return;
            }
            if (announced.containsKey(a) || a.equals(initialLocal) || !usableLocal(a)
                    || !due(a, now)) {
                continue;
            }
            try {
                announced.put(a, control.announce(new InetSocketAddress(a, 0)));
                LOG.log(Level.DEBUG, "AGGREGATE: announced {0}", a.getHostAddress());
            } catch (IOException x) {
                long delay = fail(a, now);
                LOG.log(Level.INFO, "AGGREGATE: could not announce " + a.getHostAddress()
                        + "; next attempt in " + delay / 1_000_000 + " ms", x);
            }
        }
    }

    /**
     * Whether {@code s} has sent bytes, none of them acknowledged, for the no-progress timeout.
     * Sending that started when acknowledgements stopped counts; an idle subflow never stalls.
     */
    private boolean stalled(Subflow s, long now) {
        Pair p = Pair.of(s);
        long acked = s.tcp().bytesAcked();
        long sent = s.tcp().bytesSent();
        Progress g = progress.get(p);
        if (g == null) {
            g = new Progress();
            g.acked = acked;
            g.sent = sent;
            g.ackMovedNanos = now;
            progress.put(p, g);
            return false;
        }
        if (acked != g.acked) {
            g.acked = acked;
            g.ackMovedNanos = now;
            g.unackedSinceNanos = -1;
        }
        if (sent != g.sent) {
            g.sent = sent;
            if (g.unackedSinceNanos < 0 && now != g.ackMovedNanos) {
                g.unackedSinceNanos = now;
            }
        }
        return g.unackedSinceNanos >= 0
                && now - g.unackedSinceNanos >= noProgressTimeout.toNanos();
    }

    /** Whether the pair should have a subflow now: both ends usable and of one family. */
    private boolean wanted(Pair p) {
        return usableLocal(p.local()) && remotes.containsValue(p.remote())
                && (p.local() instanceof Inet4Address)
                        == (p.remote().getAddress() instanceof Inet4Address);
    }

    private boolean usableLocal(InetAddress a) {
        Integer link = interfaceOf.get(a);
        return link != null && !linksDown.contains(link) && !a.isLoopbackAddress()
                && !a.isLinkLocalAddress() && !a.isAnyLocalAddress() && !a.isMulticastAddress()
                && (a instanceof Inet4Address) == v4;
    }

    private boolean due(Object key, long now) {
        Backoff b = backoff.get(key);
        return b == null || now - b.notBeforeNanos() >= 0;
    }

    /** Records a failure of {@code key}; returns the delay before its next attempt. */
    private long fail(Object key, long now) {
        int failures = backoff.containsKey(key) ? backoff.get(key).failures() + 1 : 1;
        long delay = firstRetryDelay.toNanos();
        for (int i = 1; i < failures && delay < maxRetryDelay.toNanos(); i++) {
            delay *= 2;
        }
        delay = Math.min(delay, maxRetryDelay.toNanos());
        backoff.put(key, new Backoff(failures, now + delay));
        return delay;
    }

    /** Collects the settings of an {@link AggregatePolicy}. Not thread-safe. */
    public static final class Builder {
        private int maxSubflows = MAX_SUBFLOWS;
        private Duration firstRetryDelay = DEFAULT_FIRST_RETRY_DELAY;
        private Duration maxRetryDelay = DEFAULT_MAX_RETRY_DELAY;
        private Duration tickInterval = DEFAULT_TICK_INTERVAL;
        private Duration noProgressTimeout = DEFAULT_NO_PROGRESS_TIMEOUT;

        private Builder() {
        }

        /**
         * @param value how long a subflow may send without an acknowledgement before it is
         *     closed as dead (default 2 s); keep it above a few RTOs of the slowest path (at
         *     least 200 ms each on Linux), or a slow path is taken for a dead one
         * @return this builder
         * @throws IllegalArgumentException if the timeout is not positive
         */
        public Builder noProgressTimeout(Duration value) {
            this.noProgressTimeout = positive("noProgressTimeout", value);
            return this;
        }

        /**
         * @param value the most subflows of the connection, the initial one included: 1 to
         *     {@value AggregatePolicy#MAX_SUBFLOWS} (default)
         * @return this builder
         * @throws IllegalArgumentException if the value is outside that range
         */
        public Builder maxSubflows(int value) {
            if (value < 1 || value > MAX_SUBFLOWS) {
                throw new IllegalArgumentException("AggregatePolicy.Builder.maxSubflows: "
                        + value + " is outside 1.." + MAX_SUBFLOWS + " (the initial subflow"
                        + " plus MPTCP_PM_ADDR_MAX = 8 joins, the most a Linux peer accepts)");
            }
            this.maxSubflows = value;
            return this;
        }

        /**
         * @param value the delay before the first retry of a failed open (default 1 s)
         * @return this builder
         * @throws IllegalArgumentException if the delay is not positive
         */
        public Builder firstRetryDelay(Duration value) {
            this.firstRetryDelay = positive("firstRetryDelay", value);
            return this;
        }

        /**
         * @param value the longest delay between two attempts of one pair (default 30 s)
         * @return this builder
         * @throws IllegalArgumentException if the delay is not positive
         */
        public Builder maxRetryDelay(Duration value) {
            this.maxRetryDelay = positive("maxRetryDelay", value);
            return this;
        }

        /**
         * @param value how often the subflow list is read and due retries are made
         *     (default 100 ms)
         * @return this builder
         * @throws IllegalArgumentException if the interval is not positive
         */
        public Builder tickInterval(Duration value) {
            this.tickInterval = positive("tickInterval", value);
            return this;
        }

        /**
         * @return a new policy, for one connection
         * @throws IllegalArgumentException if {@code maxRetryDelay} is shorter than
         *     {@code firstRetryDelay}, or {@code noProgressTimeout} is not longer than
         *     {@code tickInterval} (progress is only seen once per tick)
         */
        public AggregatePolicy build() {
            if (noProgressTimeout.compareTo(tickInterval) <= 0) {
                throw new IllegalArgumentException("AggregatePolicy.Builder.build:"
                        + " noProgressTimeout " + noProgressTimeout + " must be longer than"
                        + " tickInterval " + tickInterval + " (progress is seen once per tick)");
            }
            if (maxRetryDelay.compareTo(firstRetryDelay) < 0) {
                throw new IllegalArgumentException("AggregatePolicy.Builder.build: maxRetryDelay "
                        + maxRetryDelay + " is shorter than firstRetryDelay " + firstRetryDelay);
            }
            return new AggregatePolicy(this);
        }

        private static Duration positive(String what, Duration value) {
            Objects.requireNonNull(value, "AggregatePolicy.Builder." + what + ": null");
            if (value.isNegative() || value.isZero()) {
                throw new IllegalArgumentException("AggregatePolicy.Builder." + what + ": "
                        + value + " must be positive");
            }
            return value;
        }
    }
}
