package io.mptcp.nio.contract;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.BindException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.SocketOption;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.AlreadyBoundException;
import java.nio.channels.NetworkChannel;
import java.nio.channels.NotYetBoundException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.UnsupportedAddressTypeException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

import jdk.net.ExtendedSocketOptions;
import jdk.net.UnixDomainPrincipal;

/**
 * UNIX-domain channels, addresses and options: unnamed and automatically bound names, path
 * limits, the errors of bind and connect, the supported options with {@code SO_PEERCRED}, and
 * the socket adaptors that do not exist.
 */
abstract class UnixDomainAddressContract extends UnixDomainChannelContract {

    private static final UnixDomainSocketAddress UNNAMED = UnixDomainSocketAddress.of("");

    /** The directory the JDK binds automatic names in (see {@code jdk.net.unixdomain.tmpdir}). */
    private static Path automaticNameDirectory() {
        String property = System.getProperty("jdk.net.unixdomain.tmpdir");
        // Both JDKs' conf/net.properties set it to /tmp on Linux.
        return Path.of(property != null && !property.isEmpty() ? property : "/tmp");
    }

    @Test
    void aServerBoundToNullGetsAFreshNameInTheTemporaryDirectoryThatOutlivesTheChannel()
            throws Exception {
        ServerSocketChannel first = openUnixServerSocketChannel().bind(null);
        ServerSocketChannel second = openUnixServerSocketChannel().bind(null);
        Path a = deleteAfter(((UnixDomainSocketAddress) first.getLocalAddress()).getPath());
        Path b = deleteAfter(((UnixDomainSocketAddress) second.getLocalAddress()).getPath());
        assertNotEquals(a, b);
        for (Path p : new Path[] {a, b}) {
            assertEquals(automaticNameDirectory(), p.getParent(), p.toString());
            assertTrue(p.getFileName().toString().matches("socket_[0-9]+"), p.toString());
            assertTrue(Files.readAttributes(p, PosixFileAttributes.class).isOther(),
                    "a socket file: " + p);
        }
        first.close();
        assertTrue(Files.exists(a), "closing does not delete the socket file, as in the JDK");

        SocketChannel client = openUnixSocketChannel();
        client.connect(second.getLocalAddress());
        assertTrue(client.isConnected());
    }

    @Test
    void aServerCannotBindTheEmptyPathOrAnExistingFileAndStaysOpen() throws Exception {
        ServerSocketChannel server = openUnixServerSocketChannel();
        BindException unnamed = assertThrows(BindException.class, () -> server.bind(UNNAMED));
        assertEquals("Server socket cannot bind to unnamed address", unnamed.getMessage());
        Path file = Files.createFile(dir.resolve("taken"));
        assertThrows(BindException.class, () -> server.bind(UnixDomainSocketAddress.of(file)));
        assertTrue(server.isOpen());
        assertNull(server.getLocalAddress());
        assertThrows(NotYetBoundException.class, server::accept);
        server.bind(address("free"));
        assertThrows(AlreadyBoundException.class, () -> server.bind(address("other")));
    }

    @Test
    void aClientIsUnnamedUntilItBindsAndAcceptedChannelsSeeBothEnds() throws Exception {
        ServerSocketChannel server = listenUnix("server");
        SocketChannel client = openUnixSocketChannel();
        assertNull(client.getLocalAddress(), "unbound and unconnected: no address");
        client.connect(server.getLocalAddress());
        SocketChannel accepted = track(server.accept());

        assertEquals(UNNAMED, client.getLocalAddress());
        assertEquals(address("server"), client.getRemoteAddress());
        assertEquals(address("server"), accepted.getLocalAddress());
        assertEquals(UNNAMED, accepted.getRemoteAddress());
        assertTrue(accepted.isBlocking(), "accepted channels start in blocking mode");
        assertEquals("java.nio.channels.SocketChannel[connected local= remote="
                + dir.resolve("server") + "]", client.toString());
    }

    @Test
    void bindingAClientToNullOrTheEmptyPathLeavesItUnnamedAndBound() throws Exception {
        SocketChannel byNull = openUnixSocketChannel().bind(null);
        assertEquals(UNNAMED, byNull.getLocalAddress());
        assertThrows(AlreadyBoundException.class, () -> byNull.bind(null));
        SocketChannel byEmpty = openUnixSocketChannel().bind(UNNAMED);
        assertEquals(UNNAMED, byEmpty.getLocalAddress());
        assertThrows(AlreadyBoundException.class, () -> byEmpty.bind(address("late")));

        ServerSocketChannel server = listenUnix("server");
        byNull.connect(server.getLocalAddress());
        assertEquals(UNNAMED, track(server.accept()).getRemoteAddress());
    }

