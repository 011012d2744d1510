package io.mptcp.nio.internal.fd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.mptcp.ffi.Errno;
import io.mptcp.ffi.ErrnoException;

import java.io.IOException;
import java.net.BindException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.PortUnreachableException;
import java.net.ProtocolException;
import java.net.SocketException;
import java.util.function.Function;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The errno table of {@link NioExceptions}, row by row, as the JDK's {@code Net.c},
 * {@code SocketDispatcher}, {@code DatagramDispatcher} and {@code convertReturnVal} map each
 * errno on Linux (JDK 17.0.15 and 25 agree). Classes are compared exactly.
 */
class NioExceptionsTest {

    private enum Context {
        SOCKET(NioExceptions::socket),
        OPTION(NioExceptions::option),
        READ(NioExceptions::read),
        IO(NioExceptions::io),
        DATAGRAM_IO(NioExceptions::datagramIo),
        DATAGRAM(NioExceptions::datagram);

        private final Function<ErrnoException, IOException> map;

        Context(Function<ErrnoException, IOException> map) {
            this.map = map;
        }
    }

    static Stream<Arguments> table() {
        return Stream.of(
                // handleSocketError
                row(Context.SOCKET, Errno.ECONNREFUSED, ConnectException.class,
                        "Connection refused"),
                row(Context.SOCKET, Errno.ETIMEDOUT, ConnectException.class,
                        "Connection timed out"),
                row(Context.SOCKET, Errno.ENOTCONN, ConnectException.class,
                        "Transport endpoint is not connected"),
                row(Context.SOCKET, Errno.EHOSTUNREACH, NoRouteToHostException.class,
                        "No route to host"),
                row(Context.SOCKET, Errno.ENETUNREACH, SocketException.class,
                        "Network is unreachable"),
                row(Context.SOCKET, Errno.EADDRINUSE, BindException.class,
                        "Address already in use"),
                row(Context.SOCKET, Errno.EADDRNOTAVAIL, BindException.class,
                        "Cannot assign requested address"),
                row(Context.SOCKET, Errno.EACCES, BindException.class, "Permission denied"),
                row(Context.SOCKET, Errno.EPROTO, ProtocolException.class, "Protocol error"),
                row(Context.SOCKET, Errno.EINVAL, SocketException.class, "Invalid argument"),
                row(Context.SOCKET, Errno.ECONNRESET, SocketException.class,
                        "Connection reset by peer"),
                row(Context.SOCKET, Errno.ENOENT, SocketException.class,
                        "No such file or directory"),
                // get/setIntOption0
                row(Context.OPTION, Errno.ENOTCONN, SocketException.class,
                        "Transport endpoint is not connected"),
                row(Context.OPTION, Errno.EACCES, SocketException.class, "Permission denied"),
                row(Context.OPTION, Errno.ENOPROTOOPT, SocketException.class,
                        "Protocol not available"),
                // SocketDispatcher.read0
                row(Context.READ, Errno.ECONNRESET, SocketException.class, "Connection reset"),
                row(Context.READ, Errno.EPIPE, SocketException.class, "Connection reset"),
                row(Context.READ, Errno.ENOTCONN, IOException.class,
                        "Transport endpoint is not connected"),
                row(Context.READ, Errno.ETIMEDOUT, IOException.class, "Connection timed out"),
                // convertReturnVal
                row(Context.IO, Errno.ECONNRESET, IOException.class,
                        "Connection reset by peer"),
                row(Context.IO, Errno.EPIPE, IOException.class, "Broken pipe"),
                row(Context.IO, Errno.ECONNREFUSED, IOException.class, "Connection refused"),
                row(Context.IO, Errno.EMFILE, IOException.class, "Too many open files"),
                // DatagramDispatcher
                row(Context.DATAGRAM_IO, Errno.ECONNREFUSED, PortUnreachableException.class,
                        null),
                row(Context.DATAGRAM_IO, Errno.ENETUNREACH, IOException.class,
                        "Network is unreachable"),
                row(Context.DATAGRAM_IO, Errno.EMSGSIZE, IOException.class,
                        "Message too long"),
                // DatagramChannelImpl send0/receive0
                row(Context.DATAGRAM, Errno.ECONNREFUSED, PortUnreachableException.class, null),
                row(Context.DATAGRAM, Errno.ENETUNREACH, SocketException.class,
                        "Network is unreachable"),
                row(Context.DATAGRAM, Errno.EHOSTUNREACH, NoRouteToHostException.class,
                        "No route to host"),
                row(Context.DATAGRAM, Errno.EACCES, BindException.class, "Permission denied"),
                row(Context.DATAGRAM, Errno.EMSGSIZE, SocketException.class,
                        "Message too long"));
    }

    private static Arguments row(Context context, int errno, Class<?> type, String message) {
        return Arguments.of(context, Errno.name(errno), errno, type, message);
    }

    @ParameterizedTest(name = "{0} {1}: {3}")
    @MethodSource("table")
    void mapsAsTheJdk(Context context, String name, int errno, Class<?> type, String message) {
        ErrnoException cause = new ErrnoException("call", errno);
        IOException mapped = context.map.apply(cause);
        assertSame(type, mapped.getClass(), name + " in " + context);
        assertEquals(message, mapped.getMessage());
        assertSame(cause, mapped.getCause(), "the errno stays as the cause");
    }

    @Test
    void aFailedJoinSaysSetsockoptFailedAndAnUnsupportedOneIsUnsupported() {
        IOException join = NioExceptions.multicast(new ErrnoException("setsockopt",
                Errno.ENOBUFS), "join");
        assertSame(SocketException.class, join.getClass());
        assertEquals("No buffer space available (setsockopt failed)", join.getMessage());
        IOException block = NioExceptions.multicast(new ErrnoException("setsockopt",
                Errno.EADDRNOTAVAIL), "block");
        assertSame(BindException.class, block.getClass());
        assertEquals("Cannot assign requested address", block.getMessage());
        assertThrows(UnsupportedOperationException.class, () -> NioExceptions.multicast(
                new ErrnoException("setsockopt", Errno.ENOPROTOOPT), "join"));
    }
}
