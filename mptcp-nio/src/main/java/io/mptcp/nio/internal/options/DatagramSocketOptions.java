package io.mptcp.nio.internal.options;

import io.mptcp.ffi.ErrnoException;
import io.mptcp.ffi.LinuxSyscalls;
import io.mptcp.ffi.LinuxUapi;
import io.mptcp.ffi.StructInAddr;
import io.mptcp.nio.internal.fd.DirectBufferCache;
import io.mptcp.nio.internal.fd.NioExceptions;

import java.io.IOException;
import java.lang.reflect.Field;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.SocketOption;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Collections;
import java.util.Enumeration;
import java.util.HashSet;
import java.util.Objects;
import java.util.Set;

/**
 * Socket options of one UDP socket, as the JDK's {@code DatagramChannelImpl} sets and reads
 * them on Linux: the same supported set, the same value checks, the same kernel options.
 *
 * <p>On an IPv6 socket the IP-level options ({@code IP_TOS}, {@code IP_MULTICAST_*}) are the
 * {@code IPV6_*} ones, and, as the JDK does on Linux, the IPv4 option is set too on a best-effort
 * basis, because the socket also carries IPv4 traffic (mapped addresses). Buffer sizes read
 * back halved, as the JDK reports them (Linux doubles what it is given).
 *
 * <p>Not thread-safe: the owning channel calls it under its state lock.
 */
public final class DatagramSocketOptions {
    private static final SocketOption<?> SO_INCOMING_NAPI_ID = jdkNet("SO_INCOMING_NAPI_ID");
    private static final SocketOption<?> IP_DONTFRAGMENT = jdkNet("IP_DONTFRAGMENT");
    private static final Set<SocketOption<?>> SUPPORTED = supportedSet();

    private final LinuxSyscalls sys;
    private final int fd;
    private final boolean ipv6;

    /** The options of {@code fd}, a socket of {@code family} ({@code AF_INET}/{@code AF_INET6}). */
    public DatagramSocketOptions(LinuxSyscalls sys, int fd, int family) {
        this.sys = sys;
        this.fd = fd;
        this.ipv6 = family == LinuxUapi.AF_INET6;
    }

    private static Set<SocketOption<?>> supportedSet() {
        Set<SocketOption<?>> set = new HashSet<>();
        set.add(StandardSocketOptions.SO_SNDBUF);
        set.add(StandardSocketOptions.SO_RCVBUF);
        set.add(StandardSocketOptions.SO_REUSEADDR);
        set.add(StandardSocketOptions.SO_REUSEPORT);
        set.add(StandardSocketOptions.SO_BROADCAST);
        set.add(StandardSocketOptions.IP_TOS);
        set.add(StandardSocketOptions.IP_MULTICAST_IF);
        set.add(StandardSocketOptions.IP_MULTICAST_TTL);
        set.add(StandardSocketOptions.IP_MULTICAST_LOOP);
        // The jdk.net options the JDK offers on Linux datagram sockets, where this runtime has
        // them: SO_INCOMING_NAPI_ID (JDK 11), IP_DONTFRAGMENT (JDK 19).
        if (SO_INCOMING_NAPI_ID != null) {
            set.add(SO_INCOMING_NAPI_ID);
        }
        if (IP_DONTFRAGMENT != null) {
            set.add(IP_DONTFRAGMENT);
        }
        return Collections.unmodifiableSet(set);
    }

    /** @return the option, or null where this runtime lacks jdk.net or the field */
    private static SocketOption<?> jdkNet(String field) {
        try {
            Field f = Class.forName("jdk.net.ExtendedSocketOptions").getField(field);
            return (SocketOption<?>) f.get(null);
        } catch (ReflectiveOperationException | LinkageError absent) {
            return null;
        }
    }

    /** The options of {@code DatagramChannel.supportedOptions()}, as the JDK's. */
    public static Set<SocketOption<?>> supported() {
        return SUPPORTED;
    }

    /**
     * The checks the JDK makes before it looks at the channel's state: null name → NPE,
     * unsupported → {@link UnsupportedOperationException}, a value of the wrong type (or null)
     * → {@link IllegalArgumentException}.
     */
    public static void checkSet(SocketOption<?> name, Object value) {
        checkGet(name);
        if (!name.type().isInstance(value)) {
            throw new IllegalArgumentException("Invalid value '" + value + "' for " + name.name()
                    + ": expected a " + name.type().getSimpleName());
        }
    }

    /** {@code getOption}'s checks: null name → NPE, unsupported → UOE. */
    public static void checkGet(SocketOption<?> name) {
        Objects.requireNonNull(name, "name");
        if (!SUPPORTED.contains(name)) {
            throw new UnsupportedOperationException("'" + name + "' not supported");
        }
    }