    @Test
    void aClientBoundToAPathIsNamedOnBothEnds() throws Exception {
        ServerSocketChannel server = listenUnix("server");
        SocketChannel client = openUnixSocketChannel().bind(address("client"));
        assertEquals(address("client"), client.getLocalAddress());
        client.connect(server.getLocalAddress());
        assertEquals(address("client"), track(server.accept()).getRemoteAddress());
        assertEquals(address("client"), client.getLocalAddress());
    }

    @Test
    void aRelativePathStaysRelative() throws Exception {
        Path relative = Path.of("unix-contract-" + ProcessHandle.current().pid() + "-"
                + System.nanoTime());
        deleteAfter(relative);
        ServerSocketChannel server = openUnixServerSocketChannel()
                .bind(UnixDomainSocketAddress.of(relative));
        assertEquals(UnixDomainSocketAddress.of(relative), server.getLocalAddress());
        assertTrue(Files.exists(relative.toAbsolutePath()));
    }

    /** A path of exactly {@code length} bytes inside {@link #dir} (or /tmp if that is long). */
    private Path pathOfLength(int length) {
        Path base = dir.toString().length() < length - 10 ? dir : Path.of("/tmp");
        String prefix = base + "/u";
        Path p = Path.of(prefix + "x".repeat(length - prefix.length()));
        assertEquals(length, p.toString().length());
        return deleteAfter(p);
    }

    @Test
    void pathsOf106BytesWorkAndLongerOnesFailAsTheJdk() throws Exception {
        Path longest = pathOfLength(106);
        ServerSocketChannel server = openUnixServerSocketChannel()
                .bind(UnixDomainSocketAddress.of(longest));
        SocketChannel client = openUnixSocketChannel();
        client.connect(server.getLocalAddress());
        assertEquals(UnixDomainSocketAddress.of(longest), client.getRemoteAddress());

        UnixDomainSocketAddress tooLong = UnixDomainSocketAddress.of(pathOfLength(107));
        ServerSocketChannel other = openUnixServerSocketChannel();
        SocketException bind = assertThrows(SocketException.class, () -> other.bind(tooLong));
        assertEquals("Unix domain path too long", bind.getMessage());
        assertTrue(other.isOpen(), "a failed bind leaves the channel open");

        SocketChannel connecting = openUnixSocketChannel();
        SocketException connect =
                assertThrows(SocketException.class, () -> connecting.connect(tooLong));
        assertEquals("Unix domain path too long", connect.getMessage());
        assertFalse(connecting.isOpen(), "a failed connect closes the channel");
    }

    @Test
    void connectingToNothingFailsAndClosesTheChannel() throws Exception {
        SocketChannel missing = openUnixSocketChannel();
        SocketException noFile = assertThrows(SocketException.class,
                () -> missing.connect(address("missing")));
        assertEquals(SocketException.class, noFile.getClass(), "not a ConnectException");
        assertFalse(missing.isOpen());

        Path plainFile = Files.createFile(dir.resolve("plain"));
        SocketChannel notASocket = openUnixSocketChannel();
        assertThrows(ConnectException.class,
                () -> notASocket.connect(UnixDomainSocketAddress.of(plainFile)));
        assertFalse(notASocket.isOpen());

        SocketChannel empty = openUnixSocketChannel();
        assertThrows(ConnectException.class, () -> empty.connect(UNNAMED));
    }

    @Test
    void otherAddressTypesAreUnsupportedAndNullIsRefused() throws Exception {
        InetSocketAddress inet = new InetSocketAddress(ContractSupport.LOOPBACK_V4, 80);
        assertThrows(UnsupportedAddressTypeException.class,
                () -> openUnixSocketChannel().connect(inet));
        assertThrows(UnsupportedAddressTypeException.class,
                () -> openUnixSocketChannel().bind(inet));
        assertThrows(UnsupportedAddressTypeException.class,
                () -> openUnixServerSocketChannel().bind(inet));
        assertThrows(NullPointerException.class, () -> openUnixSocketChannel().connect(null));
    }

    @Test
    void theSocketAdaptorsDoNotExist() throws Exception {
        assertThrows(UnsupportedOperationException.class, () -> openUnixSocketChannel().socket());
        assertThrows(UnsupportedOperationException.class,
                () -> openUnixServerSocketChannel().socket());
        assertThrows(UnsupportedOperationException.class, () -> unixPair().accepted().socket());
    }

