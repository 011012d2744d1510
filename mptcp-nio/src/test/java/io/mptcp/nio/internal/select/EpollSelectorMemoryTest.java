package io.mptcp.nio.internal.select;

import io.mptcp.ffi.EpollEventBuffer;
import io.mptcp.ffi.Errno;
import io.mptcp.ffi.ErrnoException;
import io.mptcp.ffi.NativeBuffer;
import io.mptcp.nio.MptcpSelectorProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.Pipe;
import java.nio.channels.SelectionKey;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static io.mptcp.ffi.LinuxUapi.EPOLLIN;
import static io.mptcp.ffi.LinuxUapi.EPOLL_CTL_ADD;
import static io.mptcp.nio.internal.select.EpollSelectorFixture.EPFD;
import static java.nio.channels.SelectionKey.OP_READ;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.ArgumentMatchers.anyInt;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.doThrow;

/**
 * The selector's native memory: its epoll event buffer is freed at close, as the JDK frees its
 * epoll array, and never while an epoll_wait may still write into it.
 */
@Timeout(value = 20, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class EpollSelectorMemoryTest {

    @Test
    void closeFreesTheEventBuffer() throws IOException {
        EpollSelectorFixture kernel = new EpollSelectorFixture();
        EpollSelector selector = kernel.openSelector();
        EpollEventBuffer events = selector.eventBuffer();
        assertFalse(events.isClosed());
        selector.close();
        assertTrue(events.isClosed());
        selector.close();
        assertTrue(events.isClosed());
    }

    @Test
    void closeWaitsForABlockedSelectBeforeFreeingItsBuffer() throws Exception {
        EpollSelectorFixture kernel = new EpollSelectorFixture();
        EpollSelector selector = kernel.openSelector();
        EpollEventBuffer events = selector.eventBuffer();
        CompletableFuture<Integer> select = kernel.selectAsync(selector, 0);
        kernel.awaitWaiting(select);

        selector.close();
        assertEquals(0, select.get(5, TimeUnit.SECONDS));
        assertTrue(events.isClosed());
        assertEquals(0, kernel.waitsIntoClosedBuffers());
    }

    @Test
    void aGrownBufferFreesTheOneItReplaces() throws IOException {
        EpollSelectorFixture kernel = new EpollSelectorFixture();
        EpollSelector selector = kernel.openSelector();
        for (int fd = 1000; fd < 1300; fd++) {
            kernel.channel(fd).register(selector, OP_READ);
            kernel.setReady(fd, EPOLLIN);
        }
        EpollEventBuffer first = selector.eventBuffer();
        assertEquals(256, selector.selectNow());
        EpollEventBuffer grown = selector.eventBuffer();
        assertNotSame(first, grown);
        assertTrue(first.isClosed(), "the replaced buffer is freed at once");
        assertEquals(512, grown.capacity());
        assertFalse(grown.isClosed());
        selector.close();
        assertTrue(grown.isClosed());
    }

    @Test
    void anActionThatClosesTheSelectorEndsTheSelectionBeforeTheFreedBufferIsRead()
            throws IOException {
        EpollSelectorFixture kernel = new EpollSelectorFixture();
        EpollSelector selector = kernel.openSelector();
        for (int fd = 7; fd < 10; fd++) {
            kernel.channel(fd).register(selector, OP_READ);
            kernel.setReady(fd, EPOLLIN);
        }
        int[] actions = new int[1];
        // Reading the next event from the freed buffer would throw IllegalStateException.
        assertThrows(ClosedSelectorException.class, () -> selector.selectNow(k -> {
            actions[0]++;
            try {
                selector.close();
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        }));
        assertEquals(1, actions[0]);
        assertTrue(selector.eventBuffer().isClosed());
    }

    @Test
    void aFailedOpenAllocatesNothing() throws IOException {
        EpollSelectorFixture kernel = new EpollSelectorFixture();
        doThrow(new ErrnoException("epoll_ctl", Errno.ENOMEM))
                .when(kernel.sys).epollCtl(eq(EPFD), eq(EPOLL_CTL_ADD), anyInt(), anyInt());
        long count = NativeBuffer.liveCount();
        for (int i = 0; i < 100; i++) {
            assertThrows(IOException.class, kernel::openSelector);
        }
        assertTrue(NativeBuffer.liveCount() <= count);
    }

    @Test
    void selectorsOpenedAndClosedHoldNoNativeMemory() throws IOException {
        MptcpSelectorProvider provider = new MptcpSelectorProvider();
        provider.openSelector().close();
        long count = NativeBuffer.liveCount();
        long bytes = NativeBuffer.liveBytes();
        EpollSelector open = (EpollSelector) provider.openSelector();
        assertEquals(bytes + open.eventBuffer().byteSize(), NativeBuffer.liveBytes());
        open.close();
        for (int i = 0; i < 10_000; i++) {
            provider.openSelector().close();
        }
        assertTrue(NativeBuffer.liveCount() <= count, "buffers left: "
                + (NativeBuffer.liveCount() - count));
        assertTrue(NativeBuffer.liveBytes() <= bytes, "bytes left: "
                + (NativeBuffer.liveBytes() - bytes));
    }

    /**
     * On the kernel: a select blocked in epoll_wait while another thread closes the selector,
     * many times; the wait ends before the memory is freed, or the JVM would crash or the
     * buffer refuse the read.
     */
    @Test
    void closingWhileSelectingOnTheKernelIsSafe() throws Exception {
        MptcpSelectorProvider provider = new MptcpSelectorProvider();
        Pipe pipe = provider.openPipe();
        try {
            pipe.source().configureBlocking(false);
            for (int i = 0; i < 200; i++) {
                EpollSelector selector = (EpollSelector) provider.openSelector();
                SelectionKey key = pipe.source().register(selector, OP_READ);
                EpollEventBuffer events = selector.eventBuffer();
                // -1: the select came after the close (either order is allowed).
                CompletableFuture<Integer> select = CompletableFuture.supplyAsync(() -> {
                    try {
                        return selector.select();
                    } catch (ClosedSelectorException e) {
                        return -1;
                    } catch (IOException e) {
                        throw new IllegalStateException(e);
                    }
                });
                if (i % 2 == 0) {
                    Thread.sleep(1);
                }
                selector.close();
                int selected = select.get(5, TimeUnit.SECONDS);
                assertTrue(selected == 0 || selected == -1, "select returned " + selected);
                assertTrue(events.isClosed());
                assertFalse(key.isValid());
                // A key cancelled by the close still has its channel deregistered.
                pipe.sink().write(ByteBuffer.wrap(new byte[1]));
                pipe.source().read(ByteBuffer.allocate(1));
            }
        } finally {
            pipe.source().close();
            pipe.sink().close();
        }
    }
}
