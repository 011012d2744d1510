package io.mptcp.nio.internal.datagram;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.nio.channels.MembershipKey;
import java.nio.channels.MulticastChannel;
import java.util.HashSet;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A multicast membership of a {@link DatagramChannelImpl}, as the JDK's
 * {@code MembershipKeyImpl}: the group, the interface and the source it was joined with, how the
 * kernel knows it (IPv4 or IPv6 requests), and the sources blocked on it.
 */
final class MembershipKeyImpl extends MembershipKey {
    private final DatagramChannelImpl ch;
    private final InetAddress group;
    // Null only for a membership the socket adaptor joined without an interface (any).
    private final NetworkInterface interf;
    private final InetAddress source;
    /** Whether the kernel knows it through IPv4 requests (an IPv4 group, on either socket). */
    final boolean ipv4;
    /** IPv4 requests: an IPv4 address of the interface, or null for the kernel's choice. */
    final Inet4Address interfaceAddress;
    /** The interface index, or 0 for the kernel's choice. */
    final int ifindex;

    private volatile boolean invalid;

    // Guards blocked. Taken before the channel's state lock (block and unblock call into the
    // channel while holding it), as in the JDK.
    private final ReentrantLock lock = new ReentrantLock();
    private Set<InetAddress> blocked;

    MembershipKeyImpl(DatagramChannelImpl ch, InetAddress group, NetworkInterface interf,
            InetAddress source, boolean ipv4, Inet4Address interfaceAddress, int ifindex) {
        this.ch = ch;
        this.group = group;
        this.interf = interf;
        this.source = source;
        this.ipv4 = ipv4;
        this.interfaceAddress = interfaceAddress;
        this.ifindex = ifindex;
    }

    @Override
    public boolean isValid() {
        return !invalid;
    }

    /** Marks the key invalid: dropped, or its channel closed. */
    void invalidate() {
        invalid = true;
    }

    @Override
    public void drop() {
        ch.memberships().drop(this);
    }

    @Override
    public MulticastChannel channel() {
        return ch;
    }

    @Override
    public InetAddress group() {
        return group;
    }

    @Override
    public NetworkInterface networkInterface() {
        return interf;
    }

    @Override
    public InetAddress sourceAddress() {
        return source;
    }

    @Override
    public MembershipKey block(InetAddress toBlock) throws IOException {
        Objects.requireNonNull(toBlock, "source");
        if (source != null) {
            throw new IllegalStateException("key is source-specific");
        }
        lock.lock();
        try {
            if (blocked != null && blocked.contains(toBlock)) {
                return this;
            }
            ch.memberships().block(this, toBlock);
            if (blocked == null) {
                blocked = new HashSet<>();
            }
            blocked.add(toBlock);
        } finally {
            lock.unlock();
        }
        return this;
    }

    @Override
    public MembershipKey unblock(InetAddress toUnblock) {
        lock.lock();
        try {
            if (blocked == null || !blocked.contains(toUnblock)) {
                throw new IllegalStateException("not blocked");
            }
            ch.memberships().unblock(this, toUnblock);
            blocked.remove(toUnblock);
        } finally {
            lock.unlock();
        }
        return this;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(64).append('<').append(group.getHostAddress())
                .append(',').append(interf == null ? "any" : interf.getName());
        if (source != null) {
            sb.append(',').append(source.getHostAddress());
        }
        return sb.append('>').toString();
    }
}
