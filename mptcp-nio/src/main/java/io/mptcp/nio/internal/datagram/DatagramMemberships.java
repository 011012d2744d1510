package io.mptcp.nio.internal.datagram;

import io.mptcp.ffi.ErrnoException;
import io.mptcp.ffi.LinuxSyscalls;
import io.mptcp.ffi.LinuxUapi;
import io.mptcp.nio.internal.fd.Descriptor;
import io.mptcp.nio.internal.fd.NioExceptions;
import io.mptcp.nio.internal.net.SecurityChecks;
import io.mptcp.nio.internal.options.DatagramSocketOptions;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.MembershipKey;

/**
 * The multicast side of a {@link DatagramChannelImpl}: argument checks, the kernel requests
 * and the registry of keys, with the JDK's semantics on Linux (an IPv6 socket joins IPv4 groups
 * through the IPv4 requests; a repeated join returns the same key; any-source and
 * source-specific memberships of one group and interface exclude each other).
 *
 * <p>Every request and the registry are guarded by the channel's state lock, which the methods
 * take; key locks, when held, are taken before it (as in the JDK).
 */
final class DatagramMemberships {
    private final DatagramChannelImpl ch;
    private final LinuxSyscalls sys;
    private final int fd;
    private final boolean ipv6Socket;
    // The channel's descriptor, whose state lock guards the registry and orders requests
    // with close.
    private final Descriptor descriptor;
    private final MembershipRegistry registry = new MembershipRegistry();

    DatagramMemberships(DatagramChannelImpl ch, LinuxSyscalls sys, int fd, int family,
            Descriptor descriptor) {
        this.ch = ch;
        this.sys = sys;
        this.fd = fd;
        this.ipv6Socket = family == LinuxUapi.AF_INET6;
        this.descriptor = descriptor;
    }

    /**
     * The JDK's checks of a join, before the channel's state is looked at.
     *
     * @throws IllegalArgumentException for a group that is not multicast or not of a family
     *     this socket can join, or a bad source
     */
    static void checkJoin(InetAddress group, InetAddress source, boolean ipv6Socket) {
        if (!group.isMulticastAddress()) {
            throw new IllegalArgumentException("Group not a multicast address");
        }
        if (group instanceof Inet6Address) {
            if (!ipv6Socket) {
                throw new IllegalArgumentException(
                        "Only IPv6 sockets can join IPv6 multicast group");
            }
        } else if (!(group instanceof Inet4Address)) {
            throw new IllegalArgumentException("Address type not supported");
        }
        if (source != null) {
            checkSource(group, source);
        }
    }

    private static void checkSource(InetAddress group, InetAddress source) {
        if (source.isAnyLocalAddress()) {
            throw new IllegalArgumentException("Source address is a wildcard address");
        }
        if (source.isMulticastAddress()) {
            throw new IllegalArgumentException("Source address is multicast address");
        }
        if (source.getClass() != group.getClass()) {
            throw new IllegalArgumentException("Source address is different type to group");
        }
    }

    /**
     * Joins {@code group} on {@code interf} (null: the kernel's choice, for the socket
     * adaptor) from {@code source} (null: any), or returns the existing key.
     *
     * @throws ClosedChannelException if the channel is closed
     */
    MembershipKey join(InetAddress group, NetworkInterface interf, InetAddress source)
            throws IOException {
        checkJoin(group, source, ipv6Socket);
        SecurityChecks.checkMulticast(group);
        return descriptor.withOpenState(() -> {
            MembershipKey existing = registry.checkMembership(group, interf, source);
            if (existing != null) {
                return existing;
            }
            MembershipKeyImpl key = request(group, interf, source);
            registry.add(key);
            return key;
        });
    }

