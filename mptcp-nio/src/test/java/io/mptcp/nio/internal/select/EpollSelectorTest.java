package io.mptcp.nio.internal.select;

import io.mptcp.ffi.Errno;
import io.mptcp.ffi.ErrnoException;
import io.mptcp.nio.internal.select.EpollSelectorFixture.TestChannel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.mockito.InOrder;

import java.io.IOException;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.IllegalSelectorException;
import java.nio.channels.Pipe;
import java.nio.channels.SelectionKey;
import java.nio.channels.spi.SelectorProvider;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static io.mptcp.ffi.LinuxUapi.EFD_CLOEXEC;
import static io.mptcp.ffi.LinuxUapi.EFD_NONBLOCK;
import static io.mptcp.ffi.LinuxUapi.EPOLLHUP;
import static io.mptcp.ffi.LinuxUapi.EPOLLIN;
import static io.mptcp.ffi.LinuxUapi.EPOLLOUT;
import static io.mptcp.ffi.LinuxUapi.EPOLL_CTL_ADD;
import static io.mptcp.ffi.LinuxUapi.EPOLL_CTL_DEL;
import static io.mptcp.ffi.LinuxUapi.EPOLL_CTL_MOD;
import static io.mptcp.nio.internal.select.EpollSelectorFixture.EPFD;
import static io.mptcp.nio.internal.select.EpollSelectorFixture.EVENTFD;
import static java.nio.channels.SelectionKey.OP_READ;
import static java.nio.channels.SelectionKey.OP_WRITE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.ArgumentMatchers.anyInt;
import static org.mockito.ArgumentMatchers.anyLong;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.doAnswer;
import static org.mockito.Mockito.doThrow;
import static org.mockito.Mockito.inOrder;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;

