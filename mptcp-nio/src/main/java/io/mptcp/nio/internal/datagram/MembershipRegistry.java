package io.mptcp.nio.internal.datagram;

import java.net.InetAddress;
import java.net.NetworkInterface;
import java.nio.channels.MembershipKey;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * The memberships of one channel, by group, as the JDK's {@code MembershipRegistry}: it finds
 * the key a repeated join returns and the conflicts between any-source and source-specific
 * memberships of a group on one interface. Not thread-safe: the channel's state lock guards it.
 */
final class MembershipRegistry {
    private final Map<InetAddress, List<MembershipKeyImpl>> groups = new HashMap<>();

    /**
     * The membership of {@code group} on {@code interf} with {@code source} (null: any source),
     * or null if there is none.
     *
     * @throws IllegalStateException if the group is joined on that interface in the other
     *     mode (any-source versus source-specific), which the API forbids
     */
    MembershipKey checkMembership(InetAddress group, NetworkInterface interf,
            InetAddress source) {
        List<MembershipKeyImpl> keys = groups.get(group);
        if (keys == null) {
            return null;
        }
        for (MembershipKeyImpl key : keys) {
            if (!Objects.equals(key.networkInterface(), interf)) {
                continue;
            }
            if (source == null) {
                if (key.sourceAddress() == null) {
                    return key;
                }
                throw new IllegalStateException("Already a member to receive all packets");
            }
            if (key.sourceAddress() == null) {
                throw new IllegalStateException("Already have source-specific membership");
            }
            if (source.equals(key.sourceAddress())) {
                return key;
            }
        }
        return null;
    }

    void add(MembershipKeyImpl key) {
        groups.computeIfAbsent(key.group(), g -> new ArrayList<>()).add(key);
    }

    void remove(MembershipKeyImpl key) {
        List<MembershipKeyImpl> keys = groups.get(key.group());
        if (keys != null) {
            keys.removeIf(k -> k == key);
            if (keys.isEmpty()) {
                groups.remove(key.group());
            }
        }
    }

    void forEach(Consumer<MembershipKeyImpl> action) {
        groups.values().forEach(keys -> keys.forEach(action));
    }

    /** Invalidates every key: the channel is closing (the kernel drops them with the socket). */
    void invalidateAll() {
        forEach(MembershipKeyImpl::invalidate);
    }
}
