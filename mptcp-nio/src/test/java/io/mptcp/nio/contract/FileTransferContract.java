package io.mptcp.nio.contract;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.FileChannel;
import java.nio.channels.NotYetConnectedException;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.function.Executable;

/**
 * {@code FileChannel.transferTo} into a socket channel that cannot take data. JDK 17 to 21
 * send into their own socket channels with sendfile(2), so the kernel's error comes back as an
 * {@link IOException}: "Broken pipe" (unconnected INET socket, or output shut down), or
 * "Transport endpoint is not connected" (unconnected UNIX socket). JDK 22 and later check the
 * channel first: {@link NotYetConnectedException}, and {@link AsynchronousCloseException}
 * once the output is shut down. Classes are compared exactly.
 */
abstract class FileTransferContract extends ChannelContract {

    private static final boolean SENDFILE_ERRORS = Runtime.version().feature() <= 21;

    @TempDir
    Path dir;

    private FileChannel file() throws IOException {
        Path path = dir.resolve("data");
        Files.write(path, new byte[100_000]);
        return track(FileChannel.open(path, StandardOpenOption.READ));
    }

    private static void assertThrowsExactly(Class<? extends Throwable> type, String message,
            Executable call) {
        Throwable thrown = assertThrows(Throwable.class, call);
        assertSame(type, thrown.getClass(), thrown.toString());
        assertEquals(message, thrown.getMessage());
    }

    @Test
    void transferToAnUnconnectedSocket() throws Exception {
        FileChannel file = file();
        SocketChannel inet = openSocketChannel();
        SocketChannel unix = track(provider().openSocketChannel(StandardProtocolFamily.UNIX));
        for (boolean blocking : new boolean[] {true, false}) {
            inet.configureBlocking(blocking);
            unix.configureBlocking(blocking);
            if (SENDFILE_ERRORS) {
                assertThrowsExactly(IOException.class, "Broken pipe",
                        () -> file.transferTo(0, 1000, inet));
                assertThrowsExactly(IOException.class, "Transport endpoint is not connected",
                        () -> file.transferTo(0, 1000, unix));
            } else {
                assertThrowsExactly(NotYetConnectedException.class, null,
                        () -> file.transferTo(0, 1000, inet));
                assertThrowsExactly(NotYetConnectedException.class, null,
                        () -> file.transferTo(0, 1000, unix));
            }
        }
    }

    @Test
    void transferToASocketWhoseOutputIsShutDown() throws Exception {
        FileChannel file = file();
        Pair pair = connectedPair();
        pair.client().shutdownOutput();
        if (SENDFILE_ERRORS) {
            assertThrowsExactly(IOException.class, "Broken pipe",
                    () -> file.transferTo(0, 1000, pair.client()));
        } else {
            assertThrowsExactly(AsynchronousCloseException.class, null,
                    () -> file.transferTo(0, 1000, pair.client()));
        }
        assertEquals(1000, file.transferTo(0, 1000, pair.accepted()),
                "the other direction still takes data");
    }
}
