package io.mptcp.nio.internal.pm;

import io.mptcp.nio.MptcpToken;
import io.mptcp.nio.Subflow;
import io.mptcp.nio.pm.AnnouncedAddress;
import io.mptcp.nio.pm.MptcpEvent;
import io.mptcp.nio.pm.PathControl;
import io.mptcp.nio.pm.PathDecision;
import io.mptcp.nio.pm.PathPolicy;
import io.mptcp.nio.pm.SubflowClose;
import io.mptcp.nio.pm.SubflowRequest;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CompletionException;

/**
 * One connection's {@link PathPolicy}, run by its namespace's {@link PmSession} reader thread
 * (never a thread of its own): that thread makes every callback, so the policy sees one
 * thread, and {@link PathControl} is the connection's {@link SubflowControl}. The policy must
 * not block that thread: opens are asynchronous, the other commands one netlink round trip.
 */
final class PolicyRunner implements PathControl {
    private static final System.Logger LOG =
            System.getLogger("io.mptcp.nio.pm.PathProfile");

    private final PathPolicy policy;
    private final SubflowControl control;
    private final SubflowControl.Host host;
    private final PmSession session;
    private final MptcpToken token;
    private final InetSocketAddress remote;
    private final long tickNanos;
    private final String call;
    private final String profileName;
    /** The most peer-address events kept for a policy not yet started. */
    static final int EARLY_MAX = 16;
    // The peer's ADD_ADDR/RM_ADDR that came before start (an in-kernel-PM server announces
    // right after the handshake), replayed after it: start cannot learn them any other way.
    // Added to by the reader thread, and by PmSession at registration.
    private final Queue<MptcpEvent> early = new ConcurrentLinkedQueue<>();
    // Only the reader thread reads and writes these.
    private boolean started;
    private long nextTick;
    private long nextStatisticsLog;
    /**
     * The reason of the commands the policy gives now: its last {@link #report} in this
     * callback, else what the callback is about; null outside callbacks.
     */
    private String cause;

    PolicyRunner(PathPolicy policy, SubflowControl control, SubflowControl.Host host,
            PmSession session, MptcpToken token, InetSocketAddress remote, String call) {
        this.call = call;
        this.policy = policy;
        this.control = control;
        this.host = host;
        this.session = session;
        this.token = token;
        this.remote = remote;
        this.tickNanos = Math.max(1, policy.tickInterval().toNanos());
        this.profileName = PathEvents.profileName(policy);
    }

    String profileName() {
        return profileName;
    }

    boolean isOpen() {
        return host.isOpen();
    }

    MptcpToken token() {
        return token;
    }

    /** An event of this connection or of the namespace (links, addresses). */
    void onEvent(MptcpEvent e) {
        if (!started) {
            keepUntilStart(e);
            return;
        }
        recordSubflowEvent(e);
        cause = describe(e);
        try {
            policy.onEvent(e, this);
        } catch (IOException | RuntimeException x) {
            LOG.log(Level.WARNING, policy.getClass().getSimpleName() + " on " + e + " failed", x);
        } finally {
            cause = null;
        }
    }

    private void recordSubflowEvent(MptcpEvent e) {
        if (e instanceof MptcpEvent.SubflowEstablished s && token.equals(s.token())) {
            LOG.log(Level.DEBUG, () -> profileName + " " + token + ": subflow established "
                    + s.local() + " -> " + s.remote() + (s.backup() ? " (backup)" : ""));
            PathEvents.SubflowEstablished j = new PathEvents.SubflowEstablished();
            if (j.shouldCommit()) {
                j.on(this);
                j.local = PathEvents.text(s.local());
                j.remote = PathEvents.text(s.remote());
                j.backup = s.backup();
                j.commit();
            }
        } else if (e instanceof MptcpEvent.SubflowClosed c && token.equals(c.token())) {
            String why = closeReason(c);
            LOG.log(Level.DEBUG, () -> profileName + " " + token + ": subflow closed "
                    + c.local() + " -> " + c.remote() + ": " + why);
            PathEvents.SubflowClosed j = new PathEvents.SubflowClosed();
            if (j.shouldCommit()) {
                j.on(this);
                j.local = PathEvents.text(c.local());
                j.remote = PathEvents.text(c.remote());
                j.reason = why;
                j.commit();
            }
        }
    }

    static String closeReason(MptcpEvent.SubflowClosed c) {
        StringBuilder b = new StringBuilder();
        c.error().ifPresent(x -> b.append("error ").append(x));
        c.resetReason().ifPresent(r -> b.append(b.length() > 0 ? ", " : "")
                .append("MP_TCPRST reason ").append(r));
        return b.length() > 0 ? b.toString() : "closed without error";
    }

