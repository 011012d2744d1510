package io.mptcp.nio.internal.select;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static io.mptcp.ffi.LinuxUapi.EPOLLIN;
import static io.mptcp.ffi.LinuxUapi.EPOLLOUT;
import static io.mptcp.nio.internal.select.EpollSelectorFixture.EVENTFD;
import static java.nio.channels.SelectionKey.OP_READ;
import static java.nio.channels.SelectionKey.OP_WRITE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.ArgumentMatchers.anyInt;
import static org.mockito.ArgumentMatchers.anyLong;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;

/** Selection over a model of the kernel: wakeup, interrupt, timeouts, ready sets, actions. */
@Timeout(value = 10, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class EpollSelectorSelectTest {
    private final EpollSelectorFixture kernel;
    private final EpollSelector selector;

    EpollSelectorSelectTest() throws IOException {
        kernel = new EpollSelectorFixture();
        selector = kernel.openSelector();
    }

    // ---- wakeup and interrupt ---------------------------------------------------------

    @Test
    void wakeupsCoalesceIntoOneEventfdWrite() throws IOException {
        for (int i = 0; i < 5; i++) {
            assertSame(selector, selector.wakeup());
        }
        verify(kernel.sys, times(1)).eventfdWrite(EVENTFD, 1);
        assertEquals(0, selector.select());
        verify(kernel.sys).eventfdRead(EVENTFD);
        assertEquals(0, kernel.eventfdCounter(EVENTFD));

        selector.wakeup();
        verify(kernel.sys, times(2)).eventfdWrite(EVENTFD, 1);
    }

    @Test
    void wakeupBeforeSelectMakesOnlyTheNextSelectReturnAtOnce() throws IOException {
        selector.wakeup();
        assertEquals(0, selector.select());
        long start = System.nanoTime();
        assertEquals(0, selector.select(50));
        assertTrue(System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(50));
    }

    @Test
    void selectNowConsumesAPendingWakeup() throws IOException {
        selector.wakeup();
        assertEquals(0, selector.selectNow());
        verify(kernel.sys).eventfdRead(EVENTFD);
    }

    @Test
    void wakeupFromAnotherThreadReleasesABlockedSelect() throws Exception {
        CompletableFuture<Integer> select = kernel.selectAsync(selector, 0);
        kernel.awaitWaiting(select);
        selector.wakeup();
        assertEquals(0, select.get());
        assertEquals(List.of(-1), kernel.waitTimeouts());
    }

    @Test
    void wakeupAfterCloseDoesNothing() throws IOException {
        selector.close();
        selector.wakeup();
        verify(kernel.sys, times(1)).eventfdWrite(anyInt(), anyLong());
    }

    @Test
    void interruptReleasesABlockedSelectAndStaysSet() throws Exception {
        CompletableFuture<Boolean> interrupted = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            kernel.select(selector, 0);
            interrupted.complete(Thread.currentThread().isInterrupted());
        });
        t.start();
        kernel.awaitWaiting(interrupted);
        t.interrupt();
        assertTrue(interrupted.get());
    }

    @Test
    void interruptedThreadSelectsWithoutBlocking() throws IOException {
        Thread.currentThread().interrupt();
        try {
            assertEquals(0, selector.select());
            assertTrue(Thread.currentThread().isInterrupted());
        } finally {
            Thread.interrupted();
        }
    }

    // ---- timeouts and premature returns -------------------------------------------------

    @Test
    void untimedSelectDoesNotReturnZeroWhenAWaitIsCutShort() throws Exception {
        kernel.channel(7).register(selector, OP_READ);
        kernel.returnZeroOnce();
        CompletableFuture<Integer> select = kernel.selectAsync(selector, 0);
        kernel.awaitWaiting(select);
        kernel.setReady(7, EPOLLIN);
        assertEquals(1, select.get());
        assertEquals(List.of(-1, -1), kernel.waitTimeouts());
    }

    @Test
    void timedSelectWaitsTheRestWhenAWaitIsCutShort() throws IOException {
        kernel.returnZeroOnce();
        long start = System.nanoTime();
        assertEquals(0, selector.select(100));
        assertTrue(System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(100));
        List<Integer> waits = kernel.waitTimeouts();
        assertEquals(100, waits.get(0));
        assertTrue(waits.get(1) > 0 && waits.get(1) <= 100, waits.toString());
    }

    @Test
    void timeoutsFollowTheSelectorContract() throws IOException {
        assertThrows(IllegalArgumentException.class, () -> selector.select(-1));
        assertThrows(IllegalArgumentException.class, () -> selector.select(k -> { }, -1));
        assertThrows(NullPointerException.class, () -> selector.select(null, 10));
        assertThrows(NullPointerException.class, () -> selector.selectNow(null));

        kernel.channel(7).register(selector, OP_READ);
        kernel.setReady(7, EPOLLIN);
        selector.selectNow();
        selector.select(Long.MAX_VALUE);
        selector.select(0);
        assertEquals(List.of(0, Integer.MAX_VALUE, -1), kernel.waitTimeouts());
    }

    // ---- ready sets ---------------------------------------------------------------------

    @Test
    void readyKeyIsAddedWithItsReadySetAndCounted() throws IOException {
        SelectionKey a = kernel.channel(7).register(selector, OP_READ);
        SelectionKey b = kernel.channel(8).register(selector, OP_READ | OP_WRITE);
        kernel.channel(9).register(selector, OP_READ);
        kernel.setReady(7, EPOLLIN);
        kernel.setReady(8, EPOLLIN | EPOLLOUT);
        assertEquals(2, selector.selectNow());
        assertEquals(Set.of(a, b), selector.selectedKeys());
        assertEquals(OP_READ, a.readyOps());
        assertEquals(OP_READ | OP_WRITE, b.readyOps());
    }

    @Test
    void selectedKeyKeepsItsReadinessAndCountsOnlyNewReadiness() throws IOException {
        SelectionKey key = kernel.channel(7).register(selector, OP_READ | OP_WRITE);
        kernel.setReady(7, EPOLLIN);
        assertEquals(1, selector.selectNow());

        kernel.setReady(7, EPOLLOUT);
        assertEquals(1, selector.selectNow());
        assertEquals(OP_READ | OP_WRITE, key.readyOps());

        kernel.setReady(7, EPOLLIN);
        assertEquals(0, selector.selectNow());
        assertEquals(OP_READ | OP_WRITE, key.readyOps());
    }

    @Test
    void keyNotSelectedGetsAFreshReadySet() throws IOException {
        SelectionKey key = kernel.channel(7).register(selector, OP_READ | OP_WRITE);
        kernel.setReady(7, EPOLLIN | EPOLLOUT);
        selector.selectNow();
        selector.selectedKeys().remove(key);

        kernel.setReady(7, EPOLLOUT);
        assertEquals(1, selector.selectNow());
        assertEquals(OP_WRITE, key.readyOps());
    }

    @Test
    void readinessOutsideTheCurrentInterestIsNotSelected() throws Exception {
        SelectionKey key = kernel.channel(7).register(selector, OP_READ);
        selector.selectNow();
        CompletableFuture<Integer> select = kernel.selectAsync(selector, 0);
        kernel.awaitWaiting(select);
        // Epoll still watches EPOLLIN: the change applies at the next selection.
        key.interestOps(OP_WRITE);
        kernel.setReady(7, EPOLLIN);
        assertEquals(0, select.get());
        assertTrue(selector.selectedKeys().isEmpty());
        assertEquals(0, key.readyOps());
    }

    // ---- actions --------------------------------------------------------------------------

    @Test
    void actionSeesAFreshReadySetAndLeavesSelectedKeysAlone() throws IOException {
        SelectionKey key = kernel.channel(7).register(selector, OP_READ | OP_WRITE);
        kernel.setReady(7, EPOLLIN);
        selector.selectNow();
        assertEquals(Set.of(key), selector.selectedKeys());

        kernel.setReady(7, EPOLLOUT);
        List<Integer> seen = new ArrayList<>();
        assertEquals(1, selector.selectNow(k -> seen.add(k.readyOps())));
        assertEquals(List.of(OP_WRITE), seen);
        assertEquals(Set.of(key), selector.selectedKeys());
    }

    @Test
    void actionRunsOncePerReadyKeyAndTheCountSaysHowMany() throws Exception {
        for (int fd = 7; fd < 10; fd++) {
            kernel.channel(fd).register(selector, OP_READ);
            kernel.setReady(fd, EPOLLIN);
        }
        kernel.channel(10).register(selector, OP_READ);
        List<SelectionKey> seen = new ArrayList<>();
        assertEquals(3, selector.select(seen::add));
        assertEquals(3, seen.size());
        assertEquals(3, selector.select(seen::add, 1000));
        assertTrue(selector.selectedKeys().isEmpty());
    }

    @Test
    void timedActionSelectTimesOutWithoutRunningIt() throws IOException {
        kernel.channel(7).register(selector, OP_READ);
        assertEquals(0, selector.select(k -> {
            throw new AssertionError("no key is ready");
        }, 20));
    }

    @Test
    void selectFromAnActionIsRefused() throws IOException {
        kernel.channel(7).register(selector, OP_READ);
        kernel.setReady(7, EPOLLIN);
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> selector.selectNow(k -> selectNow()));
        assertEquals("select in progress", e.getMessage());
        assertEquals(1, selector.selectNow(k -> { }));
    }

    @Test
    void actionThatClosesTheSelectorEndsTheSelection() throws IOException {
        for (int fd = 7; fd < 9; fd++) {
            kernel.channel(fd).register(selector, OP_READ);
            kernel.setReady(fd, EPOLLIN);
        }
        List<SelectionKey> seen = new ArrayList<>();
        assertThrows(ClosedSelectorException.class, () -> selector.selectNow(k -> {
            seen.add(k);
            close();
        }));
        assertEquals(1, seen.size());
        verify(kernel.sys, never()).eventfdRead(anyInt());
    }

    @Test
    void keyCancelledByAnEarlierActionIsSkipped() throws IOException {
        List<SelectionKey> keys = new ArrayList<>();
        for (int fd = 7; fd < 9; fd++) {
            keys.add(kernel.channel(fd).register(selector, OP_READ));
            kernel.setReady(fd, EPOLLIN);
        }
        List<SelectionKey> seen = new ArrayList<>();
        assertEquals(1, selector.selectNow(k -> {
            seen.add(k);
            keys.forEach(SelectionKey::cancel);
        }));
        assertEquals(1, seen.size());
        assertFalse(seen.get(0).isValid());
    }


    private void selectNow() {
        try {
            selector.selectNow();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void close() {
        try {
            selector.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
