package io.mptcp.nio.internal.stream;

import io.mptcp.nio.MptcpSelectorProvider;
import io.mptcp.nio.MptcpSocketChannel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.NotYetConnectedException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link MptcpSocketChannel#transferFrom(Path, long, long)} (sendfile) on the real kernel. */
@Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class TransferFromFileKernelTest {
    private static final int SIZE = 3 << 20;

    private final MptcpSelectorProvider provider = new MptcpSelectorProvider();
    private final ServerSocketChannel server;
    private final MptcpSocketChannel client;
    private final SocketChannel peer;
    private final byte[] data = new byte[SIZE];

    @TempDir
    Path dir;

    TransferFromFileKernelTest() throws IOException {
        server = provider.openServerSocketChannel()
                .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        client = provider.openSocketChannel();
        client.connect(server.getLocalAddress());
        peer = server.accept();
        new Random(42).nextBytes(data);
    }

    @AfterEach
    void close() throws IOException {
        client.close();
        peer.close();
        server.close();
    }

    private Path file() throws IOException {
        return Files.write(dir.resolve("data.bin"), data);
    }

    /** Reads exactly {@code n} bytes from the peer, on another thread. */
    private CompletableFuture<byte[]> receive(int n) {
        return CompletableFuture.supplyAsync(() -> {
            ByteBuffer b = ByteBuffer.allocate(n);
            try {
                while (b.hasRemaining() && peer.read(b) >= 0) {
                    // keep reading
                }
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
            return Arrays.copyOf(b.array(), b.position());
        });
    }

    @Test
    void blockingModeSendsTheWholeRangeAndStopsAtTheEndOfTheFile() throws Exception {
        Path file = file();
        CompletableFuture<byte[]> got = receive(SIZE - 1000);
        assertEquals(SIZE - 1000, client.transferFrom(file, 1000, Long.MAX_VALUE));
        assertArrayEquals(Arrays.copyOfRange(data, 1000, SIZE), got.get(20, TimeUnit.SECONDS));
        assertEquals(0, client.transferFrom(file, SIZE, 10), "at the end of the file");
        assertEquals(0, client.transferFrom(file, SIZE + 5, 10), "past the end of the file");
    }

    @Test
    void aCountSmallerThanTheFileSendsThatMany() throws Exception {
        CompletableFuture<byte[]> got = receive(10);
        assertEquals(10, client.transferFrom(file(), 5, 10));
        assertArrayEquals(Arrays.copyOfRange(data, 5, 15), got.get(20, TimeUnit.SECONDS));
    }

    @Test
    void nonBlockingModeSendsWhatTheSocketTakesThenZero() throws Exception {
        // Larger than what loopback socket buffers hold.
        Path file = bigFile(16);
        int size = 16 * SIZE;
        client.configureBlocking(false);
        long sent = 0;
        long n;
        while ((n = client.transferFrom(file, sent, size - sent)) > 0) {
            sent += n;
        }
        assertEquals(0, n);
        assertTrue(sent > 0 && sent < size, "sent " + sent + " of " + size + " without a reader");
        CompletableFuture<byte[]> got = receive(size);
        client.configureBlocking(true);
        assertEquals(size - sent, client.transferFrom(file, sent, size - sent));
        byte[] all = got.get(20, TimeUnit.SECONDS);
        for (int i = 0; i < 16; i++) {
            assertArrayEquals(data, Arrays.copyOfRange(all, i * SIZE, (i + 1) * SIZE));
        }
    }

    private Path bigFile(int copies) throws IOException {
        Path big = dir.resolve("big.bin");
        try (var out = Files.newByteChannel(big, java.nio.file.StandardOpenOption.CREATE_NEW,
                java.nio.file.StandardOpenOption.WRITE)) {
            for (int i = 0; i < copies; i++) {
                out.write(ByteBuffer.wrap(data));
            }
        }
        return big;
    }

    @Test
    void closeReleasesABlockedTransfer() throws Exception {
        Path big = bigFile(32);
        CompletableFuture<Object> transfer = CompletableFuture.supplyAsync(() -> {
            try {
                return client.transferFrom(big, 0, Long.MAX_VALUE);
            } catch (IOException e) {
                return e;
            }
        });
        Thread.sleep(300);
        client.close();
        Object outcome = transfer.get(20, TimeUnit.SECONDS);
        // As a blocked write: the bytes sent so far, or AsynchronousCloseException if none.
        assertTrue(outcome instanceof Long n && n > 0 && n < 32L * SIZE
                || outcome instanceof AsynchronousCloseException, String.valueOf(outcome));
    }

    @Test
    void badArgumentsAndStatesThrowWhatTheySay() throws Exception {
        Path file = file();
        assertThrows(IllegalArgumentException.class, () -> client.transferFrom(file, -1, 1));
        assertThrows(IllegalArgumentException.class, () -> client.transferFrom(file, 0, -1));
        assertThrows(NullPointerException.class, () -> client.transferFrom(null, 0, 1));
        assertThrows(NoSuchFileException.class,
                () -> client.transferFrom(dir.resolve("missing"), 0, 1));
        try (MptcpSocketChannel unconnected = provider.openSocketChannel()) {
            assertThrows(NotYetConnectedException.class,
                    () -> unconnected.transferFrom(file, 0, 1));
        }
        client.shutdownOutput();
        assertThrows(ClosedChannelException.class, () -> client.transferFrom(file, 0, 1));
        client.close();
        assertThrows(ClosedChannelException.class, () -> client.transferFrom(file, 0, 1));
    }

    @Test
    void aFileOnAnotherFileSystemGoesThroughFileChannelTransferTo() throws Exception {
        Path zip = dir.resolve("data.zip");
        try (FileSystem fs = FileSystems.newFileSystem(URI.create("jar:" + zip.toUri()),
                Map.of("create", "true"))) {
            Path inZip = Files.write(fs.getPath("/data.bin"), Arrays.copyOf(data, 100_000));
            CompletableFuture<byte[]> got = receive(100_000);
            assertEquals(100_000, client.transferFrom(inZip, 0, 100_000));
            assertArrayEquals(Arrays.copyOf(data, 100_000), got.get(20, TimeUnit.SECONDS));
        }
    }

    @Test
    void anInterruptClosesTheChannelAsForWrite() throws Exception {
        Thread.currentThread().interrupt();
        try {
            IOException e = assertThrows(IOException.class,
                    () -> client.transferFrom(file(), 0, SIZE));
            assertInstanceOf(java.nio.channels.ClosedByInterruptException.class, e);
            assertTrue(!client.isOpen());
        } finally {
            Thread.interrupted();
        }
    }

}
