package io.mptcp.nio.internal.async;

import io.mptcp.ffi.EpollEventBuffer;
import io.mptcp.ffi.Errno;
import io.mptcp.ffi.ErrnoException;
import io.mptcp.ffi.LinuxSyscalls;
import io.mptcp.ffi.LinuxUapi;
import io.mptcp.nio.internal.fd.NioExceptions;

import java.io.IOException;
import java.nio.channels.AsynchronousChannelGroup;
import java.nio.channels.Channel;
import java.nio.channels.ShutdownChannelGroupException;
import java.nio.channels.spi.AsynchronousChannelProvider;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * An asynchronous channel group over one epoll set: the JDK's {@code EPollPort} design, with
 * our own syscalls. Each channel's descriptor is in the set with {@code EPOLLONESHOT}, armed
 * while an operation is pending; the group's event loops take turns in {@code epoll_wait}.
 * The loop that polls hands all events but one to the others through a queue and handles the
 * last one itself, so one ready channel costs no thread hand-off.
 *
 * <p>Threads, as in the JDK: a fixed pool's threads are all event loops, and tasks reach them
 * through a queue and a wakeup (an eventfd in semaphore mode: one read consumes one wakeup,
 * which shutdown needs to stop exactly one loop per wakeup). Any other pool gets
 * {@code sun.nio.ch.internalThreadPoolSize} (default 1) internal event-loop threads that never
 * run handlers, plus {@code poolSize} event loops on the pool itself; handlers of events seen
 * by an internal thread run on the pool.
 */
public final class AsyncGroup extends AsynchronousChannelGroup implements Executor {

    private static final int INTERNAL_THREADS =
            Integer.getInteger("sun.nio.ch.internalThreadPoolSize", 1);
    private static final int MAX_EVENTS = 512;
    // linux/eventfd.h: each read takes 1 from the counter instead of all of it.
    private static final int EFD_SEMAPHORE = 1;

    /** A channel of the group: told the epoll events of its descriptor. */
    interface Pollable {
        void onEvent(int events, boolean mayInvokeDirect);
    }

    private record Event(Pollable channel, int events) {
    }

    private static final Event NEED_TO_POLL = new Event(null, 0);
    private static final Event EXECUTE_TASK_OR_SHUTDOWN = new Event(null, 0);

    private final LinuxSyscalls sys;
    private final GroupPool pool;
    private final int epfd;
    private final int wakeupFd;
    private final EpollEventBuffer events = new EpollEventBuffer(MAX_EVENTS);
    private final ArrayBlockingQueue<Event> queue = new ArrayBlockingQueue<>(MAX_EVENTS);
    private final Queue<Runnable> tasks;
    private final AtomicInteger wakeups = new AtomicInteger();
    private final AtomicInteger threadCount = new AtomicInteger();
    private final ScheduledThreadPoolExecutor timer;

    // The channels by descriptor; the write lock orders registration against shutdown.
    private final ReentrantReadWriteLock channelsLock = new ReentrantReadWriteLock();
    private final Map<Integer, Pollable> channels = new HashMap<>();

    private final AtomicBoolean shutdown = new AtomicBoolean();
    private final Object shutdownNowLock = new Object();
    private volatile boolean terminateInitiated;
    // Guarded by this.
    private boolean closed;

    private AsyncGroup(AsynchronousChannelProvider provider, LinuxSyscalls sys, GroupPool pool)
            throws IOException {
        super(provider);
        this.sys = sys;
        this.pool = pool;
        this.tasks = pool.fixed() ? new ConcurrentLinkedQueue<>() : null;
        int ep = -1;
        try {
            ep = sys.epollCreate();
            int wake = sys.eventfd(0, LinuxUapi.EFD_NONBLOCK | LinuxUapi.EFD_CLOEXEC
                    | EFD_SEMAPHORE);
            try {
                sys.epollCtl(ep, LinuxUapi.EPOLL_CTL_ADD, wake, LinuxUapi.EPOLLIN);
            } catch (ErrnoException e) {
                closeQuietly(wake);
                throw e;
            }
            this.epfd = ep;
            this.wakeupFd = wake;
        } catch (ErrnoException e) {
            if (ep >= 0) {
                closeQuietly(ep);
            }
            pool.executor().shutdown();
            throw NioExceptions.io(e);
        }
        // The timer thread runs no application code, so it is never the application's.
        this.timer = (ScheduledThreadPoolExecutor) Executors.newScheduledThreadPool(1,
                GroupPool.daemonThreads("timer"));
        this.timer.setRemoveOnCancelPolicy(true);
        queue.offer(NEED_TO_POLL);
    }

