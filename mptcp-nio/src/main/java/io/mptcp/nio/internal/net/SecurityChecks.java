package io.mptcp.nio.internal.net;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetPermission;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Path;

/**
 * The permission checks the JDK's channels make while a {@code SecurityManager} is installed,
 * with the same calls at the same points (read in JDK 17.0.15's classes):
 * {@code SocketPermission} through {@code checkConnect}, {@code checkListen},
 * {@code checkAccept} and {@code checkMulticast}; {@code NetPermission
 * accessUnixDomainSocket} for UNIX-domain channels; {@code RuntimePermission inheritedChannel};
 * and local addresses revealed only to code that may connect to them. JDK 18 to 23 deprecate
 * the security manager and JDK 24 removed it ({@code System.getSecurityManager()} is then
 * always null), so there every method returns at its first test.
 *
 * <p>The library's own work that needs permissions (loading its native binding, reading its
 * configuration) runs privileged ({@code internal.fd.Privileged}, and the native seam's
 * loader), so that only these checks decide what the application may reach, as with the
 * JDK's channels, whose code is fully trusted.
 */
@SuppressWarnings("removal") // the security manager's API, deprecated for removal since 17
public final class SecurityChecks {
    private static final NetPermission UNIX_DOMAIN = new NetPermission("accessUnixDomainSocket");
    private static final UnixDomainSocketAddress UNNAMED = UnixDomainSocketAddress.of("");

    private SecurityChecks() {
    }

    private static SecurityManager manager() {
        return System.getSecurityManager();
    }

    /** {@code SocketChannel.connect} to an INET address: {@code checkConnect(host, port)}. */
    public static void checkConnect(SocketAddress remote, int af) {
        SecurityManager sm = manager();
        if (sm != null) {
            InetSocketAddress isa = Net.checkAddress(remote, af);
            sm.checkConnect(isa.getAddress().getHostAddress(), isa.getPort());
        }
    }

    /**
     * Binding an INET socket to {@code local} (null: an ephemeral port):
     * {@code checkListen(port)}. An address of another kind is left for the bind to refuse.
     */
    public static void checkListen(SocketAddress local) {
        SecurityManager sm = manager();
        if (sm != null && (local == null || local instanceof InetSocketAddress)) {
            sm.checkListen(local == null ? 0 : ((InetSocketAddress) local).getPort());
        }
    }

    /** A connection accepted from {@code peer}: {@code checkAccept(host, port)}. */
    public static void checkAccept(InetSocketAddress peer) {
        SecurityManager sm = manager();
        if (sm != null) {
            sm.checkAccept(peer.getAddress().getHostAddress(), peer.getPort());
        }
    }

    /** Any UNIX-domain bind, connect or accept: {@code NetPermission accessUnixDomainSocket}. */
    public static void checkUnixDomain() {
        SecurityManager sm = manager();
        if (sm != null) {
            sm.checkPermission(UNIX_DOMAIN);
        }
    }

    /** Joining {@code group}, or sending to it: {@code checkMulticast(group)}. */
    public static void checkMulticast(InetAddress group) {
        SecurityManager sm = manager();
        if (sm != null) {
            sm.checkMulticast(group);
        }
    }

    /** A datagram sent unconnected to {@code target}: multicast or connect. */
    public static void checkDatagramSend(InetSocketAddress target) {
        SecurityManager sm = manager();
        if (sm != null) {
            InetAddress ia = target.getAddress();
            if (ia.isMulticastAddress()) {
                sm.checkMulticast(ia);
            } else {
                sm.checkConnect(ia.getHostAddress(), target.getPort());
            }
        }
    }

    /** {@code DatagramChannel.connect}: multicast, or connect and accept. */
    public static void checkDatagramConnect(SocketAddress remote, int af) {
        SecurityManager sm = manager();
        if (sm != null) {
            InetSocketAddress isa = Net.checkAddress(remote, af);
            InetAddress ia = isa.getAddress();
            if (ia.isMulticastAddress()) {
                sm.checkMulticast(ia);
            } else {
                sm.checkConnect(ia.getHostAddress(), isa.getPort());
                sm.checkAccept(ia.getHostAddress(), isa.getPort());
            }
        }
    }

    /**
     * Whether a datagram from {@code sender} may be received by an unconnected channel
     * ({@code checkAccept}); the JDK drops one that may not, and waits for the next.
     */
    public static boolean mayReceiveFrom(InetSocketAddress sender) {
        SecurityManager sm = manager();
        if (sm == null) {
            return true;
        }
        try {
            sm.checkAccept(sender.getAddress().getHostAddress(), sender.getPort());
            return true;
        } catch (SecurityException e) {
            return false;
        }
    }

    /** Whether the channels must check each datagram's sender ({@link #mayReceiveFrom}). */
    public static boolean checksSenders() {
        return manager() != null;
    }

    /**
     * Opening {@code file} to send it ({@code MptcpSocketChannel.transferFrom(Path, ...)}):
     * {@code checkRead}, as {@code FileChannel.open} makes it; the file is opened with
     * open(2), which no check of the JDK's sees.
     */
    public static void checkRead(Path file) {
        SecurityManager sm = manager();
        if (sm != null) {
            sm.checkRead(file.toString());
        }
    }

    /** {@code System.inheritedChannel()} when there is one: {@code RuntimePermission}. */
    public static void checkInheritedChannel() {
        SecurityManager sm = manager();
        if (sm != null) {
            sm.checkPermission(new RuntimePermission("inheritedChannel"));
        }
    }

    /**
     * The local address {@code getLocalAddress} reports: the real one if the caller may
     * connect to it ({@code checkConnect(host, -1)}), else the loopback address with the same
     * port, as the JDK's {@code Net.getRevealedLocalAddress}.
     */
    public static InetSocketAddress revealed(InetSocketAddress local) {
        SecurityManager sm = manager();
        if (local != null && sm != null) {
            try {
                sm.checkConnect(local.getAddress().getHostAddress(), -1);
            } catch (SecurityException e) {
                return new InetSocketAddress(InetAddress.getLoopbackAddress(), local.getPort());
            }
        }
        return local;
    }

    /** {@link #revealed(InetSocketAddress)} for any address an INET or UNIX channel holds. */
    public static SocketAddress revealed(SocketAddress local) {
        if (local instanceof InetSocketAddress isa) {
            return revealed(isa);
        }
        if (local instanceof UnixDomainSocketAddress uds && manager() != null) {
            try {
                checkUnixDomain();
            } catch (SecurityException e) {
                return UNNAMED;
            }
            return uds;
        }
        return local;
    }

    /**
     * How {@code toString} shows an INET channel's local address: as it is, or, while a
     * security manager is installed, the loopback address with its port (the JDK's
     * {@code Net.getRevealedLocalAddressAsString}).
     */
    public static String revealedString(SocketAddress local) {
        if (local instanceof InetSocketAddress isa && manager() != null) {
            return new InetSocketAddress(InetAddress.getLoopbackAddress(), isa.getPort())
                    .toString();
        }
        return String.valueOf(local);
    }
}
