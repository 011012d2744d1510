package io.mptcp.nio.internal;

import io.mptcp.nio.MptcpSocketChannel;

import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Every INET socket channel this process has opened or accepted through any of our providers,
 * held weakly: what an unprivileged process may look at (its own sockets' {@code MPTCP_FULL_INFO})
 * when the kernel refuses it the events group. A channel registers itself once, when it is
 * constructed (the one line in {@code SocketChannelImpl}); a channel the application dropped
 * without closing leaves when it is collected.
 */
public final class OwnedConnections {
    private static final Object LOCK = new Object();
    // guarded by LOCK
    private static final Set<Entry> ENTRIES = new LinkedHashSet<>();
    private static final ReferenceQueue<MptcpSocketChannel> COLLECTED = new ReferenceQueue<>();

    private OwnedConnections() {
    }

    /** A weak reference that is its own set element (identity equality). */
    private static final class Entry extends WeakReference<MptcpSocketChannel> {
        Entry(MptcpSocketChannel channel) {
            super(channel, COLLECTED);
        }
    }

    /** Adds {@code channel}; called once per channel, from its constructor. */
    public static void register(MptcpSocketChannel channel) {
        Entry entry = new Entry(channel);
        synchronized (LOCK) {
            expunge();
            ENTRIES.add(entry);
        }
    }

    /**
     * The channels still open; closed ones leave the registry here (a caller that knew one
     * remembers it by its token).
     */
    public static List<MptcpSocketChannel> snapshot() {
        List<MptcpSocketChannel> out = new ArrayList<>();
        synchronized (LOCK) {
            expunge();
            var it = ENTRIES.iterator();
            while (it.hasNext()) {
                MptcpSocketChannel ch = it.next().get();
                if (ch == null || !ch.isOpen()) {
                    it.remove();
                } else {
                    out.add(ch);
                }
            }
        }
        return out;
    }

    private static void expunge() {
        for (Object r = COLLECTED.poll(); r != null; r = COLLECTED.poll()) {
            ENTRIES.remove(r);
        }
    }
}