    /** A started group. */
    static AsyncGroup start(AsynchronousChannelProvider provider, LinuxSyscalls sys,
            GroupPool pool) throws IOException {
        AsyncGroup group = new AsyncGroup(provider, sys, pool);
        group.startThreads();
        return group;
    }

    LinuxSyscalls syscalls() {
        return sys;
    }

    boolean isFixedThreadPool() {
        return pool.fixed();
    }

    private void startThreads() {
        Runnable loop = new EventLoop();
        if (!pool.fixed()) {
            for (int i = 0; i < INTERNAL_THREADS; i++) {
                startInternalThread(loop);
                threadCount.incrementAndGet();
            }
        }
        if (pool.poolSize() > 0) {
            Runnable bound = bindToGroup(loop);
            try {
                for (int i = 0; i < pool.poolSize(); i++) {
                    pool.executor().execute(bound);
                    threadCount.incrementAndGet();
                }
            } catch (RejectedExecutionException e) {
                // An application executor that refuses: the group runs with what it has.
            }
        }
    }

    private Runnable bindToGroup(Runnable task) {
        return () -> {
            Invoker.bind(this);
            task.run();
        };
    }

    private static void startInternalThread(Runnable task) {
        GroupPool.daemonThreads("internal").newThread(task).start();
    }

    // ---- channels ----------------------------------------------------------------------

    /** Adds a channel; refused once the group is shut down. */
    void register(int fd, Pollable channel) {
        channelsLock.writeLock().lock();
        try {
            if (isShutdown()) {
                throw new ShutdownChannelGroupException();
            }
            channels.put(fd, channel);
        } finally {
            channelsLock.writeLock().unlock();
        }
    }

    /** Removes a channel (its close); the last one out of a shut-down group terminates it. */
    void unregister(int fd) {
        boolean empty;
        channelsLock.writeLock().lock();
        try {
            channels.remove(fd);
            empty = channels.isEmpty();
        } finally {
            channelsLock.writeLock().unlock();
        }
        if (empty && isShutdown()) {
            try {
                shutdownNow();
            } catch (IOException ignored) {
                // No channel is left to fail to close.
            }
        }
    }

    /** Arms the one-shot wait of {@code fd} for {@code events}. */
    void startPoll(int fd, int events) {
        int armed = events | LinuxUapi.EPOLLONESHOT;
        try {
            try {
                sys.epollCtl(epfd, LinuxUapi.EPOLL_CTL_MOD, fd, armed);
            } catch (ErrnoException e) {
                if (e.errno() != Errno.ENOENT) {
                    throw e;
                }
                sys.epollCtl(epfd, LinuxUapi.EPOLL_CTL_ADD, fd, armed);
            }
        } catch (ErrnoException e) {
            // Only a closed epoll set (terminated group) or a bug gets here.
            throw new IllegalStateException("epoll_ctl on a channel of the group failed", e);
        }
    }

    private boolean isEmpty() {
        channelsLock.writeLock().lock();
        try {
            return channels.isEmpty();
        } finally {
            channelsLock.writeLock().unlock();
        }
    }

    private void closeAllChannels() throws IOException {
        List<Channel> all;
        channelsLock.writeLock().lock();
        try {
            all = new ArrayList<>();
            for (Pollable p : channels.values()) {
                all.add((Channel) p);
            }
        } finally {
            channelsLock.writeLock().unlock();
        }
        for (Channel ch : all) {
            try {
                ch.close();
            } catch (IOException ignored) {
                // shutdownNow closes what it can, as the JDK's.
            }
        }
    }

    // ---- tasks and timeouts -------------------------------------------------------------

    /** Runs {@code task} on a thread of the group (a fixed pool: an event loop). */
    void executeOnPooledThread(Runnable task) {
        if (pool.fixed()) {
            synchronized (this) {
                if (closed) {
                    throw new RejectedExecutionException();
                }
                tasks.offer(task);
                wakeup();
            }
        } else {
            pool.executor().execute(bindToGroup(task));
        }
    }

    /** A timeout; null once the group is terminating (nothing will time out then). */
    Future<?> schedule(Runnable task, long timeout, TimeUnit unit) {
        try {
            return timer.schedule(task, timeout, unit);
        } catch (RejectedExecutionException e) {
            if (terminateInitiated) {
                return null;
            }
            throw new IllegalStateException("the group's timer refused a timeout", e);
        }
    }

    @Override
    public void execute(Runnable task) {
        executeOnPooledThread(task);
    }

    // ---- shutdown -----------------------------------------------------------------------

    @Override
    public boolean isShutdown() {
        return shutdown.get();
    }

    @Override
    public boolean isTerminated() {
        return pool.executor().isTerminated();
    }