    /** Sets a checked option (see {@link #checkSet}); range errors are IAE, as the JDK's. */
    public void set(SocketOption<?> name, Object value) throws IOException {
        try {
            if (name == StandardSocketOptions.IP_MULTICAST_IF) {
                setMulticastInterface((NetworkInterface) value);
            } else if (name == SO_INCOMING_NAPI_ID) {
                throw new SocketException("Attempt to set read only option " + name);
            } else if (name == IP_DONTFRAGMENT) {
                int discover = (Boolean) value
                        ? LinuxUapi.IP_PMTUDISC_DO : LinuxUapi.IP_PMTUDISC_DONT;
                setIpLevel(LinuxUapi.IP_MTU_DISCOVER, LinuxUapi.IPV6_MTU_DISCOVER, discover);
            } else if (name == StandardSocketOptions.IP_TOS) {
                setIpLevel(LinuxUapi.IP_TOS, LinuxUapi.IPV6_TCLASS,
                        inRange(value, "Invalid IP_TOS value"));
            } else if (name == StandardSocketOptions.IP_MULTICAST_TTL) {
                setIpLevel(LinuxUapi.IP_MULTICAST_TTL, LinuxUapi.IPV6_MULTICAST_HOPS,
                        inRange(value, "Invalid TTL/hop value"));
            } else if (name == StandardSocketOptions.IP_MULTICAST_LOOP) {
                setIpLevel(LinuxUapi.IP_MULTICAST_LOOP, LinuxUapi.IPV6_MULTICAST_LOOP,
                        (Boolean) value ? 1 : 0);
            } else {
                sys.setsockoptInt(fd, LinuxUapi.SOL_SOCKET, socketLevel(name),
                        socketLevelValue(name, value));
            }
        } catch (ErrnoException e) {
            throw NioExceptions.socket(e);
        }
    }

    /** Reads a checked option (see {@link #checkGet}). */
    public Object get(SocketOption<?> name) throws IOException {
        try {
            if (name == StandardSocketOptions.IP_MULTICAST_IF) {
                return multicastInterface();
            }
            if (name == IP_DONTFRAGMENT) {
                return getIpLevel(LinuxUapi.IP_MTU_DISCOVER, LinuxUapi.IPV6_MTU_DISCOVER)
                        == LinuxUapi.IP_PMTUDISC_DO;
            }
            if (name == StandardSocketOptions.IP_TOS) {
                return getIpLevel(LinuxUapi.IP_TOS, LinuxUapi.IPV6_TCLASS);
            }
            if (name == StandardSocketOptions.IP_MULTICAST_TTL) {
                return getIpLevel(LinuxUapi.IP_MULTICAST_TTL, LinuxUapi.IPV6_MULTICAST_HOPS);
            }
            if (name == StandardSocketOptions.IP_MULTICAST_LOOP) {
                return getIpLevel(LinuxUapi.IP_MULTICAST_LOOP, LinuxUapi.IPV6_MULTICAST_LOOP)
                        != 0;
            }
            int raw = sys.getsockoptInt(fd, LinuxUapi.SOL_SOCKET, socketLevel(name));
            if (name == StandardSocketOptions.SO_SNDBUF
                    || name == StandardSocketOptions.SO_RCVBUF) {
                // Linux doubles the size it is given; the JDK halves it back (NET_GetSockOpt).
                return raw / 2;
            }
            return name.type() == Boolean.class ? (Object) (raw != 0) : (Object) raw;
        } catch (ErrnoException e) {
            throw NioExceptions.socket(e);
        }
    }

    private static int socketLevel(SocketOption<?> name) {
        if (name == StandardSocketOptions.SO_SNDBUF) {
            return LinuxUapi.SO_SNDBUF;
        } else if (name == StandardSocketOptions.SO_RCVBUF) {
            return LinuxUapi.SO_RCVBUF;
        } else if (name == StandardSocketOptions.SO_REUSEADDR) {
            return LinuxUapi.SO_REUSEADDR;
        } else if (name == StandardSocketOptions.SO_REUSEPORT) {
            return LinuxUapi.SO_REUSEPORT;
        } else if (name == StandardSocketOptions.SO_BROADCAST) {
            return LinuxUapi.SO_BROADCAST;
        } else if (name == SO_INCOMING_NAPI_ID) {
            return LinuxUapi.SO_INCOMING_NAPI_ID;
        }
        throw new IllegalStateException("not a SOL_SOCKET option: " + name);
    }

