package io.mptcp.nio.pm;

import io.mptcp.nio.Subflow;
import io.mptcp.nio.TcpInfo;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The INTERACTIVE path policy: the connection sends over the path with the lowest round-trip
 * time, the others stay open as backups, for request/response traffic where latency matters
 * more than throughput (RFC 6897 A.2; Apple's "interactive" multipath service type).
 *
 * <p><b>Paths and failures.</b> An inner {@link HandoverPolicy} does what HANDOVER does: at
 * {@link #start} the initial subflow is the active one and a backup subflow is opened from
 * every other usable local address towards the peer, and when the active path dies (link
 * down, address removed, subflow closed by the kernel, no progress) a backup takes over at
 * once. This policy only adds the choice among live paths.
 *
 * <p><b>Choice.</b> On every tick each subflow's smoothed RTT ({@code tcp_info}
 * {@code tcpi_rtt}) is read. Another established, usable subflow replaces the active one when
 * its RTT is lower by at least {@link Builder#minGainPercent} percent <em>and</em> by at
 * least {@link Builder#minMargin}, and stays so for {@link Builder#hold} (the same candidate on
 * every tick in between). The switch clears the candidate's backup flag first, then sets the
 * old active subflow's (make before break: some subflow is always allowed to send). The two
 * thresholds and the hold keep two paths of similar RTT, or a short spike, from making the
 * connection flap.
 *
 * <p><b>Stale RTTs.</b> A backup subflow carries no data, so its {@code tcpi_rtt} is the last
 * sample it took: from its handshake, or from when it was last active. A stale value that
 * looks <em>better</em> than the active path is acted on (the switch then measures it, and a
 * wrong guess is undone by the same rule); a stale value that looks worse could hide a path
 * that has recovered. So when a backup's acknowledged byte count has not moved for
 * {@link Builder#staleAfter} while the active subflow carries traffic, the policy runs a
 * <em>trial</em>: it clears that backup's flag for {@link Builder#trial}, leaving the active
 * subflow as it is, so the kernel's scheduler may send on both and the backup's RTT gets fresh
 * samples; then it sets the flag again, and the usual rule decides with the new value. One
 * trial at a time, at most one per subflow per {@code staleAfter}. A trial costs the
 * requests the scheduler happens to put on the slower path during it; TCP keepalives would
 * cost nothing but are not sent per subflow by MPTCP, and a zero-window probe is not an RTT
 * sample, so a trial is the only way to re-measure from user space.
 *
 * <p>What the policy sees is the kernel's smoothed RTT, which includes the queueing delay
 * of this connection's own data: a path whose queue this connection fills itself looks slow.
 * That is the intent for interactive traffic. Which subflows are backup it reads from the
 * list's {@link Subflow#localBackup()} (socket diagnostics); where the list has no flags, it
 * still switches, remembering the active subflow itself, but runs no trials.
 *
 * <p>Instances hold the state of one connection; the callbacks are synchronised on the
 * instance (the state below is guarded by it).
 */
public final class InteractivePolicy implements PathPolicy {
    /** The default {@link Builder#hold}. */
    public static final Duration DEFAULT_HOLD = Duration.ofSeconds(1);
    /** The default {@link Builder#minGainPercent}. */
    public static final int DEFAULT_MIN_GAIN_PERCENT = 20;
    /** The default {@link Builder#minMargin}. */
    public static final Duration DEFAULT_MIN_MARGIN = Duration.ofMillis(2);
    /** The default {@link Builder#staleAfter}. */
    public static final Duration DEFAULT_STALE_AFTER = Duration.ofSeconds(30);
    /** The default {@link Builder#trial}. */
    public static final Duration DEFAULT_TRIAL = Duration.ofMillis(300);

    private static final System.Logger LOG =
            System.getLogger(InteractivePolicy.class.getName());

    private final HandoverPolicy failover;
    private final long holdNanos;
    private final int minGainPercent;
    private final long minMarginMicros;
    private final long staleAfterNanos;
    private final long trialNanos;

    // All state is guarded by this.
    private final Map<Pair, Sample> samples = new HashMap<>();
    private final List<Switch> switches = new ArrayList<>();
    /** The subflow this policy keeps active; null before start or after all were lost. */
    private Pair active;
    /** The subflow that has been better than the active one since {@link #betterSinceNanos}. */
    private Pair candidate;
    private long betterSinceNanos;
    /** The backup under trial, null for none, and when its trial started. */
    private Pair trialOf;
    private long trialStartNanos;
    private int failoversSeen;

    /**
     * One switch of the active path made by the RTT rule (a failure's switch is a
     * {@link HandoverPolicy.Handover}, see {@link #failovers()}).
     *
     * @param from the old active subflow's local address
     * @param to the new active subflow's local address
     * @param fromRttMicros the old path's smoothed RTT when the switch was made
     * @param toRttMicros the new path's smoothed RTT when the switch was made
     * @param atNanos {@link PathControl#nanoTime()} when it happened
     */
    public record Switch(InetSocketAddress from, InetSocketAddress to, long fromRttMicros,
            long toRttMicros, long atNanos) {
        /**
         * @param from the old active subflow's local address
         * @param to the new active subflow's local address
         * @param fromRttMicros the old path's smoothed RTT
         * @param toRttMicros the new path's smoothed RTT
         * @param atNanos when it happened
         * @throws NullPointerException if an address is null
         */
        public Switch {
            Objects.requireNonNull(from, "from");
            Objects.requireNonNull(to, "to");
        }
    }

    private record Pair(InetSocketAddress local, InetSocketAddress remote) {
        static Pair of(Subflow s) {
            return new Pair(s.local(), s.remote());
        }
    }

    /** What the policy knows of one subflow's RTT; fields guarded by the policy. */
    private static final class Sample {
        long rttMicros;
        long acked;
        /** When bytes_acked last moved (a fresh RTT sample), or when first seen. */
        long freshNanos;
        /** When this subflow's last trial started; MIN_VALUE for never. */
        long lastTrialNanos = Long.MIN_VALUE;
    }

    private InteractivePolicy(Builder b) {
        this.failover = HandoverPolicy.create(b.noProgressTimeout, b.tickInterval);
        this.holdNanos = b.hold.toNanos();
        this.minGainPercent = b.minGainPercent;
        this.minMarginMicros = b.minMargin.toNanos() / 1_000;
        this.staleAfterNanos = b.staleAfter.toNanos();
        this.trialNanos = b.trial.toNanos();
    }

    /**
     * {@return a policy with the default settings} (those of {@link #builder()}).
     */
    public static InteractivePolicy create() {
        return builder().build();
    }

    /**
     * {@return a builder of a policy with other settings} starting from the defaults.
     */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public Duration tickInterval() {
        return failover.tickInterval();
    }

    /**
     * {@return the switches made by the RTT rule so far} oldest first.
     */
    public synchronized List<Switch> switches() {
        return List.copyOf(switches);
    }

    /**
     * {@return the switches made because the active path failed} oldest first, as the inner
     * {@link HandoverPolicy} reports them.
     */
    public List<HandoverPolicy.Handover> failovers() {
        return failover.handovers();
    }

    @Override
    public synchronized void start(PathControl control) throws IOException {
        failover.start(control);
        active = control.subflows().stream().filter(s -> !isBackup(s)).findFirst()
                .map(Pair::of).orElse(null);
    }

    @Override
    public synchronized void onEvent(MptcpEvent event, PathControl control) throws IOException {
        int before = failover.handovers().size();
        failover.onEvent(event, control);
        if (event instanceof MptcpEvent.SubflowClosed c) {
            Pair p = new Pair(c.local(), c.remote());
            samples.remove(p);
            if (p.equals(trialOf)) {
                trialOf = null;
            }
        }
        if (failover.handovers().size() != before) {
            afterFailover(failover.handovers());
        }
    }

    @Override
    public synchronized void onTick(List<Subflow> subflows, PathControl control)
            throws IOException {
        failover.onTick(subflows, control);
        List<HandoverPolicy.Handover> failovers = failover.handovers();
        if (failovers.size() != failoversSeen) {
            // The list is stale after a failover's commands: choose again on the next tick.
            afterFailover(failovers);
            return;
        }
        long now = control.nanoTime();
        Set<Pair> listed = new HashSet<>();
        for (Subflow s : subflows) {
            Pair p = Pair.of(s);
            listed.add(p);
            TcpInfo t = s.tcp();
            Sample g = samples.get(p);
            if (g == null) {
                g = new Sample();
                g.acked = t.bytesAcked();
                g.freshNanos = now;
                samples.put(p, g);
            } else if (t.bytesAcked() != g.acked) {
                g.acked = t.bytesAcked();
                g.freshNanos = now;
            }
            g.rttMicros = t.rttMicros();
        }
        samples.keySet().retainAll(listed);
        if (trialOf != null && !listed.contains(trialOf)) {
            trialOf = null;
        }
        Subflow current = currentActive(subflows);
        if (current == null) {
            candidate = null;
            return;
        }
        active = Pair.of(current);
        if (trialOf != null && now - trialStartNanos >= trialNanos) {
            endTrial(subflows, control);
        }
        Optional<Subflow> best = subflows.stream()
                .filter(s -> !Pair.of(s).equals(active) && choosable(s))
                .min(Comparator.comparingLong(s -> s.tcp().rttMicros()));
        if (best.isPresent() && clearlyBetter(best.get(), current)) {
            Pair b = Pair.of(best.get());
            if (!b.equals(candidate)) {
                candidate = b;
                betterSinceNanos = now;
            } else if (now - betterSinceNanos >= holdNanos) {
                switchTo(best.get(), current, now, control);
                return;
            }
        } else {
            candidate = null;
        }
        if (trialOf == null && now - samples.get(active).freshNanos <= holdNanos) {
            startTrialOfStalest(subflows, now, control);
        }
    }

    // ---- the work ---------------------------------------------------------------------------

    private void afterFailover(List<HandoverPolicy.Handover> failovers) {
        failoversSeen = failovers.size();
        active = null;
        candidate = null;
        trialOf = null;
    }

    /**
     * The subflow kept active: the remembered one while it is listed as not backup, else the
     * first listed not backup that is not under trial (after a failover, the one promoted).
     */
    private Subflow currentActive(List<Subflow> subflows) {
        Subflow first = null;
        for (Subflow s : subflows) {
            if (isBackup(s)) {
                continue;
            }
            Pair p = Pair.of(s);
            if (p.equals(active)) {
                return s;
            }
            if (first == null && !p.equals(trialOf)) {
                first = s;
            }
        }
        return first;
    }

    private boolean choosable(Subflow s) {
        return s.tcp().isEstablished() && s.tcp().rttMicros() > 0 && failover.usable(s);
    }

    private boolean clearlyBetter(Subflow challenger, Subflow current) {
        long a = current.tcp().rttMicros();
        long b = challenger.tcp().rttMicros();
        return a - b >= minMarginMicros && (a - b) * 100 >= a * minGainPercent;
    }

    private void switchTo(Subflow next, Subflow old, long now, PathControl control)
            throws IOException {
        // Promote first: at no instant is every subflow backup.
        control.setSubflowBackup(next, false);
        control.setSubflowBackup(old, true);
        Switch sw = new Switch(old.local(), next.local(), old.tcp().rttMicros(),
                next.tcp().rttMicros(), now);
        switches.add(sw);
        active = Pair.of(next);
        candidate = null;
        if (active.equals(trialOf)) {
            trialOf = null;
        }
        control.report(new PathDecision.Handover(old.local(), next.local(), "rtt "
                + old.tcp().rttMicros() + " us against " + next.tcp().rttMicros() + " us",
                Optional.empty()));
    }

    private void endTrial(List<Subflow> subflows, PathControl control) throws IOException {
        Pair p = trialOf;
        trialOf = null;
        Optional<Subflow> s = subflows.stream().filter(x -> Pair.of(x).equals(p)).findFirst();
        if (s.isPresent()) {
            // The fresh RTT now stands against the active one under the usual rule.
            control.setSubflowBackup(s.get(), true);
            LOG.log(Level.DEBUG, "INTERACTIVE: trial of {0} ended, rtt {1} us", p.local(),
                    s.get().tcp().rttMicros());
        }
    }

    private void startTrialOfStalest(List<Subflow> subflows, long now, PathControl control)
            throws IOException {
        Subflow stalest = null;
        for (Subflow s : subflows) {
            Sample g = samples.get(Pair.of(s));
            if (!isBackup(s) || !choosable(s) || now - g.freshNanos < staleAfterNanos
                    || (g.lastTrialNanos != Long.MIN_VALUE
                            && now - g.lastTrialNanos < staleAfterNanos)) {
                continue;
            }
            if (stalest == null || g.freshNanos < samples.get(Pair.of(stalest)).freshNanos) {
                stalest = s;
            }
        }
        if (stalest == null) {
            return;
        }
        Pair p = Pair.of(stalest);
        samples.get(p).lastTrialNanos = now;
        control.setSubflowBackup(stalest, false);
        trialOf = p;
        trialStartNanos = now;
        LOG.log(Level.DEBUG, "INTERACTIVE: trial of {0}, rtt {1} us stale", p.local(),
                stalest.tcp().rttMicros());
    }

    private static boolean isBackup(Subflow s) {
        return s.localBackup().orElse(false);
    }

    /**
     * The settings of an {@link InteractivePolicy}; each starts at its default.
     */
    public static final class Builder {
        private Duration hold = DEFAULT_HOLD;
        private int minGainPercent = DEFAULT_MIN_GAIN_PERCENT;
        private Duration minMargin = DEFAULT_MIN_MARGIN;
        private Duration staleAfter = DEFAULT_STALE_AFTER;
        private Duration trial = DEFAULT_TRIAL;
        private Duration noProgressTimeout = HandoverPolicy.DEFAULT_NO_PROGRESS_TIMEOUT;
        private Duration tickInterval = HandoverPolicy.DEFAULT_TICK_INTERVAL;

        private Builder() {
        }

        /**
         * How long another path must stay clearly better before the switch (default
         * {@link #DEFAULT_HOLD}); zero switches on the first tick that sees it.
         *
         * @param value not negative
         * @return this builder
         */
        public Builder hold(Duration value) {
            hold = Objects.requireNonNull(value, "hold");
            return this;
        }

        /**
         * By how many percent of the active path's RTT another path must be lower (default
         * {@value #DEFAULT_MIN_GAIN_PERCENT}).
         *
         * @param value 0 to 99
         * @return this builder
         */
        public Builder minGainPercent(int value) {
            minGainPercent = value;
            return this;
        }

        /**
         * By how much time another path's RTT must be lower, whatever the percentage
         * (default {@link #DEFAULT_MIN_MARGIN}): below a millisecond or so, RTT differences
         * are noise of the hosts, not of the paths.
         *
         * @param value not negative
         * @return this builder
         */
        public Builder minMargin(Duration value) {
            minMargin = Objects.requireNonNull(value, "minMargin");
            return this;
        }

        /**
         * After how long without acknowledged data a backup's RTT is re-measured by a trial
         * (default {@link #DEFAULT_STALE_AFTER}).
         *
         * @param value positive, longer than {@link #trial}
         * @return this builder
         */
        public Builder staleAfter(Duration value) {
            staleAfter = Objects.requireNonNull(value, "staleAfter");
            return this;
        }

        /**
         * How long a trial lets a stale backup carry data (default {@link #DEFAULT_TRIAL});
         * a few RTTs of the path are enough for fresh samples.
         *
         * @param value positive, at least one tick
         * @return this builder
         */
        public Builder trial(Duration value) {
            trial = Objects.requireNonNull(value, "trial");
            return this;
        }

        /**
         * The failure detection's no-progress timeout, as
         * {@link HandoverPolicy#create(Duration, Duration)} takes it (default
         * {@link HandoverPolicy#DEFAULT_NO_PROGRESS_TIMEOUT}).
         *
         * @param value longer than the tick interval
         * @return this builder
         */
        public Builder noProgressTimeout(Duration value) {
            noProgressTimeout = Objects.requireNonNull(value, "noProgressTimeout");
            return this;
        }

        /**
         * How often the subflow list is read (default
         * {@link HandoverPolicy#DEFAULT_TICK_INTERVAL}).
         *
         * @param value positive
         * @return this builder
         */
        public Builder tickInterval(Duration value) {
            tickInterval = Objects.requireNonNull(value, "tickInterval");
            return this;
        }

        /**
         * {@return a new policy, for one connection}
         *
         * @throws IllegalArgumentException if a setting is out of its range, naming it
         */
        public InteractivePolicy build() {
            if (hold.isNegative()) {
                throw bad("hold " + hold + " is negative");
            }
            if (minGainPercent < 0 || minGainPercent > 99) {
                throw bad("minGainPercent " + minGainPercent + " is not within 0..99");
            }
            if (minMargin.isNegative()) {
                throw bad("minMargin " + minMargin + " is negative");
            }
            if (tickInterval.isNegative() || tickInterval.isZero()) {
                throw bad("tickInterval " + tickInterval + " is not positive");
            }
            if (trial.compareTo(tickInterval) < 0) {
                throw bad("trial " + trial + " is shorter than tickInterval " + tickInterval
                        + " (a trial ends on a tick)");
            }
            if (staleAfter.compareTo(trial) <= 0) {
                throw bad("staleAfter " + staleAfter + " is not longer than trial " + trial);
            }
            return new InteractivePolicy(this);
        }

        private static IllegalArgumentException bad(String what) {
            return new IllegalArgumentException("InteractivePolicy.builder(): " + what);
        }
    }
}