    @Test
    void supportedOptionsAreTheJdks() throws Exception {
        assertEquals(Set.of(StandardSocketOptions.SO_SNDBUF, StandardSocketOptions.SO_RCVBUF,
                StandardSocketOptions.SO_LINGER, ExtendedSocketOptions.SO_PEERCRED),
                openUnixSocketChannel().supportedOptions());
        assertEquals(Set.of(StandardSocketOptions.SO_RCVBUF),
                openUnixServerSocketChannel().supportedOptions());
        assertEquals(Set.of(StandardSocketOptions.SO_SNDBUF, StandardSocketOptions.SO_RCVBUF,
                StandardSocketOptions.SO_LINGER, ExtendedSocketOptions.SO_PEERCRED),
                unixPair().accepted().supportedOptions());
    }

    @Test
    void bufferSizesAndLingerReadBackAsSet() throws Exception {
        SocketChannel ch = openUnixSocketChannel();
        ch.setOption(StandardSocketOptions.SO_SNDBUF, 65536);
        ch.setOption(StandardSocketOptions.SO_RCVBUF, 32768);
        ch.setOption(StandardSocketOptions.SO_LINGER, 7);
        assertEquals(65536, ch.getOption(StandardSocketOptions.SO_SNDBUF));
        assertEquals(32768, ch.getOption(StandardSocketOptions.SO_RCVBUF));
        assertEquals(7, ch.getOption(StandardSocketOptions.SO_LINGER));
        ch.setOption(StandardSocketOptions.SO_LINGER, -5);
        assertEquals(-1, ch.getOption(StandardSocketOptions.SO_LINGER));
        assertThrows(IllegalArgumentException.class,
                () -> ch.setOption(StandardSocketOptions.SO_SNDBUF, -1));

        ServerSocketChannel server = openUnixServerSocketChannel();
        server.setOption(StandardSocketOptions.SO_RCVBUF, 16384);
        assertEquals(16384, server.getOption(StandardSocketOptions.SO_RCVBUF));
    }

    @Test
    void inetOptionsAreUnsupported() throws Exception {
        for (SocketOption<?> option : Set.of(StandardSocketOptions.TCP_NODELAY,
                StandardSocketOptions.SO_KEEPALIVE, StandardSocketOptions.SO_REUSEADDR,
                StandardSocketOptions.IP_TOS)) {
            assertThrows(UnsupportedOperationException.class,
                    () -> openUnixSocketChannel().getOption(option), option.name());
        }
        assertThrows(UnsupportedOperationException.class,
                () -> openUnixServerSocketChannel().getOption(StandardSocketOptions.SO_REUSEADDR));
        assertThrows(UnsupportedOperationException.class, () -> openUnixServerSocketChannel()
                .setOption(StandardSocketOptions.SO_SNDBUF, 1024));
        assertThrows(NullPointerException.class, () -> openUnixSocketChannel().getOption(null));
    }

    /** Writing back what each option reads works but for the read-only SO_PEERCRED. */
    @Test
    void everyWritableOptionTakesBackWhatItReads() throws Exception {
        Pair pair = unixPair();
        for (NetworkChannel ch : List.of(pair.client(), pair.accepted(), pair.server())) {
            SocketOptionsContract.assertTakesBackWhatItReads(ch, Set.of("SO_PEERCRED"));
        }
    }

    @Test
    void peerCredentialsNameThisProcesssUserAndGroupAndCannotBeSet() throws Exception {
        Pair pair = unixPair();
        PosixFileAttributes mine = Files.readAttributes(
                Files.createFile(dir.resolve("owned")), PosixFileAttributes.class);
        UnixDomainPrincipal expected = new UnixDomainPrincipal(mine.owner(), mine.group());
        assertEquals(expected, pair.client().getOption(ExtendedSocketOptions.SO_PEERCRED));
        assertEquals(expected, pair.accepted().getOption(ExtendedSocketOptions.SO_PEERCRED));

        assertThrows(SocketException.class,
                () -> pair.client().setOption(ExtendedSocketOptions.SO_PEERCRED, expected));
        assertThrows(IllegalArgumentException.class,
                () -> pair.client().setOption(ExtendedSocketOptions.SO_PEERCRED, null));
        assertThrows(SocketException.class, () -> openUnixSocketChannel()
                .getOption(ExtendedSocketOptions.SO_PEERCRED), "no peer before connect");
    }
}