    private static int socketLevelValue(SocketOption<?> name, Object value) {
        if (value instanceof Boolean b) {
            return b ? 1 : 0;
        }
        int size = (Integer) value;
        if (size < 0) {
            throw new IllegalArgumentException("Invalid send/receive buffer size");
        }
        return size;
    }

    private static int inRange(Object value, String message) {
        int i = (Integer) value;
        if (i < 0 || i > 255) {
            throw new IllegalArgumentException(message);
        }
        return i;
    }

    /**
     * An IP-level option: the IPv4 one on an IPv4 socket; on an IPv6 socket the IPv6 one, and
     * the IPv4 one as well if the kernel takes it (for IPv4-mapped traffic), as the JDK does on
     * Linux.
     */
    private void setIpLevel(int ipv4Name, int ipv6Name, int value) throws ErrnoException {
        if (!ipv6) {
            sys.setsockoptInt(fd, LinuxUapi.IPPROTO_IP, ipv4Name, value);
            return;
        }
        sys.setsockoptInt(fd, LinuxUapi.IPPROTO_IPV6, ipv6Name, value);
        try {
            sys.setsockoptInt(fd, LinuxUapi.IPPROTO_IP, ipv4Name, value);
        } catch (ErrnoException ignore) {
            // Best effort, as in the JDK: the IPv6 option, which succeeded, is the one read.
        }
    }

    private int getIpLevel(int ipv4Name, int ipv6Name) throws ErrnoException {
        return ipv6
                ? sys.getsockoptInt(fd, LinuxUapi.IPPROTO_IPV6, ipv6Name)
                : sys.getsockoptInt(fd, LinuxUapi.IPPROTO_IP, ipv4Name);
    }

    private void setMulticastInterface(NetworkInterface interf)
            throws IOException, ErrnoException {
        if (ipv6) {
            int index = interf.getIndex();
            if (index == -1) {
                throw new IOException("Network interface cannot be identified");
            }
            sys.setsockoptInt(fd, LinuxUapi.IPPROTO_IPV6, LinuxUapi.IPV6_MULTICAST_IF, index);
        }
        // The IPv4 option names the interface by one of its IPv4 addresses.
        Inet4Address target = anyInet4Address(interf);
        if (target == null) {
            if (!ipv6) {
                throw new IOException("Network interface not configured for IPv4");
            }
            return;
        }
        try {
            setInAddr(target);
        } catch (ErrnoException e) {
            if (!ipv6) {
                throw e;
            }
        }
    }

    private NetworkInterface multicastInterface() throws IOException, ErrnoException {
        if (ipv6) {
            int index = sys.getsockoptInt(fd, LinuxUapi.IPPROTO_IPV6,
                    LinuxUapi.IPV6_MULTICAST_IF);
            if (index == 0) {
                return null; // the default interface
            }
            NetworkInterface ni = NetworkInterface.getByIndex(index);
            if (ni == null) {
                throw new IOException("Unable to map index to interface");
            }
            return ni;
        }
        Inet4Address address = getInAddr();
        if (address == null) {
            return null; // the default interface
        }
        NetworkInterface ni = NetworkInterface.getByInetAddress(address);
        if (ni == null) {
            throw new IOException("Unable to map address to interface");
        }
        return ni;
    }

    private void setInAddr(Inet4Address address) throws ErrnoException {
        ByteBuffer value = DirectBufferCache.acquire(StructInAddr.SIZEOF)
                .order(ByteOrder.nativeOrder());
        try {
            StructInAddr.put(value, 0, address);
            sys.setsockopt(fd, LinuxUapi.IPPROTO_IP, LinuxUapi.IP_MULTICAST_IF, value);
        } finally {
            DirectBufferCache.release(value);
        }
    }

    private Inet4Address getInAddr() throws ErrnoException {
        ByteBuffer value = DirectBufferCache.acquire(StructInAddr.SIZEOF)
                .order(ByteOrder.nativeOrder());
        try {
            StructInAddr.put(value, 0, null); // a recycled buffer: no stale address
            sys.getsockopt(fd, LinuxUapi.IPPROTO_IP, LinuxUapi.IP_MULTICAST_IF, value);
            return StructInAddr.get(value, 0);
        } finally {
            DirectBufferCache.release(value);
        }
    }

    /** The first IPv4 address of {@code interf}, or null (the JDK's Net.anyInet4Address). */
    public static Inet4Address anyInet4Address(NetworkInterface interf) {
        Enumeration<InetAddress> addresses = interf.getInetAddresses();
        while (addresses.hasMoreElements()) {
            if (addresses.nextElement() instanceof Inet4Address v4) {
                return v4;
            }
        }
        return null;
    }
}