    /** What a callback for {@code e} is about, as a decision's reason. */
    static String describe(MptcpEvent e) {
        if (e instanceof MptcpEvent.LinkDown d) {
            return "link " + d.name().orElse("#" + d.interfaceIndex()) + " down";
        } else if (e instanceof MptcpEvent.LinkUp u) {
            return "link " + u.name().orElse("#" + u.interfaceIndex()) + " up";
        } else if (e instanceof MptcpEvent.LocalAddressAdded a) {
            return "address " + a.address().getHostAddress() + " added";
        } else if (e instanceof MptcpEvent.LocalAddressRemoved r) {
            return "address " + r.address().getHostAddress() + " removed";
        } else if (e instanceof MptcpEvent.AddressAnnounced a) {
            return "peer announced " + a.address();
        } else if (e instanceof MptcpEvent.AddressRemoved r) {
            return "peer removed address id " + r.remoteId();
        } else if (e instanceof MptcpEvent.SubflowEstablished s) {
            return "subflow " + s.local() + " -> " + s.remote() + " established";
        } else if (e instanceof MptcpEvent.SubflowClosed c) {
            return "subflow " + c.local() + " -> " + c.remote() + " closed ("
                    + closeReason(c) + ")";
        } else if (e instanceof MptcpEvent.SubflowPriority p) {
            return "subflow " + p.local() + " -> " + p.remote() + " priority changed";
        }
        return e.getClass().getSimpleName();
    }

    /**
     * Keeps a peer-address event that came before the policy started, for replay after
     * {@link PathPolicy#start}; the other events are what start reads anyway.
     */
    void keepUntilStart(MptcpEvent e) {
        if ((e instanceof MptcpEvent.AddressAnnounced || e instanceof MptcpEvent.AddressRemoved)
                && early.size() < EARLY_MAX) {
            early.add(e);
        }
    }

    /**
     * Starts the policy on the first call, ticks it when due; returns when the next tick is due
     * ({@link System#nanoTime()}).
     */
    long tick(long now) {
        if (!host.isOpen()) {
            return now + tickNanos;
        }
        if (!started) {
            started = true;
            nextTick = now + tickNanos;
            nextStatisticsLog = now;
            try {
                cause = "start";
                PathEvents.track(this);
                policy.start(this);
                cause = null;
                for (MptcpEvent e; (e = early.poll()) != null; ) {
                    onEvent(e);
                }
            } catch (IOException | RuntimeException x) {
                // Typically the in-kernel path manager's refusal of the commands: permanent
                // for this connection, so the profile stops here, and says why.
                cause = null;
                PathEvents.untrack(this);
                session.removeRunner(this);
                if (!host.isOpen()) {
                    return nextTick;  // closed before its start: nothing to steer, nothing to say
                }
                LOG.log(Level.WARNING, call + " not started for this connection; it runs"
                        + " without a profile: " + x.getMessage(), x);
            }
            return nextTick;
        }
        if (now - nextTick >= 0) {
            nextTick = now + tickNanos;
            cause = "tick";
            try {
                List<Subflow> subflows = host.subflows();
                logStatistics(now, subflows);
                policy.onTick(subflows, this);
            } catch (IOException | RuntimeException x) {
                LOG.log(Level.DEBUG, policy.getClass().getSimpleName() + " tick failed", x);
            } finally {
                cause = null;
            }
        }
        return nextTick;
    }

    /** At DEBUG, once a second: what the SubflowStatistics event records. */
    private void logStatistics(long now, List<Subflow> subflows) {
        if (now - nextStatisticsLog < 0 || !LOG.isLoggable(Level.DEBUG)) {
            return;
        }
        nextStatisticsLog = now + 1_000_000_000L;
        for (Subflow s : subflows) {
            LOG.log(Level.DEBUG, profileName + " " + token + ": " + s.local() + " -> "
                    + s.remote() + (s.localBackup().orElse(false) ? " backup" : " active")
                    + " rtt " + s.tcp().rttMicros() + " us cwnd " + s.tcp().sndCwnd()
                    + " sent " + s.tcp().bytesSent() + " acked " + s.tcp().bytesAcked()
                    + " received " + s.tcp().bytesReceived() + " retransmits "
                    + s.tcp().retransmits());
        }
    }

    // ---- decisions --------------------------------------------------------------------------

