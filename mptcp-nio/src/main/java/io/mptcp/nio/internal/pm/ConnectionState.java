package io.mptcp.nio.internal.pm;

import io.mptcp.nio.MptcpSocketChannel;
import io.mptcp.nio.MptcpSocketOptions;
import io.mptcp.nio.MptcpToken;
import io.mptcp.nio.Subflow;
import io.mptcp.nio.internal.options.MptcpIntrospection;
import io.mptcp.nio.pm.EventSource;
import io.mptcp.nio.pm.MptcpEvent;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;

/**
 * What the application has been told about MPTCP connections: per token, the address pairs of
 * the subflows it was told are established. It is updated from every delivered event
 * ({@link #apply}) and compared with snapshots of this process's own connections
 * ({@link #diff}): the comparison yields the events that bring the application up to date,
 * marked {@link EventSource#SNAPSHOT}. That comparison is the whole of the unprivileged
 * source, and the recovery after an overrun of the events group.
 *
 * <p>Subflows are told apart by their address pair (the events do not carry the subflow id of
 * {@code MPTCP_FULL_INFO}, nor the snapshots the address ids of the events). Not thread-safe.
 */
final class ConnectionState {

    /** One subflow's address pair. */
    record Pair(InetSocketAddress local, InetSocketAddress remote) {
    }

    /** A connection as a snapshot shows it: its established subflows, initial one first. */
    record Snapshot(MptcpToken token, List<Pair> subflows) {
    }

    // token -> subflows the application knows as established
    private final Map<MptcpToken, Set<Pair>> known = new HashMap<>();
    // tokens seen in a snapshot of this process's own connections: their closing is ours to
    // report; the others' (other processes') only the kernel can report
    private final Set<MptcpToken> owned = new HashSet<>();

    /** Records what {@code event} told the application. */
    void apply(MptcpEvent event) {
        if (event instanceof MptcpEvent.ConnectionCreated c) {
            known.putIfAbsent(c.token(), new LinkedHashSet<>());
        } else if (event instanceof MptcpEvent.ConnectionEstablished c) {
            known.computeIfAbsent(c.token(), t -> new LinkedHashSet<>())
                    .add(new Pair(c.local(), c.remote()));
        } else if (event instanceof MptcpEvent.SubflowEstablished s) {
            known.computeIfAbsent(s.token(), t -> new LinkedHashSet<>())
                    .add(new Pair(s.local(), s.remote()));
        } else if (event instanceof MptcpEvent.SubflowClosed s) {
            Set<Pair> set = known.get(s.token());
            if (set != null) {
                set.remove(new Pair(s.local(), s.remote()));
            }
        } else if (event instanceof MptcpEvent.ConnectionClosed c) {
            known.remove(c.token());
            owned.remove(c.token());
        }
    }

    /**
     * The events that turn what the application knows into {@code now}, the snapshot of every
     * connection this process owns, and records them as told. A token of ours that is gone
     * from {@code now} closed.
     */
    List<MptcpEvent> diff(List<Snapshot> now) {
        List<MptcpEvent> out = new ArrayList<>();
        Set<MptcpToken> present = new HashSet<>();
        for (Snapshot s : now) {
            present.add(s.token());
            owned.add(s.token());
            Set<Pair> before = known.get(s.token());
            if (before == null) {
                if (s.subflows().isEmpty()) {
                    // No established subflow to name the connection by: wait for one.
                    continue;
                }
                Pair initial = s.subflows().get(0);
                out.add(new MptcpEvent.ConnectionEstablished(EventSource.SNAPSHOT, s.token(),
                        initial.local(), initial.remote(), false));
                before = new LinkedHashSet<>();
                before.add(initial);
                known.put(s.token(), before);
            }
            Set<Pair> after = new LinkedHashSet<>(s.subflows());
            for (Pair p : List.copyOf(before)) {
                if (!after.contains(p)) {
                    out.add(closed(s.token(), p));
                    before.remove(p);
                }
            }
            for (Pair p : after) {
                if (before.add(p)) {
                    out.add(new MptcpEvent.SubflowEstablished(EventSource.SNAPSHOT, s.token(),
                            p.local(), p.remote(), -1, -1, false, OptionalInt.empty()));
                }
            }
        }
        for (MptcpToken t : List.copyOf(owned)) {
            if (!present.contains(t)) {
                owned.remove(t);
                if (known.remove(t) != null) {
                    out.add(new MptcpEvent.ConnectionClosed(EventSource.SNAPSHOT, t));
                }
            }
        }
        return out;
    }

    private static MptcpEvent closed(MptcpToken token, Pair p) {
        return new MptcpEvent.SubflowClosed(EventSource.SNAPSHOT, token, p.local(), p.remote(),
                -1, -1, false, OptionalInt.empty(), OptionalInt.empty(), OptionalLong.empty(),
                OptionalLong.empty());
    }

    /**
     * A snapshot of every open MPTCP connection of {@code channels}: token and established
     * subflows ({@code MPTCP_FULL_INFO}). Channels without a token (not connected, plain TCP,
     * fallen back) and channels closed meanwhile are left out.
     */
    static List<Snapshot> take(List<MptcpSocketChannel> channels) {
        // Pairs are all a snapshot compares: the subflow flags would cost a netlink lookup each.
        return MptcpIntrospection.withoutSubflowFlags(() -> takeAll(channels));
    }

    private static List<Snapshot> takeAll(List<MptcpSocketChannel> channels) {
        Map<MptcpToken, Snapshot> out = new LinkedHashMap<>();
        for (MptcpSocketChannel ch : channels) {
            try {
                Optional<MptcpToken> token = ch.getOption(MptcpSocketOptions.MPTCP_TOKEN);
                if (token.isEmpty()) {
                    continue;
                }
                List<Pair> pairs = new ArrayList<>();
                for (Subflow s : ch.getOption(MptcpSocketOptions.MPTCP_SUBFLOWS)) {
                    pairs.add(new Pair(s.local(), s.remote()));
                }
                out.put(token.get(), new Snapshot(token.get(), pairs));
            } catch (IOException e) {
                // Closed under us (ClosedChannelException) or the connection is going away:
                // it is absent from this snapshot, and so reported closed.
            }
        }
        return new ArrayList<>(out.values());
    }
}
