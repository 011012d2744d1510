package io.mptcp.ffi;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Runs an action soon after a platform thread has ended: how native memory a thread keeps for
 * itself (its {@link Scratch}, its temporary direct buffers) is freed when the thread is gone,
 * as the JDK frees its own per-thread buffers at thread termination. The JDK does that with a
 * hook of its internals ({@code TerminatingThreadLocal}); the public API only lets another
 * thread see that a thread has ended ({@link Thread#isAlive()}), which also makes everything
 * the ended thread wrote visible to it (JLS 17.4.4).
 *
 * <p>One daemon thread, started with the first registration and ending when nothing is left to
 * watch, checks the registered threads every {@link #PERIOD_MILLIS} ms and runs the actions of
 * those that have ended, each once. An action must not refer to its thread. Virtual threads are
 * not watched: there may be millions, each living for one request, so memory of theirs is left
 * to the collector.
 */
public final class ThreadExit {
    /** How often the registered threads are checked. */
    public static final long PERIOD_MILLIS = 1000;

    private static final System.Logger LOG = System.getLogger(ThreadExit.class.getName());

    // Thread.isVirtual() (JDK 21+), or null: compiled for 17.
    private static final MethodHandle IS_VIRTUAL = lookupIsVirtual();

    private static final ReentrantLock LOCK = new ReentrantLock();
    // Signalled to make the watcher check now; and when it has finished a check.
    private static final Condition CHECK = LOCK.newCondition();
    private static final Condition CHECKED = LOCK.newCondition();
    // Guarded by LOCK.
    private static final List<Watched> WATCHED = new ArrayList<>();
    private static Thread watcher;
    // A check asked for while the watcher was busy, so that it does not wait a period first.
    private static boolean checkRequested;
    private static long checksStarted;
    private static long checksDone;

    private ThreadExit() {
    }

    private static MethodHandle lookupIsVirtual() {
        try {
            return MethodHandles.publicLookup().findVirtual(Thread.class, "isVirtual",
                    MethodType.methodType(boolean.class));
        } catch (NoSuchMethodException | IllegalAccessException e) {
            return null;
        }
    }

    /** Whether {@code thread} is a virtual thread (never on JDK 17). */
    static boolean isVirtual(Thread thread) {
        if (IS_VIRTUAL == null) {
            return false;
        }
        try {
            return (boolean) IS_VIRTUAL.invokeExact(thread);
        } catch (Throwable t) {
            throw new AssertionError("Thread.isVirtual() failed", t);
        }
    }

    private record Watched(WeakReference<Thread> thread, Runnable action) {
        boolean ended() {
            Thread t = thread.get();
            return t == null || !t.isAlive();
        }
    }

    /**
     * Runs {@code action} once, on another thread, within about {@link #PERIOD_MILLIS} ms
     * after {@code thread} has ended.
     *
     * @throws IllegalArgumentException if {@code thread} is a virtual thread
     */
    public static void whenEnded(Thread thread, Runnable action) {
        Objects.requireNonNull(action, "action");
        if (isVirtual(thread)) {
            throw new IllegalArgumentException("virtual threads are not watched: " + thread);
        }
        LOCK.lock();
        try {
            WATCHED.add(new Watched(new WeakReference<>(thread), action));
            if (watcher == null) {
                // No inherited thread locals: the first registrant may be any thread.
                watcher = new Thread(null, ThreadExit::watch, "mptcp-nio-thread-exit", 0, false);
                watcher.setDaemon(true);
                watcher.start();
            }
        } finally {
            LOCK.unlock();
        }
    }

    /**
     * Waits until a check that started after this call has run the actions of the threads
     * that had ended by then (for tests: the watcher's own period is not waited for).
     *
     * @return false if that did not happen within {@code timeout}
     */
    public static boolean awaitCheck(Duration timeout) throws InterruptedException {
        long nanos = timeout.toNanos();
        LOCK.lock();
        try {
            if (watcher == null) {
                return true;
            }
            long target = checksStarted + 1;
            checkRequested = true;
            CHECK.signalAll();
            while (checksDone < target && watcher != null) {
                if (nanos <= 0) {
                    return false;
                }
                nanos = CHECKED.awaitNanos(nanos);
            }
            return true;
        } finally {
            LOCK.unlock();
        }
    }

    /** How many threads are watched (for tests). */
    static int watchedCount() {
        LOCK.lock();
        try {
            return WATCHED.size();
        } finally {
            LOCK.unlock();
        }
    }

    private static void watch() {
        for (;;) {
            List<Runnable> due = new ArrayList<>();
            LOCK.lock();
            try {
                try {
                    if (!checkRequested) {
                        CHECK.await(PERIOD_MILLIS, TimeUnit.MILLISECONDS);
                    }
                } catch (InterruptedException e) {
                    // Nobody interrupts this thread on purpose; check now.
                }
                checkRequested = false;
                checksStarted++;
                for (Iterator<Watched> it = WATCHED.iterator(); it.hasNext(); ) {
                    Watched w = it.next();
                    if (w.ended()) {
                        due.add(w.action());
                        it.remove();
                    }
                }
            } finally {
                LOCK.unlock();
            }
            for (Runnable action : due) {
                try {
                    action.run();
                } catch (RuntimeException | Error e) {
                    LOG.log(System.Logger.Level.ERROR,
                            "mptcp-nio: freeing an ended thread's memory failed", e);
                }
            }
            LOCK.lock();
            try {
                checksDone++;
                CHECKED.signalAll();
                if (WATCHED.isEmpty()) {
                    watcher = null;
                    return;
                }
            } finally {
                LOCK.unlock();
            }
        }
    }
}