    @Override
    public void report(PathDecision decision) {
        if (decision instanceof PathDecision.Handover h) {
            String stall = h.stall().map(d -> ", stalled " + d.toMillis() + " ms").orElse("");
            LOG.log(Level.INFO, profileName + " " + token + ": " + h.reason() + ": handover "
                    + PathEvents.text(h.from()) + " -> " + PathEvents.text(h.to()) + stall);
            PathEvents.Handover j = new PathEvents.Handover();
            if (j.shouldCommit()) {
                j.on(this);
                j.from = PathEvents.text(h.from());
                j.to = PathEvents.text(h.to());
                j.reason = h.reason();
                j.stall = PathEvents.millisOrUnknown(h.stall());
                j.commit();
            }
        } else if (decision instanceof PathDecision.Note n) {
            LOG.log(Level.INFO, profileName + " " + token + ": " + n.reason() + ": " + n.what());
            recordDecision(n.what(), null, null, n.reason(), "");
        }
        if (cause != null) {
            cause = decision.reason();
        }
    }

    /** A command of the policy. */
    private interface Command {
        void run() throws IOException;
    }

    /** Runs a command and records it as a decision, with its error if the kernel refused. */
    private void decide(String action, InetSocketAddress local, InetSocketAddress remote,
            Command command) throws IOException {
        String error = "";
        try {
            command.run();
        } catch (IOException | RuntimeException x) {
            error = String.valueOf(x.getMessage());
            throw x;
        } finally {
            String why = cause == null ? "application" : cause;
            String failed = error;
            LOG.log(Level.DEBUG, () -> profileName + " " + token + ": " + action + " "
                    + PathEvents.text(local) + (remote == null ? "" : " -> "
                    + PathEvents.text(remote)) + " (" + why + ")"
                    + (failed.isEmpty() ? "" : ": refused: " + failed));
            recordDecision(action, local, remote, why, failed);
        }
    }

    private void recordDecision(String action, InetSocketAddress local,
            InetSocketAddress remote, String reason, String error) {
        PathEvents.PathDecision j = new PathEvents.PathDecision();
        if (j.shouldCommit()) {
            j.on(this);
            j.action = action;
            j.local = PathEvents.text(local);
            j.remote = PathEvents.text(remote);
            j.reason = reason;
            j.error = error;
            j.commit();
        }
    }

    // ---- PathControl -----------------------------------------------------------------------

    @Override
    public InetSocketAddress remoteAddress() {
        return remote;
    }

    @Override
    public List<Subflow> subflows() throws IOException {
        return host.subflows();
    }

    @Override
    public List<LocalAddress> localAddresses() throws IOException {
        return session.localAddresses();
    }

    @Override
    public void openSubflow(SubflowRequest request) throws IOException {
        decide(request.backup() ? "open backup" : "open",
                new InetSocketAddress(request.local(), request.localPort().orElse(0)),
                request.remote(), () -> open(request));
    }

    private void open(SubflowRequest request) throws IOException {
        CompletableFuture<Subflow> f = control.openAsync(request);
        if (f.isCompletedExceptionally()) {
            try {
                f.join();
            } catch (CompletionException e) {
                if (e.getCause() instanceof IOException x) {
                    throw x;
                }
                throw new IOException("openSubflow: " + request + " failed", e.getCause());
            }
        }
        f.whenComplete((s, x) -> {
            if (x != null) {
                LOG.log(Level.DEBUG, "PATH_PROFILE: open of " + request + " failed", x);
            }
        });
    }

    @Override
    public void closeSubflow(Subflow subflow, SubflowClose how) throws IOException {
        decide(how == SubflowClose.ABORT ? "abort" : "close", subflow.local(), subflow.remote(),
                () -> control.close(subflow, how));
    }

    @Override
    public void setSubflowBackup(Subflow subflow, boolean backup) throws IOException {
        decide(backup ? "backup" : "active", subflow.local(), subflow.remote(),
                () -> control.setBackup(subflow, backup));
    }

    @Override
    public AnnouncedAddress announce(InetSocketAddress address) throws IOException {
        AnnouncedAddress[] result = new AnnouncedAddress[1];
        decide("announce", address, null, () -> result[0] = control.announce(address));
        return result[0];
    }

    @Override
    public void withdraw(AnnouncedAddress announced) throws IOException {
        decide("withdraw", announced.address(), null, () -> control.withdraw(announced));
    }

    @Override
    public void removeLocalAddress(Subflow subflow) throws IOException {
        decide("remove address", subflow.local(), null,
                () -> control.removeLocalAddress(subflow));
    }

    @Override
    public long nanoTime() {
        return System.nanoTime();
    }
}
