package io.mptcp.nio.contract;

import static org.junit.jupiter.api.Assertions.assertSame;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * Root of the UNIX-domain suites: channels opened with {@code StandardProtocolFamily.UNIX}
 * through the provider under test, socket files in a fresh directory per test, and socket files
 * a test created elsewhere (automatic names in the temporary directory) deleted after it. The
 * {@code off} mode of our provider changes nothing for UNIX sockets, so these suites have a
 * JDK and an Mptcp subclass only.
 */
abstract class UnixDomainChannelContract extends ChannelContract {

    /** A directory of the test's own, for socket files; short enough for sun_path. */
    @TempDir
    Path dir;

    private final List<Path> filesToDelete = new ArrayList<>();

    @AfterEach
    final void deleteSocketFiles() throws IOException {
        for (Path p : filesToDelete) {
            Files.deleteIfExists(p);
        }
    }

    /** Deletes {@code path} after the test (a socket file outside {@link #dir}). */
    protected final Path deleteAfter(Path path) {
        filesToDelete.add(path);
        return path;
    }

    protected final UnixDomainSocketAddress address(String name) {
        return UnixDomainSocketAddress.of(dir.resolve(name));
    }

    protected final SocketChannel openUnixSocketChannel() throws IOException {
        SocketChannel ch = track(provider().openSocketChannel(StandardProtocolFamily.UNIX));
        assertSame(provider(), ch.provider(), "channel's provider()");
        return ch;
    }

    protected final ServerSocketChannel openUnixServerSocketChannel() throws IOException {
        ServerSocketChannel ch =
                track(provider().openServerSocketChannel(StandardProtocolFamily.UNIX));
        assertSame(provider(), ch.provider(), "channel's provider()");
        return ch;
    }

    /** A blocking UNIX-domain listener on {@code name} in {@link #dir}. */
    protected final ServerSocketChannel listenUnix(String name) throws IOException {
        ServerSocketChannel server = openUnixServerSocketChannel();
        server.bind(address(name));
        return server;
    }

    /** A blocking UNIX-domain connection. */
    protected final Pair unixPair() throws IOException {
        ServerSocketChannel server = listenUnix("server");
        SocketChannel client = openUnixSocketChannel();
        client.connect(server.getLocalAddress());
        SocketChannel accepted = track(server.accept());
        return new Pair(server, client, accepted);
    }
}
