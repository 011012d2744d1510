package io.mptcp.nio.internal.select;

import io.mptcp.ffi.EpollEventBuffer;
import io.mptcp.ffi.Errno;
import io.mptcp.ffi.ErrnoException;
import io.mptcp.ffi.LinuxSyscalls;
import io.mptcp.nio.MptcpSelectorProvider;
import io.mptcp.nio.TestProviders;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.spi.AbstractSelectableChannel;
import java.nio.channels.spi.SelectorProvider;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.IntSupplier;
import java.util.function.Supplier;

import static io.mptcp.ffi.LinuxUapi.EPOLLERR;
import static io.mptcp.ffi.LinuxUapi.EPOLLHUP;
import static io.mptcp.ffi.LinuxUapi.EPOLLIN;
import static io.mptcp.ffi.LinuxUapi.EPOLLOUT;
import static io.mptcp.ffi.LinuxUapi.EPOLL_CTL_ADD;
import static io.mptcp.ffi.LinuxUapi.EPOLL_CTL_DEL;
import static io.mptcp.ffi.LinuxUapi.EPOLL_CTL_MOD;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyInt;
import static org.mockito.ArgumentMatchers.anyLong;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.doAnswer;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

/**
 * A small model of the kernel behind a Mockito mock of {@link LinuxSyscalls}: an epoll set
 * that checks every epoll_ctl as Linux does (EEXIST, ENOENT), level-triggered readiness that
 * tests set per descriptor, eventfd counters, and poll(2). Waits block for real, so wakeup,
 * interrupt and close can be tested across threads; everything stays verifiable with Mockito.
 */
public final class EpollSelectorFixture {
    public static final int EPFD = 100;
    /** The first eventfd handed out: the selector's own wakeup eventfd. */
    public static final int EVENTFD = 101;

    public final LinuxSyscalls sys = mock(LinuxSyscalls.class);
    public final MptcpSelectorProvider provider = TestProviders.of(sys, null);

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    // Guarded by lock.
    private final Map<Integer, Integer> epollSet = new HashMap<>();
    private final Map<Integer, Integer> readiness = new HashMap<>();
    private final Map<Integer, Long> eventfds = new HashMap<>();
    private final List<Integer> waitTimeouts = new ArrayList<>();
    private final List<Integer> waitCapacities = new ArrayList<>();
    private int nextEventFd = EVENTFD;
    private int threadsInWait;
    private int prematureReturns;
    // Waits into a buffer that was closed (its memory freed) before they returned.
    private int waitsIntoClosedBuffers;

    public EpollSelectorFixture() throws IOException {
        when(sys.epollCreate()).thenReturn(EPFD);
        when(sys.eventfd(anyInt(), anyInt())).thenAnswer(inv -> newEventFd());
        doAnswer(inv -> ctl(inv.getArgument(1), inv.getArgument(2), inv.getArgument(3)))
                .when(sys).epollCtl(eq(EPFD), anyInt(), anyInt(), anyInt());
        when(sys.epollWait(eq(EPFD), any(), anyInt()))
                .thenAnswer(inv -> epollWait(inv.getArgument(1), inv.getArgument(2)));
        doAnswer(inv -> signal(inv.getArgument(0), inv.getArgument(1)))
                .when(sys).eventfdWrite(anyInt(), anyLong());
        when(sys.eventfdRead(anyInt())).thenAnswer(inv -> drain(inv.getArgument(0)));
        when(sys.poll(anyInt(), anyInt(), anyInt(), anyInt())).thenAnswer(inv -> poll(
                inv.getArgument(0), inv.getArgument(1), inv.getArgument(2), inv.getArgument(3)));
    }

    public EpollSelector openSelector() throws IOException {
        return (EpollSelector) provider.openSelector();
    }

    public TestChannel channel(int fd) throws IOException {
        TestChannel ch = new TestChannel(provider, fd);
        ch.configureBlocking(false);
        return ch;
    }

