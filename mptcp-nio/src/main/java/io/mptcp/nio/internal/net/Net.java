package io.mptcp.nio.internal.net;

import io.mptcp.ffi.LinuxUapi;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.SocketOption;
import java.net.UnknownHostException;
import java.nio.channels.AlreadyBoundException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.NetworkChannel;
import java.nio.channels.NotYetBoundException;
import java.nio.channels.NotYetConnectedException;
import java.nio.channels.UnresolvedAddressException;
import java.nio.channels.UnsupportedAddressTypeException;

/** Address checks and exception translation with the JDK's {@code sun.nio.ch.Net} semantics. */
public final class Net {
    private static final InetAddress IPV4_ANY = inet(new byte[4]);
    private static final InetAddress IPV6_ANY = inet(new byte[16]);
    private static final InetAddress IPV4_LOOPBACK = inet(new byte[] {127, 0, 0, 1});
    private static final InetAddress IPV6_LOOPBACK =
            inet(new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1});

    private Net() {
    }

    private static InetAddress inet(byte[] bytes) {
        try {
            return InetAddress.getByAddress(bytes);
        } catch (UnknownHostException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /**
     * Checks an address given to bind or connect on a socket of {@code family}
     * ({@code AF_INET}/{@code AF_INET6}): null → NPE, not INET → UnsupportedAddressType,
     * unresolved → UnresolvedAddress, IPv6 on an IPv4 socket → UnsupportedAddressType.
     */
    public static InetSocketAddress checkAddress(SocketAddress sa, int family) {
        if (sa == null) {
            throw new NullPointerException("address");
        }
        if (!(sa instanceof InetSocketAddress isa)) {
            throw new UnsupportedAddressTypeException();
        }
        if (isa.isUnresolved()) {
            throw new UnresolvedAddressException();
        }
        InetAddress addr = isa.getAddress();
        if (!(addr instanceof Inet4Address || addr instanceof Inet6Address)) {
            throw new IllegalArgumentException("Invalid address type: " + addr.getClass());
        }
        if (family == LinuxUapi.AF_INET && !(addr instanceof Inet4Address)) {
            throw new UnsupportedAddressTypeException();
        }
        return isa;
    }

    /** As {@link #checkAddress}, and a wildcard address means loopback, as in the JDK. */
    public static InetSocketAddress checkRemote(SocketAddress sa, int family) {
        InetSocketAddress isa = checkAddress(sa, family);
        InetAddress addr = isa.getAddress();
        if (addr.isAnyLocalAddress()) {
            InetAddress loopback = addr instanceof Inet4Address ? IPV4_LOOPBACK : IPV6_LOOPBACK;
            return new InetSocketAddress(loopback, isa.getPort());
        }
        return isa;
    }

    /** The wildcard address with port 0 for a socket of {@code family}. */
    public static InetSocketAddress anyLocal(int family) {
        return new InetSocketAddress(family == LinuxUapi.AF_INET6 ? IPV6_ANY : IPV4_ANY, 0);
    }

    /** The JDK's {@code Net.translateToSocketException}: channel exceptions as socket ones. */
    public static SocketException toSocketException(Exception x) {
        if (x instanceof SocketException se) {
            return se;
        }
        SocketException nx;
        if (x instanceof ClosedChannelException) {
            nx = new SocketException("Socket is closed");
        } else if (x instanceof NotYetConnectedException) {
            nx = new SocketException("Socket is not connected");
        } else if (x instanceof AlreadyBoundException) {
            nx = new SocketException("Already bound");
        } else if (x instanceof NotYetBoundException) {
            nx = new SocketException("Socket is not bound yet");
        } else if (x instanceof UnsupportedAddressTypeException) {
            nx = new SocketException("Unsupported address type");
        } else if (x instanceof UnresolvedAddressException) {
            nx = new SocketException("Unresolved address");
        } else if (x instanceof RuntimeException re) {
            throw re;
        } else {
            nx = new SocketException(x.getMessage());
        }
        nx.initCause(x);
        return nx;
    }

    /** A socket adaptor's option write: the channel's, failures as {@link SocketException}. */
    public static <T> void setOption(NetworkChannel ch, SocketOption<T> name, T value)
            throws SocketException {
        try {
            ch.setOption(name, value);
        } catch (IOException e) {
            throw toSocketException(e);
        }
    }

    /** A socket adaptor's option read: the channel's, failures as {@link SocketException}. */
    public static <T> T getOption(NetworkChannel ch, SocketOption<T> name)
            throws SocketException {
        try {
            return ch.getOption(name);
        } catch (IOException e) {
            throw toSocketException(e);
        }
    }

    /**
     * The JDK's {@code Net.translateException} for the socket adaptors: an IOException passes
     * as it is; an unresolved address is an {@link UnknownHostException} when asked for.
     */
    public static IOException translate(Exception x, boolean unknownHostForUnresolved) {
        if (x instanceof IOException io) {
            return io;
        }
        if (unknownHostForUnresolved && x instanceof UnresolvedAddressException) {
            UnknownHostException uhe = new UnknownHostException();
            uhe.initCause(x);
            return uhe;
        }
        return toSocketException(x);
    }
}