    @Override
    public void shutdown() {
        if (shutdown.getAndSet(true)) {
            return;
        }
        // With channels open, termination starts when the last one closes.
        if (!isEmpty()) {
            return;
        }
        synchronized (shutdownNowLock) {
            if (!terminateInitiated) {
                terminateInitiated = true;
                shutdownHandlerTasks();
                shutdownExecutors();
            }
        }
    }

    @Override
    public void shutdownNow() throws IOException {
        shutdown.set(true);
        synchronized (shutdownNowLock) {
            if (!terminateInitiated) {
                terminateInitiated = true;
                closeAllChannels();
                shutdownHandlerTasks();
                shutdownExecutors();
            }
        }
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
        return pool.executor().awaitTermination(timeout, unit);
    }

    private void shutdownExecutors() {
        pool.executor().shutdown();
        timer.shutdown();
    }

    // One wakeup per event loop: each consumes one and, finding no task, ends.
    private void shutdownHandlerTasks() {
        int n = threadCount.get();
        if (n == 0) {
            implClose();
        } else {
            while (n-- > 0) {
                wakeup();
            }
        }
    }

    private void wakeup() {
        if (wakeups.incrementAndGet() == 1) {
            try {
                sys.eventfdWrite(wakeupFd, 1);
            } catch (ErrnoException e) {
                throw new IllegalStateException("cannot wake the group's event loops", e);
            }
        }
    }

    private void implClose() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        closeQuietly(epfd);
        closeQuietly(wakeupFd);
    }

    private void closeQuietly(int fd) {
        try {
            sys.close(fd);
        } catch (ErrnoException ignored) {
            // Nothing useful to do with a failed close of our own descriptor.
        }
    }

    private int threadExit(Runnable loop, boolean replaceMe) {
        if (replaceMe) {
            try {
                if (Invoker.current() != null) {
                    pool.executor().execute(bindToGroup(loop));
                } else {
                    startInternalThread(loop);
                }
                return threadCount.get();
            } catch (RejectedExecutionException e) {
                // Cannot replace this thread: one fewer.
            }
        }
        return threadCount.decrementAndGet();
    }

    /** One event loop: the JDK's {@code EPollPort.EventHandlerTask}. */
    private final class EventLoop implements Runnable {

        private Event poll() throws ErrnoException {
            try {
                for (;;) {
                    int n = sys.epollWait(epfd, events, -1);
                    channelsLock.readLock().lock();
                    try {
                        while (n-- > 0) {
                            int fd = events.fd(n);
                            if (fd == wakeupFd) {
                                if (wakeups.decrementAndGet() == 0) {
                                    // Consume exactly one: shutdown queues one per loop.
                                    sys.eventfdRead(wakeupFd);
                                }
                                if (n > 0) {
                                    queue.offer(EXECUTE_TASK_OR_SHUTDOWN);
                                    continue;
                                }
                                return EXECUTE_TASK_OR_SHUTDOWN;
                            }
                            Pollable channel = channels.get(fd);
                            if (channel != null) {
                                Event ev = new Event(channel, events.events(n));
                                if (n > 0) {
                                    queue.offer(ev);
                                } else {
                                    return ev;
                                }
                            }
                        }
                    } finally {
                        channelsLock.readLock().unlock();
                    }
                }
            } finally {
                // Whoever takes this polls next, once the queued events are taken.
                queue.offer(NEED_TO_POLL);
            }
        }

        @Override
        public void run() {
            Invoker.GroupThread me = Invoker.current();
            boolean pooled = me != null;
            boolean replaceMe = false;
            try {
                for (;;) {
                    if (pooled) {
                        me.depth = 0;
                    }
                    Event ev;
                    try {
                        replaceMe = false;
                        ev = queue.take();
                        if (ev == NEED_TO_POLL) {
                            try {
                                ev = poll();
                            } catch (ErrnoException e) {
                                // epoll_wait fails only on a closed set: the group ended.
                                return;
                            }
                        }
                    } catch (InterruptedException e) {
                        continue;
                    }
                    if (ev == EXECUTE_TASK_OR_SHUTDOWN) {
                        Runnable task = tasks == null ? null : tasks.poll();
                        if (task == null) {
                            return;
                        }
                        replaceMe = true;
                        task.run();
                        continue;
                    }
                    try {
                        ev.channel().onEvent(ev.events(), pooled);
                    } catch (Error | RuntimeException e) {
                        replaceMe = true;
                        throw e;
                    }
                }
            } finally {
                int remaining = threadExit(this, replaceMe);
                if (remaining == 0 && isShutdown()) {
                    implClose();
                }
            }
        }
    }
}