/** The selector over a model of the kernel: epoll bookkeeping, keys, close, errors. */
@Timeout(value = 10, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class EpollSelectorTest {
    private final EpollSelectorFixture kernel;
    private final EpollSelector selector;

    EpollSelectorTest() throws IOException {
        kernel = new EpollSelectorFixture();
        selector = kernel.openSelector();
    }

    @Test
    void opensEpollWithTheWakeupEventfdRegistered() throws IOException {
        verify(kernel.sys).epollCreate();
        verify(kernel.sys).eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
        verify(kernel.sys).epollCtl(EPFD, EPOLL_CTL_ADD, EVENTFD, EPOLLIN);
        assertEquals(EPOLLIN, kernel.registered(EVENTFD));
    }

    @Test
    void failedOpenClosesWhatItOpenedAndSaysWhy() throws IOException {
        EpollSelectorFixture k = new EpollSelectorFixture();
        doThrow(new ErrnoException("epoll_ctl", Errno.ENOMEM))
                .when(k.sys).epollCtl(eq(EPFD), eq(EPOLL_CTL_ADD), anyInt(), anyInt());
        IOException e = assertThrows(IOException.class, k::openSelector);
        assertEquals("Cannot allocate memory", e.getMessage());
        assertInstanceOf(ErrnoException.class, e.getCause());
        verify(k.sys).close(EVENTFD);
        verify(k.sys).close(EPFD);
    }

    @Test
    void registrationJoinsKeysAtOnceAndEpollAtTheNextSelection() throws IOException {
        TestChannel ch = kernel.channel(7);
        Object attachment = new Object();
        SelectionKey key = ch.register(selector, OP_READ, attachment);

        assertTrue(selector.keys().contains(key));
        assertSame(attachment, key.attachment());
        assertSame(selector, key.selector());
        assertNull(kernel.registered(7));

        assertEquals(0, selector.selectNow());
        assertEquals(EPOLLIN, kernel.registered(7));
    }

    @Test
    void keyWithNoInterestIsNeverInEpoll() throws IOException {
        kernel.channel(7).register(selector, 0);
        kernel.setReady(7, EPOLLHUP);
        selector.selectNow();
        verify(kernel.sys, never()).epollCtl(anyInt(), anyInt(), eq(7), anyInt());
    }

    @Test
    void emptyInterestLeavesEpollAndComesBackWithAdd() throws IOException {
        SelectionKey key = kernel.channel(7).register(selector, OP_READ);
        selector.selectNow();
        key.interestOps(OP_READ | OP_WRITE);
        selector.selectNow();
        key.interestOps(0);
        selector.selectNow();
        assertNull(kernel.registered(7));
        key.interestOps(OP_WRITE);
        selector.selectNow();

        InOrder order = inOrder(kernel.sys);
        order.verify(kernel.sys).epollCtl(EPFD, EPOLL_CTL_ADD, 7, EPOLLIN);
        order.verify(kernel.sys).epollCtl(EPFD, EPOLL_CTL_MOD, 7, EPOLLIN | EPOLLOUT);
        order.verify(kernel.sys).epollCtl(EPFD, EPOLL_CTL_DEL, 7, 0);
        order.verify(kernel.sys).epollCtl(EPFD, EPOLL_CTL_ADD, 7, EPOLLOUT);
    }

    @Test
    void mutedChannelThatHungUpDoesNotWakeTheSelector() throws IOException {
        SelectionKey key = kernel.channel(7).register(selector, OP_READ);
        kernel.setReady(7, EPOLLIN | EPOLLHUP);
        assertEquals(1, selector.selectNow());
        selector.selectedKeys().clear();

        key.interestOps(0);
        long start = System.nanoTime();
        assertEquals(0, selector.select(50));
        assertTrue(System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(50));
        assertTrue(selector.selectedKeys().isEmpty());
    }

    @Test
    void updatesApplyInOrderWithTheLatestInterest() throws IOException {
        SelectionKey a = kernel.channel(7).register(selector, 0);
        SelectionKey b = kernel.channel(8).register(selector, 0);
        a.interestOps(OP_READ);
        b.interestOps(OP_WRITE);
        a.interestOps(OP_WRITE);
        verify(kernel.sys, never()).epollCtl(anyInt(), anyInt(), eq(7), anyInt());

        selector.selectNow();
        InOrder order = inOrder(kernel.sys);
        order.verify(kernel.sys).epollCtl(EPFD, EPOLL_CTL_ADD, 7, EPOLLOUT);
        order.verify(kernel.sys).epollCtl(EPFD, EPOLL_CTL_ADD, 8, EPOLLOUT);
        verify(kernel.sys, times(1)).epollCtl(eq(EPFD), anyInt(), eq(7), anyInt());
    }

    @Test
    void unchangedInterestQueuesNothing() throws IOException {
        SelectionKey key = kernel.channel(7).register(selector, OP_READ);
        selector.selectNow();
        key.interestOps(OP_READ);
        key.interestOpsOr(OP_READ);
        key.interestOpsAnd(OP_READ | OP_WRITE);
        selector.selectNow();
        verify(kernel.sys, times(1)).epollCtl(eq(EPFD), anyInt(), eq(7), anyInt());
    }

    @Test
    void interestChangesDoNotWakeTheSelector() throws Exception {
        SelectionKey key = kernel.channel(7).register(selector, 0);
        CompletableFuture<Integer> select = kernel.selectAsync(selector, 200);
        kernel.awaitWaiting(select);
        key.interestOps(OP_READ);
        kernel.setReady(7, EPOLLIN);
        // The blocked wait does not watch fd 7 yet: it times out, and only then is it added.
        assertEquals(0, select.get());
        verify(kernel.sys, never()).eventfdWrite(anyInt(), anyLong());
        assertEquals(1, selector.selectNow());
    }

    @Test
    void cancelledKeyIsFlushedByTheNextSelection() throws IOException {
        TestChannel ch = kernel.channel(7);
        SelectionKey key = ch.register(selector, OP_READ);
        selector.selectNow();
        key.cancel();
        assertTrue(selector.keys().contains(key));
        assertTrue(ch.isRegistered());

        selector.selectNow();
        verify(kernel.sys).epollCtl(EPFD, EPOLL_CTL_DEL, 7, 0);
        assertFalse(selector.keys().contains(key));
        assertFalse(ch.isRegistered());
        assertEquals(0, ch.releases());
    }

    @Test
    void cancelledKeyNeverInEpollNeedsNoDel() throws IOException {
        TestChannel ch = kernel.channel(7);
        ch.register(selector, OP_READ).cancel();
        selector.selectNow();
        verify(kernel.sys, never()).epollCtl(anyInt(), anyInt(), eq(7), anyInt());
        assertFalse(ch.isRegistered());
    }

    @Test
    void closeOfRegisteredChannelCompletesAtTheNextSelection() throws IOException {
        TestChannel ch = kernel.channel(7);
        SelectionKey key = ch.register(selector, OP_READ);
        selector.selectNow();
        ch.close();
        assertFalse(key.isValid());
        assertEquals(0, ch.releases());

        selector.selectNow();
        assertEquals(1, ch.releases());
        assertNull(kernel.registered(7));
    }

    @Test
    void channelInTwoSelectorsIsReleasedByTheLastToFlush() throws IOException {
        EpollSelector other = kernel.openSelector();
        TestChannel ch = kernel.channel(7);
        ch.register(selector, OP_READ);
        ch.register(other, OP_READ);
        ch.close();
        selector.selectNow();
        assertEquals(0, ch.releases());
        other.selectNow();
        assertEquals(1, ch.releases());
    }

    @Test
    void failedReleaseStillFlushesEveryCancelledKey() throws IOException {
        TestChannel failing = kernel.channel(7);
        TestChannel other = kernel.channel(8);
        failing.register(selector, OP_READ);
        other.register(selector, OP_READ);
        selector.selectNow();
        failing.failReleaseWith(new IOException("EIO"));
        failing.close();
        other.close();

        IOException e = assertThrows(IOException.class, selector::selectNow);
        assertEquals("EIO", e.getMessage());
        assertEquals(1, failing.releases());
        assertEquals(1, other.releases());
        assertTrue(selector.keys().isEmpty());
        assertEquals(0, selector.selectNow());
    }

    @Test
    void reRegistrationBeforeTheFlushIsRefusedAndWorksAfter() throws IOException {
        TestChannel ch = kernel.channel(7);
        SelectionKey first = ch.register(selector, OP_READ);
        selector.selectNow();
        first.cancel();
        assertThrows(CancelledKeyException.class, () -> ch.register(selector, OP_READ));

        selector.selectNow();
        SelectionKey second = ch.register(selector, OP_WRITE);
        assertNotSame(first, second);
        selector.selectNow();
        verify(kernel.sys).epollCtl(EPFD, EPOLL_CTL_ADD, 7, EPOLLOUT);
    }

    @Test
    void keyCancelledDuringTheWaitIsNotSelected() throws Exception {
        SelectionKey key = kernel.channel(7).register(selector, OP_READ);
        selector.selectNow();
        CompletableFuture<Integer> select = kernel.selectAsync(selector, 0);
        kernel.awaitWaiting(select);
        key.cancel();
        kernel.setReady(7, EPOLLIN);
        assertEquals(0, select.get());
        assertTrue(selector.selectedKeys().isEmpty());
        assertFalse(selector.keys().contains(key));
    }

    @Test
    void foreignChannelsAreRefused() throws IOException {
        Pipe jdkPipe = SelectorProvider.provider().openPipe();
        try {
            jdkPipe.source().configureBlocking(false);
            assertThrows(IllegalSelectorException.class,
                    () -> jdkPipe.source().register(selector, OP_READ));
            assertTrue(selector.keys().isEmpty());
        } finally {
            jdkPipe.source().close();
            jdkPipe.sink().close();
        }
    }

    @Test
    void epollFailureSurfacesAsIOExceptionWithTheErrno() throws IOException {
        doThrow(new ErrnoException("epoll_ctl", Errno.ENOSPC))
                .when(kernel.sys).epollCtl(EPFD, EPOLL_CTL_ADD, 7, EPOLLIN);
        kernel.channel(7).register(selector, OP_READ);
        IOException e = assertThrows(IOException.class, selector::selectNow);
        assertEquals(Errno.ENOSPC, ((ErrnoException) e.getCause()).errno());
    }

    @Test
    void eventBufferStartsSmallAndGrowsWhenAWaitFillsIt() throws IOException {
        for (int fd = 1000; fd < 1300; fd++) {
            kernel.channel(fd).register(selector, OP_READ);
            kernel.setReady(fd, EPOLLIN);
        }
        assertEquals(256, selector.selectNow());
        assertEquals(300 - 256, selector.selectNow());
        assertEquals(List.of(256, 512), kernel.waitCapacities());
    }

    @Test
    void descriptorsBeyondTheTableAreTracked() throws IOException {
        TestChannel ch = kernel.channel(70_000);
        SelectionKey key = ch.register(selector, OP_READ);
        kernel.setReady(70_000, EPOLLIN);
        assertEquals(1, selector.selectNow());
        assertEquals(Set.of(key), selector.selectedKeys());
    }

    // ---- close ----------------------------------------------------------------------

    @Test
    void closeDeregistersEveryKeyAndLeavesChannelsOpen() throws IOException {
        TestChannel open = kernel.channel(7);
        TestChannel closed = kernel.channel(8);
        SelectionKey k1 = open.register(selector, OP_READ);
        SelectionKey k2 = closed.register(selector, OP_READ);
        selector.selectNow();
        closed.close();

        selector.close();
        assertFalse(k1.isValid());
        assertFalse(k2.isValid());
        assertTrue(open.isOpen());
        assertFalse(open.isRegistered());
        assertEquals(0, open.releases());
        assertEquals(1, closed.releases());
        verify(kernel.sys).close(EPFD);
        verify(kernel.sys).close(EVENTFD);

        selector.close();
        verify(kernel.sys, times(1)).close(EPFD);
    }

    @Test
    void failedReleaseDuringCloseStillClosesEverything() throws IOException {
        TestChannel failing = kernel.channel(7);
        TestChannel other = kernel.channel(8);
        SelectionKey k1 = failing.register(selector, OP_READ);
        SelectionKey k2 = other.register(selector, OP_READ);
        failing.failReleaseWith(new IOException("EIO"));
        failing.close();
        other.close();

        IOException e = assertThrows(IOException.class, selector::close);
        assertEquals("EIO", e.getMessage());
        assertFalse(k1.isValid() || k2.isValid());
        assertEquals(1, other.releases());
        verify(kernel.sys).close(EPFD);
        verify(kernel.sys).close(EVENTFD);
    }

    @Test
    void closedSelectorRefusesEverything() throws IOException {
        TestChannel ch = kernel.channel(7);
        selector.close();
        assertFalse(selector.isOpen());
        assertThrows(ClosedSelectorException.class, selector::keys);
        assertThrows(ClosedSelectorException.class, selector::selectedKeys);
        assertThrows(ClosedSelectorException.class, selector::selectNow);
        assertThrows(ClosedSelectorException.class, selector::select);
        assertThrows(ClosedSelectorException.class, () -> selector.select(10));
        assertThrows(ClosedSelectorException.class, () -> selector.select(k -> { }));
        assertThrows(ClosedSelectorException.class, () -> selector.selectNow(k -> { }));
        assertThrows(ClosedSelectorException.class, () -> ch.register(selector, OP_READ));
    }

    @Test
    void closeReleasesABlockedSelectAndClosesDescriptorsOnlyAfterIt() throws Exception {
        List<Integer> waitersAtClose = new ArrayList<>();
        doAnswer(inv -> waitersAtClose.add(kernel.threadsInWait())).when(kernel.sys).close(EPFD);
        CompletableFuture<Integer> select = kernel.selectAsync(selector, 0);
        kernel.awaitWaiting(select);

        selector.close();
        assertEquals(0, select.get());
        assertEquals(List.of(0), waitersAtClose);
    }

    @Test
    void replacedDescriptorIsAddedAgainAndTheSelectionWoken() throws Exception {
        SelectionKeyImpl key = (SelectionKeyImpl) kernel.channel(7).register(selector, OP_READ);
        selector.selectNow();
        kernel.replaceFile(7);

        key.descriptorReplaced();

        assertEquals(1, kernel.eventfdCounter(EVENTFD), "a selection in progress is woken");
        selector.selectNow();
        assertEquals(EPOLLIN, kernel.registered(7));
        kernel.setReady(7, EPOLLIN);
        assertEquals(1, selector.selectNow());
    }

    @Test
    void anUpdateQueuedBeforeTheReplacementAddsInsteadOfModifying() throws Exception {
        SelectionKey key = kernel.channel(7).register(selector, OP_READ);
        selector.selectNow();
        key.interestOps(OP_READ | OP_WRITE);
        kernel.replaceFile(7);

        selector.selectNow();

        verify(kernel.sys).epollCtl(EPFD, EPOLL_CTL_ADD, 7, EPOLLIN | EPOLLOUT);
        assertEquals(EPOLLIN | EPOLLOUT, kernel.registered(7));
    }

    @Test
    void cancellingAKeyWhoseEntryEpollDroppedIsNotAnError() throws Exception {
        SelectionKey key = kernel.channel(7).register(selector, OP_READ);
        selector.selectNow();
        kernel.replaceFile(7);

        key.cancel();

        assertEquals(0, selector.selectNow());
        assertFalse(selector.keys().contains(key));
    }
}
