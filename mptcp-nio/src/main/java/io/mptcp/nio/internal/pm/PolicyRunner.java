package io.mptcp.nio.internal.pm;

import io.mptcp.nio.MptcpToken;
import io.mptcp.nio.Subflow;
import io.mptcp.nio.pm.AnnouncedAddress;
import io.mptcp.nio.pm.MptcpEvent;
import io.mptcp.nio.pm.PathControl;
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
    /** The most peer-address events kept for a policy not yet started. */
    static final int EARLY_MAX = 16;
    // The peer's ADD_ADDR/RM_ADDR that came before start (an in-kernel-PM server announces
    // right after the handshake), replayed after it: start cannot learn them any other way.
    // Added to by the reader thread, and by PmSession at registration.
    private final Queue<MptcpEvent> early = new ConcurrentLinkedQueue<>();
    // Only the reader thread reads and writes these two.
    private boolean started;
    private long nextTick;

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
        try {
            policy.onEvent(e, this);
        } catch (IOException | RuntimeException x) {
            LOG.log(Level.WARNING, policy.getClass().getSimpleName() + " on " + e + " failed", x);
        }
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
            try {
                policy.start(this);
                for (MptcpEvent e; (e = early.poll()) != null; ) {
                    onEvent(e);
                }
            } catch (IOException | RuntimeException x) {
                // Typically the in-kernel path manager's refusal of the commands: permanent
                // for this connection, so the profile stops here, and says why.
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
            try {
                policy.onTick(host.subflows(), this);
            } catch (IOException | RuntimeException x) {
                LOG.log(Level.DEBUG, policy.getClass().getSimpleName() + " tick failed", x);
            }
        }
        return nextTick;
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
        control.close(subflow, how);
    }

    @Override
    public void setSubflowBackup(Subflow subflow, boolean backup) throws IOException {
        control.setBackup(subflow, backup);
    }

    @Override
    public AnnouncedAddress announce(InetSocketAddress address) throws IOException {
        return control.announce(address);
    }

    @Override
    public void withdraw(AnnouncedAddress announced) throws IOException {
        control.withdraw(announced);
    }

    @Override
    public long nanoTime() {
        return System.nanoTime();
    }
}