    /** Waits until {@code select} (running elsewhere) is blocked in the model's epoll_wait. */
    public void awaitWaiting(CompletableFuture<?> select) throws InterruptedException {
        while (threadsInWait() == 0) {
            assertFalse(select.isDone(), "select returned before anything happened");
            Thread.sleep(1);
        }
    }

    /** {@code selector.select(timeout)} in another thread. */
    public CompletableFuture<Integer> selectAsync(Selector selector, long timeout) {
        return CompletableFuture.supplyAsync(() -> select(selector, timeout));
    }

    /** {@code selector.select(timeout)} for use in lambdas. */
    public int select(Selector selector, long timeout) {
        try {
            return selector.select(timeout);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Sets what the kernel reports ready on {@code fd} from now on (level-triggered). */
    public void setReady(int fd, int events) {
        lock.lock();
        try {
            readiness.put(fd, events);
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** The epoll events registered for {@code fd}, or null when it is not in the epoll set. */
    public Integer registered(int fd) {
        return locked(() -> epollSet.get(fd));
    }

    /**
     * Puts a new file under {@code fd}, as dup3(2) does: epoll drops the entry of the old file
     * when it is closed, so the descriptor is no longer in the epoll set.
     */
    public void replaceFile(int fd) {
        locked(() -> epollSet.remove(fd));
    }

    /** The next epoll_wait returns 0 at once, as a wait cut short would. */
    public void returnZeroOnce() {
        locked(() -> prematureReturns++);
    }

    public int threadsInWait() {
        return locked(() -> threadsInWait);
    }

    public List<Integer> waitTimeouts() {
        return locked(() -> new ArrayList<>(waitTimeouts));
    }

    /**
     * How many epoll_waits returned into a buffer that had been closed meanwhile: the kernel
     * would have written into freed memory. Must stay 0.
     */
    public int waitsIntoClosedBuffers() {
        return locked(() -> waitsIntoClosedBuffers);
    }

    public List<Integer> waitCapacities() {
        return locked(() -> new ArrayList<>(waitCapacities));
    }

    public long eventfdCounter(int fd) {
        return locked(() -> eventfds.getOrDefault(fd, 0L));
    }

    private <T> T locked(Supplier<T> action) {
        lock.lock();
        try {
            return action.get();
        } finally {
            lock.unlock();
        }
    }

    private int newEventFd() {
        return locked(() -> {
            eventfds.put(nextEventFd, 0L);
            return nextEventFd++;
        });
    }

    private Void ctl(int op, int fd, int events) throws ErrnoException {
        lock.lock();
        try {
            boolean present = epollSet.containsKey(fd);
            if (op == EPOLL_CTL_ADD && present) {
                throw new ErrnoException("epoll_ctl", Errno.EEXIST);
            }
            if ((op == EPOLL_CTL_MOD || op == EPOLL_CTL_DEL) && !present) {
                throw new ErrnoException("epoll_ctl", Errno.ENOENT);
            }
            if (op == EPOLL_CTL_DEL) {
                epollSet.remove(fd);
            } else {
                epollSet.put(fd, events);
            }
            return null;
        } finally {
            lock.unlock();
        }
    }

    /** Ready events of {@code fd} for {@code wanted}; ERR and HUP are always reported. */
    private int readyEvents(int fd, int wanted) {
        Long counter = eventfds.get(fd);
        int ready = counter != null ? (counter > 0 ? EPOLLIN : 0) : readiness.getOrDefault(fd, 0);
        return ready & (wanted | EPOLLERR | EPOLLHUP);
    }

    private int epollWait(EpollEventBuffer buffer, int timeoutMillis) {
        lock.lock();
        threadsInWait++;
        waitTimeouts.add(timeoutMillis);
        waitCapacities.add(buffer.capacity());
        try {
            if (prematureReturns > 0) {
                prematureReturns--;
                return 0;
            }
            return await(timeoutMillis, () -> {
                int n = 0;
                for (Map.Entry<Integer, Integer> e : epollSet.entrySet()) {
                    int ready = readyEvents(e.getKey(), e.getValue());
                    if (ready != 0 && n < buffer.capacity()) {
                        buffer.set(n++, e.getKey(), ready);
                    }
                }
                return n > 0 ? n : -1;
            });
        } finally {
            threadsInWait--;
            if (buffer.isClosed()) {
                waitsIntoClosedBuffers++;
            }
            lock.unlock();
        }
    }

    private int poll(int fd, int events, int wakeupFd, int timeoutMillis) {
        lock.lock();
        try {
            return await(timeoutMillis, () -> {
                int ready = readyEvents(fd, events);
                if (ready != 0) {
                    return ready;
                }
                return wakeupFd >= 0 && eventfds.getOrDefault(wakeupFd, 0L) > 0 ? 0 : -1;
            });
        } finally {
            lock.unlock();
        }
    }

    /**
     * Waits, with the lock held, until {@code check} returns a result (not -1) or the timeout
     * (-1: none) runs out, which gives 0. As for a syscall, a Java interrupt does not end the
     * wait; it stays set for the caller.
     */
    private int await(int timeoutMillis, IntSupplier check) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        boolean interrupted = false;
        try {
            for (;;) {
                int result = check.getAsInt();
                long left = deadline - System.nanoTime();
                if (result >= 0) {
                    return result;
                }
                if (timeoutMillis == 0 || (timeoutMillis > 0 && left <= 0)) {
                    return 0;
                }
                try {
                    if (timeoutMillis < 0) {
                        changed.await();
                    } else {
                        changed.awaitNanos(left);
                    }
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private Void signal(int fd, long value) {
        lock.lock();
        try {
            eventfds.merge(fd, value, Long::sum);
            changed.signalAll();
            return null;
        } finally {
            lock.unlock();
        }
    }

    private long drain(int fd) {
        return locked(() -> {
            Long counter = eventfds.put(fd, 0L);
            return counter == null ? 0L : counter;
        });
    }

    /**
     * A selectable channel with a made-up descriptor that translates operations as the
     * socket channels do, and records when its descriptor would be released.
     */
    public static final class TestChannel extends AbstractSelectableChannel implements NativeChannel {
        private final int fd;
        private volatile int releases;
        private volatile IOException releaseFailure;

        TestChannel(SelectorProvider provider, int fd) {
            super(provider);
            this.fd = fd;
        }

        /** How many times kill() found the channel closed and unregistered. */
        int releases() {
            return releases;
        }

        /** Makes releasing the descriptor fail with {@code failure}, as close(2) can. */
        void failReleaseWith(IOException failure) {
            releaseFailure = failure;
        }

        @Override
        public int validOps() {
            return SelectionKey.OP_READ | SelectionKey.OP_WRITE;
        }

        @Override
        public int fdVal() {
            return fd;
        }

        @Override
        public int translateInterestOps(int ops) {
            return ((ops & SelectionKey.OP_READ) != 0 ? EPOLLIN : 0)
                    | ((ops & SelectionKey.OP_WRITE) != 0 ? EPOLLOUT : 0);
        }

        @Override
        public int translateReadyOps(int events, int interestOps) {
            if ((events & (EPOLLERR | EPOLLHUP)) != 0) {
                return interestOps;
            }
            return ((events & EPOLLIN) != 0 ? interestOps & SelectionKey.OP_READ : 0)
                    | ((events & EPOLLOUT) != 0 ? interestOps & SelectionKey.OP_WRITE : 0);
        }

        @Override
        public synchronized void kill() throws IOException {
            if (!isOpen() && !isRegistered()) {
                releases++;
                if (releaseFailure != null) {
                    throw releaseFailure;
                }
            }
        }

        @Override
        protected void implCloseSelectableChannel() throws IOException {
            kill();
        }

        @Override
        protected void implConfigureBlocking(boolean block) {
        }

        @Override
        public String toString() {
            return "TestChannel[fd=" + fd + "]";
        }
    }
}
