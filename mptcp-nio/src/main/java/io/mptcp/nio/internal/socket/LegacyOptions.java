package io.mptcp.nio.internal.socket;

import io.mptcp.nio.internal.options.SocketOptionTable;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.SocketOption;
import java.net.SocketOptions;
import java.net.StandardSocketOptions;
import java.nio.channels.NetworkChannel;

/**
 * {@code SocketImpl.setOption(int, Object)} and {@code getOption(int)}, the option calls of
 * {@code Socket} and {@code ServerSocket}, with the value conventions of the JDK's
 * {@code NioSocketImpl} ({@code SO_LINGER} is {@code Boolean.FALSE} when off, buffer sizes must
 * be positive), applied through the channel's own {@code setOption}: the MPTCP option
 * tolerance, strict mode and the read-back of recorded values are the channel's.
 * {@code SO_TIMEOUT} is not here: each impl keeps it.
 */
final class LegacyOptions {

    private LegacyOptions() {
    }

    static void set(NetworkChannel ch, int opt, Object value) throws SocketException {
        try {
            switch (opt) {
                case SocketOptions.SO_LINGER -> {
                    // "false" turns lingering off, an Integer sets the interval.
                    int linger = value instanceof Boolean b && !b
                            ? -1 : intValue(value, "SO_LINGER");
                    ch.setOption(StandardSocketOptions.SO_LINGER, linger);
                }
                case SocketOptions.IP_TOS ->
                    ch.setOption(StandardSocketOptions.IP_TOS, intValue(value, "IP_TOS"));
                case SocketOptions.TCP_NODELAY -> ch.setOption(StandardSocketOptions.TCP_NODELAY,
                        booleanValue(value, "TCP_NODELAY"));
                case SocketOptions.SO_SNDBUF -> ch.setOption(StandardSocketOptions.SO_SNDBUF,
                        positive(intValue(value, "SO_SNDBUF"), "SO_SNDBUF"));
                case SocketOptions.SO_RCVBUF -> ch.setOption(StandardSocketOptions.SO_RCVBUF,
                        positive(intValue(value, "SO_RCVBUF"), "SO_RCVBUF"));
                case SocketOptions.SO_KEEPALIVE -> ch.setOption(StandardSocketOptions.SO_KEEPALIVE,
                        booleanValue(value, "SO_KEEPALIVE"));
                case SocketOptions.SO_OOBINLINE -> ch.setOption(SocketOptionTable.SO_OOBINLINE,
                        booleanValue(value, "SO_OOBINLINE"));
                case SocketOptions.SO_REUSEADDR -> ch.setOption(StandardSocketOptions.SO_REUSEADDR,
                        booleanValue(value, "SO_REUSEADDR"));
                case SocketOptions.SO_REUSEPORT -> ch.setOption(StandardSocketOptions.SO_REUSEPORT,
                        booleanValue(value, "SO_REUSEPORT"));
                default -> throw new SocketException("Unknown option " + opt);
            }
        } catch (IOException | IllegalArgumentException | UnsupportedOperationException e) {
            throw translate(e);
        }
    }

    static Object get(NetworkChannel ch, int opt) throws SocketException {
        try {
            return switch (opt) {
                case SocketOptions.TCP_NODELAY -> ch.getOption(StandardSocketOptions.TCP_NODELAY);
                case SocketOptions.SO_OOBINLINE -> ch.getOption(SocketOptionTable.SO_OOBINLINE);
                case SocketOptions.SO_LINGER -> {
                    int linger = ch.getOption(StandardSocketOptions.SO_LINGER);
                    yield linger == -1 ? (Object) Boolean.FALSE : (Object) linger;
                }
                case SocketOptions.SO_REUSEADDR -> ch.getOption(StandardSocketOptions.SO_REUSEADDR);
                case SocketOptions.SO_BINDADDR -> bindAddress(ch);
                case SocketOptions.SO_SNDBUF -> ch.getOption(StandardSocketOptions.SO_SNDBUF);
                case SocketOptions.SO_RCVBUF -> ch.getOption(StandardSocketOptions.SO_RCVBUF);
                case SocketOptions.IP_TOS -> ch.getOption(StandardSocketOptions.IP_TOS);
                case SocketOptions.SO_KEEPALIVE -> ch.getOption(StandardSocketOptions.SO_KEEPALIVE);
                case SocketOptions.SO_REUSEPORT -> ch.getOption(StandardSocketOptions.SO_REUSEPORT);
                default -> throw new SocketException("Unknown option " + opt);
            };
        } catch (IOException | IllegalArgumentException | UnsupportedOperationException e) {
            throw translate(e);
        }
    }

    /** The local address, the wildcard while unbound (as getsockname(2) reports it). */
    private static InetAddress bindAddress(NetworkChannel ch) throws IOException {
        InetSocketAddress local = (InetSocketAddress) ch.getLocalAddress();
        return local != null ? local.getAddress() : new InetSocketAddress(0).getAddress();
    }

    /**
     * {@code SocketImpl.setOption(SocketOption, T)}: the JDK's checks, in its order, then the
     * channel's {@code setOption}.
     */
    static <T> void checkValue(SocketOption<T> opt, T value) {
        if (!opt.type().isInstance(value)) {
            throw new IllegalArgumentException("Invalid value '" + value + "'");
        }
    }

    private static SocketException translate(Exception e) {
        if (e instanceof IOException io && SocketImplErrors.io(io) instanceof SocketException se) {
            return se;
        }
        return SocketImplErrors.socket(e);
    }

    private static int intValue(Object value, String desc) throws SocketException {
        if (!(value instanceof Integer i)) {
            throw new SocketException("Bad value for " + desc);
        }
        return i;
    }

    private static boolean booleanValue(Object value, String desc) throws SocketException {
        if (!(value instanceof Boolean b)) {
            throw new SocketException("Bad value for " + desc);
        }
        return b;
    }

    private static int positive(int size, String desc) throws SocketException {
        if (size <= 0) {
            throw new SocketException(desc + " <= 0");
        }
        return size;
    }
}
