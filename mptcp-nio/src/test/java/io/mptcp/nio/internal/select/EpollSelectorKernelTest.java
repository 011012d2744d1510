package io.mptcp.nio.internal.select;

import io.mptcp.nio.MptcpSelectorProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.Pipe;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;

import static io.mptcp.nio.internal.pipe.PipeKernelTest.assertReleased;
import static io.mptcp.nio.internal.pipe.PipeKernelTest.awaitIn;
import static io.mptcp.nio.internal.pipe.PipeKernelTest.fdPath;
import static io.mptcp.nio.internal.pipe.PipeKernelTest.start;
import static java.nio.channels.SelectionKey.OP_READ;
import static java.nio.channels.SelectionKey.OP_WRITE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The selector on the real kernel, with pipes as channels. */
@Timeout(value = 20, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class EpollSelectorKernelTest {
    private final MptcpSelectorProvider provider = new MptcpSelectorProvider();
    private final Selector selector;
    private final List<Pipe> pipes = new ArrayList<>();

    EpollSelectorKernelTest() throws IOException {
        selector = provider.openSelector();
    }

    @AfterEach
    @Timeout(value = 5, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void closeAll() throws IOException {
        selector.close();
        for (Pipe p : pipes) {
            p.source().close();
            p.sink().close();
        }
    }

    private Pipe pipe() throws IOException {
        Pipe p = provider.openPipe();
        pipes.add(p);
        p.source().configureBlocking(false);
        p.sink().configureBlocking(false);
        return p;
    }

    @Test
    void echoesThroughTheSelector() throws IOException {
        Pipe p = pipe();
        SelectionKey sinkKey = p.sink().register(selector, OP_WRITE);
        SelectionKey sourceKey = p.source().register(selector, OP_READ);
        ByteBuffer out = ByteBuffer.wrap("ping".getBytes());
        ByteBuffer in = ByteBuffer.allocate(16);
        while (in.position() < 4) {
            assertTrue(selector.select(5000) > 0);
            for (SelectionKey key : selector.selectedKeys()) {
                if (key == sinkKey && key.isWritable()) {
                    p.sink().write(out);
                    if (!out.hasRemaining()) {
                        key.interestOps(0);
                    }
                } else if (key == sourceKey && key.isReadable()) {
                    p.source().read(in);
                }
            }
            selector.selectedKeys().clear();
        }
        assertEquals("ping", new String(in.array(), 0, in.position()));
    }

    @Test
    void wakeupFromAnotherThreadReleasesABlockedSelectPromptly() throws Exception {
        FutureTask<Integer> select = new FutureTask<>(selector::select);
        Thread selecting = start(select);
        awaitIn(selecting, "epollWait");
        long start = System.nanoTime();
        selector.wakeup();
        assertEquals(0, select.get());
        long latency = System.nanoTime() - start;
        assertTrue(latency < TimeUnit.MILLISECONDS.toNanos(500), latency + " ns");
    }

    @Test
    void manyWakeupsMakeOneSelectReturnAndNoMore() throws IOException {
        for (int i = 0; i < 1000; i++) {
            selector.wakeup();
        }
        assertEquals(0, selector.select());
        long start = System.nanoTime();
        assertEquals(0, selector.select(30));
        assertTrue(System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(30));
    }

    @Test
    void interruptReleasesABlockedSelectAndStaysSet() throws Exception {
        FutureTask<Boolean> select = new FutureTask<>(() -> {
            selector.select();
            return Thread.currentThread().isInterrupted();
        });
        Thread selecting = start(select);
        awaitIn(selecting, "epollWait");
        selecting.interrupt();
        assertTrue(select.get());
        assertTrue(selector.isOpen());
    }

    @Test
    void timedSelectReturnsZeroOnlyAfterTheTimeout() throws IOException {
        pipe().source().register(selector, OP_READ);
        long start = System.nanoTime();
        assertEquals(0, selector.select(50));
        assertTrue(System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(50));
    }

    @Test
    void thousandPipesWithAFewActive() throws IOException {
        List<SelectionKey> keys = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            keys.add(pipe().source().register(selector, OP_READ, i));
        }
        Set<Integer> active = Set.of(3, 500, 999);
        for (int i : active) {
            pipes.get(i).sink().write(ByteBuffer.wrap(new byte[] {1}));
        }
        assertEquals(3, selector.select(5000));
        Set<Object> selected = new HashSet<>();
        selector.selectedKeys().forEach(k -> selected.add(k.attachment()));
        assertEquals(new HashSet<Object>(active), selected);
        selector.selectedKeys().clear();

        for (SelectionKey key : keys) {
            key.cancel();
        }
        selector.selectNow();
        assertTrue(selector.keys().isEmpty());
    }

    @Test
    void hungUpChannelWithNoInterestDoesNotWakeTheSelector() throws IOException {
        Pipe p = pipe();
        SelectionKey key = p.source().register(selector, OP_READ);
        p.sink().close();
        assertEquals(1, selector.select(5000));
        assertTrue(key.isReadable());
        assertEquals(-1, p.source().read(ByteBuffer.allocate(1)));
        selector.selectedKeys().clear();

        key.interestOps(0);
        long start = System.nanoTime();
        assertEquals(0, selector.select(50));
        assertTrue(System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(50));
    }

    @Test
    void closedRegisteredChannelIsReleasedByTheNextSelection() throws IOException {
        Pipe p = pipe();
        p.source().register(selector, OP_READ);
        selector.selectNow();
        int fd = ((NativeChannel) p.source()).fdVal();
        String target = Files.readSymbolicLink(fdPath(fd)).toString();
        p.source().close();
        assertEquals(target, Files.readSymbolicLink(fdPath(fd)).toString());
        selector.selectNow();
        assertReleased(fd, target);
    }

    @Test
    void closingTheSelectorReleasesItsDescriptorsAndChannelsItHeldClosed() throws IOException {
        Pipe p = pipe();
        p.source().register(selector, OP_READ);
        selector.selectNow();
        p.source().close();
        int fd = ((NativeChannel) p.source()).fdVal();
        String target = Files.readSymbolicLink(fdPath(fd)).toString();
        long before = openFds();
        selector.close();
        assertReleased(fd, target);
        assertEquals(before - 3, openFds());
    }

    private static long openFds() throws IOException {
        try (var list = Files.list(fdPath(0).getParent())) {
            return list.count();
        }
    }
}
