package io.mptcp.nio.internal.pipe;

import io.mptcp.nio.MptcpSelectorProvider;
import io.mptcp.nio.internal.select.NativeChannel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.Pipe;
import java.nio.channels.Selector;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;

import static java.nio.channels.SelectionKey.OP_READ;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Pipe channels on the real kernel. */
@Timeout(value = 10, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
public class PipeKernelTest {
    private final MptcpSelectorProvider provider = new MptcpSelectorProvider();
    private final Pipe pipe;

    PipeKernelTest() throws IOException {
        pipe = provider.openPipe();
    }

    @AfterEach
    @Timeout(value = 5, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void closePipe() throws IOException {
        pipe.source().close();
        pipe.sink().close();
    }

    @Test
    void bytesWrittenAreReadInOrderThroughHeapAndDirectBuffers() throws IOException {
        byte[] data = "hello, pipe".getBytes();
        assertEquals(data.length, pipe.sink().write(ByteBuffer.wrap(data)));
        ByteBuffer direct = ByteBuffer.allocateDirect(5);
        ByteBuffer heap = ByteBuffer.allocate(64);
        assertEquals(5, pipe.source().read(direct));
        assertEquals(data.length - 5, pipe.source().read(heap));
        byte[] got = new byte[data.length];
        direct.flip().get(got, 0, 5);
        heap.flip().get(got, 5, data.length - 5);
        assertArrayEquals(data, got);
    }

    @Test
    void gatheringWriteAndScatteringReadKeepBufferOrder() throws IOException {
        ByteBuffer[] srcs = {ByteBuffer.wrap(new byte[] {1, 2}), ByteBuffer.allocateDirect(3),
            ByteBuffer.wrap(new byte[] {6})};
        srcs[1].put(new byte[] {3, 4, 5}).flip();
        assertEquals(6, pipe.sink().write(srcs));
        ByteBuffer[] dsts = {ByteBuffer.allocateDirect(4), ByteBuffer.allocate(4)};
        assertEquals(6, pipe.source().read(dsts));
        byte[] got = new byte[6];
        dsts[0].flip().get(got, 0, 4);
        dsts[1].flip().get(got, 4, 2);
        assertArrayEquals(new byte[] {1, 2, 3, 4, 5, 6}, got);
    }

    @Test
    void readReturnsMinusOneOnceTheSinkIsClosed() throws IOException {
        pipe.sink().write(ByteBuffer.wrap(new byte[] {42}));
        pipe.sink().close();
        ByteBuffer dst = ByteBuffer.allocate(4);
        assertEquals(1, pipe.source().read(dst));
        assertEquals(-1, pipe.source().read(dst));
    }

    @Test
    void writeAfterTheSourceIsClosedIsABrokenPipe() throws IOException {
        pipe.source().close();
        IOException e = assertThrows(IOException.class,
                () -> pipe.sink().write(ByteBuffer.wrap(new byte[] {1})));
        assertEquals("Broken pipe", e.getMessage());
    }

    @Test
    void nonBlockingEndsNeverWait() throws IOException {
        pipe.source().configureBlocking(false);
        pipe.sink().configureBlocking(false);
        assertEquals(0, pipe.source().read(ByteBuffer.allocate(8)));
        long written = 0;
        long n;
        while ((n = pipe.sink().write(ByteBuffer.allocate(4096))) > 0) {
            written += n;
        }
        assertEquals(0, n);
        assertTrue(written >= 4096, "pipe capacity " + written);
    }

    @Test
    void blockingWriteLargerThanThePipeWritesEveryByte() throws Exception {
        byte[] data = new byte[1 << 20];
        Arrays.fill(data, (byte) 7);
        CompletableFuture<Integer> write = CompletableFuture.supplyAsync(() -> unchecked(
                () -> pipe.sink().write(ByteBuffer.wrap(data))));
        ByteBuffer dst = ByteBuffer.allocate(data.length);
        while (dst.hasRemaining()) {
            assertTrue(pipe.source().read(dst) > 0);
        }
        assertEquals(data.length, write.get());
        assertArrayEquals(data, dst.array());
    }

    @Test
    void closeReleasesABlockedReader() throws Exception {
        ByteBuffer dst = ByteBuffer.allocate(8);
        FutureTask<Integer> read = new FutureTask<>(() -> pipe.source().read(dst));
        Thread reader = start(read);
        awaitIn(reader, "poll");
        pipe.source().close();
        ExecutionException e = assertThrows(ExecutionException.class, read::get);
        assertInstanceOf(AsynchronousCloseException.class, e.getCause());
        reader.join();
        assertThrows(ClosedChannelException.class, () -> pipe.source().read(dst));
    }

    @Test
    void closeReleasesABlockedWriter() throws Exception {
        pipe.sink().configureBlocking(false);
        while (pipe.sink().write(ByteBuffer.allocate(4096)) > 0) {
            // Fill the pipe.
        }
        pipe.sink().configureBlocking(true);
        ByteBuffer src = ByteBuffer.allocate(1);
        FutureTask<Integer> write = new FutureTask<>(() -> pipe.sink().write(src));
        Thread writer = start(write);
        awaitIn(writer, "poll");
        pipe.sink().close();
        ExecutionException e = assertThrows(ExecutionException.class, write::get);
        assertInstanceOf(AsynchronousCloseException.class, e.getCause());
    }

    @Test
    void interruptClosesUnderABlockedReaderAndStaysSet() throws Exception {
        int fd = ((NativeChannel) pipe.source()).fdVal();
        String target = Files.readSymbolicLink(fdPath(fd)).toString();
        CompletableFuture<Boolean> interrupted = new CompletableFuture<>();
        FutureTask<Integer> read = new FutureTask<>(() -> {
            try {
                return pipe.source().read(ByteBuffer.allocate(8));
            } finally {
                interrupted.complete(Thread.currentThread().isInterrupted());
            }
        });
        Thread reader = start(read);
        awaitIn(reader, "poll");
        reader.interrupt();
        ExecutionException e = assertThrows(ExecutionException.class, read::get);
        assertInstanceOf(ClosedByInterruptException.class, e.getCause());
        assertTrue(interrupted.get());
        assertFalse(pipe.source().isOpen());
        reader.join();
        assertReleased(fd, target);
    }

    @Test
    void closedEndStaysOpenInTheKernelUntilTheSelectorLetsGo() throws IOException {
        int fd = ((NativeChannel) pipe.source()).fdVal();
        String target = Files.readSymbolicLink(fdPath(fd)).toString();
        try (Selector selector = provider.openSelector()) {
            pipe.source().configureBlocking(false);
            pipe.source().register(selector, OP_READ);
            selector.selectNow();
            pipe.source().close();
            assertEquals(target, Files.readSymbolicLink(fdPath(fd)).toString());

            selector.selectNow();
            assertReleased(fd, target);
        }
    }

    @Test
    void unregisteredEndIsReleasedByClose() throws IOException {
        int fd = ((NativeChannel) pipe.sink()).fdVal();
        String target = Files.readSymbolicLink(fdPath(fd)).toString();
        pipe.sink().close();
        assertReleased(fd, target);
    }

    public static Path fdPath(int fd) {
        return Path.of("/proc/self/fd/" + fd);
    }

    /** The descriptor is closed: gone, or already reused for something else. */
    public static void assertReleased(int fd, String target) throws IOException {
        if (Files.exists(fdPath(fd), LinkOption.NOFOLLOW_LINKS)) {
            assertNotEquals(target, Files.readSymbolicLink(fdPath(fd)).toString());
        }
    }

    public static Thread start(Runnable task) {
        Thread t = new Thread(task);
        t.start();
        return t;
    }

    /** Waits until {@code t} is inside a method named {@code method} (a blocking syscall). */
    public static void awaitIn(Thread t, String method) throws InterruptedException {
        while (Arrays.stream(t.getStackTrace()).noneMatch(f -> f.getMethodName().equals(method))) {
            assertTrue(t.isAlive(), t + " ended before blocking in " + method);
            TimeUnit.MILLISECONDS.sleep(1);
        }
    }

    private static <T> T unchecked(Callable<T> call) {
        try {
            return call.call();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