    /** Asks the kernel for a membership. */
    private MembershipKeyImpl request(InetAddress group, NetworkInterface interf,
            InetAddress source) throws IOException {
        assert descriptor.holdsStateLock();
        try {
            if (group instanceof Inet6Address group6) {
                int index = interfaceIndex(interf);
                MulticastRequests.joinOrDrop6(sys, fd, true, group6, index,
                        (Inet6Address) source);
                return new MembershipKeyImpl(ch, group, interf, source, false, null, index);
            }
            Inet4Address address = null;
            int index = 0;
            if (interf != null) {
                address = DatagramSocketOptions.anyInet4Address(interf);
                if (address == null) {
                    throw new IOException("Network interface not configured for IPv4");
                }
                index = Math.max(interf.getIndex(), 0);
            }
            MulticastRequests.joinOrDrop4(sys, fd, true, (Inet4Address) group, address, index,
                    (Inet4Address) source);
            return new MembershipKeyImpl(ch, group, interf, source, true, address, index);
        } catch (ErrnoException e) {
            throw NioExceptions.multicast(e, "join");
        }
    }

    private static int interfaceIndex(NetworkInterface interf) throws IOException {
        if (interf == null) {
            return 0;
        }
        int index = interf.getIndex();
        if (index == -1) {
            throw new IOException("Network interface cannot be identified");
        }
        return index;
    }

    /** The any-source membership of {@code group} on {@code interf}, for the adaptor. */
    MembershipKey find(InetAddress group, NetworkInterface interf) {
        return descriptor.locked(() -> registry.checkMembership(group, interf, null));
    }

    /**
     * Leaves the membership of {@code key} and invalidates it; nothing if it is invalid
     * already. The key is invalid afterwards even if the kernel refuses (it cannot, for a
     * membership it granted), as {@link MembershipKey#drop()} promises.
     */
    void drop(MembershipKeyImpl key) {
        descriptor.locked(() -> {
            dropLocked(key);
            return null;
        });
    }

    private void dropLocked(MembershipKeyImpl key) {
        try {
            if (!key.isValid()) {
                return;
            }
            key.invalidate();
            registry.remove(key);
            if (key.ipv4) {
                MulticastRequests.joinOrDrop4(sys, fd, false, (Inet4Address) key.group(),
                        key.interfaceAddress, key.ifindex, (Inet4Address) key.sourceAddress());
            } else {
                MulticastRequests.joinOrDrop6(sys, fd, false, (Inet6Address) key.group(),
                        key.ifindex, (Inet6Address) key.sourceAddress());
            }
        } catch (ErrnoException e) {
            throw new UncheckedIOException("MembershipKey.drop of " + key + " failed",
                    NioExceptions.socket(e));
        }
    }

    /** Blocks {@code source} on an any-source key. */
    void block(MembershipKeyImpl key, InetAddress source) throws IOException {
        descriptor.withState(() -> {
            requireValid(key);
            checkSource(key.group(), source);
            try {
                blockOrUnblock(key, source, true);
            } catch (ErrnoException e) {
                throw NioExceptions.multicast(e, "block");
            }
            return null;
        });
    }

    /** Unblocks {@code source} on an any-source key that blocks it. */
    void unblock(MembershipKeyImpl key, InetAddress source) {
        descriptor.locked(() -> {
            requireValid(key);
            try {
                blockOrUnblock(key, source, false);
            } catch (ErrnoException e) {
                throw new UncheckedIOException("MembershipKey.unblock(" + source + ") of "
                        + key + " failed", NioExceptions.socket(e));
            }
            return null;
        });
    }

    private static void requireValid(MembershipKeyImpl key) {
        if (!key.isValid()) {
            throw new IllegalStateException("key is no longer valid");
        }
    }

    private void blockOrUnblock(MembershipKeyImpl key, InetAddress source, boolean block)
            throws ErrnoException {
        if (key.ipv4) {
            MulticastRequests.blockOrUnblock4(sys, fd, block, (Inet4Address) key.group(),
                    key.interfaceAddress, (Inet4Address) source);
        } else {
            MulticastRequests.blockOrUnblock6(sys, fd, block, (Inet6Address) key.group(),
                    key.ifindex, (Inet6Address) source);
        }
    }

    /**
     * The channel is closing: every key becomes invalid (the kernel drops them with the
     * socket).
     */
    void invalidateAll() {
        assert descriptor.holdsStateLock();
        registry.invalidateAll();
    }
}
