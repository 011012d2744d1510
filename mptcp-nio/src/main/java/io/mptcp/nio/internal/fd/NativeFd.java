package io.mptcp.nio.internal.fd;

import io.mptcp.ffi.ErrnoException;
import io.mptcp.ffi.LinuxSyscalls;
import io.mptcp.ffi.LinuxUapi;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.IntPredicate;

/**
 * A channel's descriptor, with what blocking operations and asynchronous close need around it.
 *
 * <p>Descriptors are always non-blocking; a blocking channel operation tries the call, and when
 * it would block, {@linkplain #park parks} in poll(2) on the descriptor <em>and</em> on a
 * per-channel eventfd. {@link #unpark()} (called by close, and by interrupt through close)
 * signals that eventfd, which stays readable from then on, so every thread parked now or later
 * returns at once. The JDK wakes blocked threads with dup2 and a signal instead; neither is
 * safe to do through JNR. The eventfd is created only when a thread first parks, so a
 * non-blocking channel never has one.
 *
 * <p>A virtual thread does not wait in poll(2), which would hold its carrier thread for the
 * whole wait: it registers the descriptor with a {@link VirtualThreadPoller} and parks, and
 * {@link #unpark()} unparks it through the poller. A platform thread pays one check for this.
 *
 * <p>The owner calls {@link #release()} once no thread can be inside a call on the descriptor
 * any more (the channel's two-phase close guarantees that), so a descriptor number is never
 * freed under a thread still using it.
 */
public final class NativeFd {
    private final LinuxSyscalls sys;
    private final int fd;

    // Guards wakeupFd, unparked and released; held only for short, non-blocking calls.
    private final ReentrantLock lock = new ReentrantLock();
    private int wakeupFd = -1;
    private boolean unparked;
    private boolean released;
    // Whether an earlier virtual-thread wait left the descriptor in the read (write) poller's
    // epoll set; a wrong value costs one more epoll_ctl. Written only by a thread that is
    // registered with that poller for this descriptor, so one at a time.
    private volatile boolean inReadPoller;
    private volatile boolean inWritePoller;

    public NativeFd(LinuxSyscalls sys, int fd) {
        this.sys = sys;
        this.fd = fd;
    }

    public int fd() {
        return fd;
    }

    public LinuxSyscalls sys() {
        return sys;
    }

    /**
     * Waits until {@code fd} reports one of the poll {@code events}, the timeout expires, or
     * {@link #unpark()} is called.
     *
     * @param timeoutNanos 0 to wait without a time limit
     * @return the revents of the descriptor, or 0 if it timed out, was unparked, or was
     *     interrupted by a signal: callers re-check their state and park again
     */
    public int park(int events, long timeoutNanos) throws ErrnoException {
        if (VirtualThreads.isCurrentVirtual() && parkOnPoller(events, timeoutNanos)) {
            return 0;
        }
        int wakeup;
        lock.lock();
        try {
            if (unparked || released) {
                return 0;
            }
            if (wakeupFd < 0) {
                wakeupFd = sys.eventfd(0, LinuxUapi.EFD_NONBLOCK | LinuxUapi.EFD_CLOEXEC);
            }
            wakeup = wakeupFd;
        } finally {
            lock.unlock();
        }
        return sys.poll(fd, events, wakeup, toPollMillis(timeoutNanos));
    }

    /**
     * The wait of a virtual thread: armed in the poller, then {@link LockSupport#park}. The
     * poller thread, {@link #unpark()} (through {@link VirtualThreadPoller#stopAll}), an
     * interrupt or the timeout ends it.
     *
     * @return false if the poller could not take this wait (another thread already waits on
     *     the descriptor in the same direction, or the poller failed): the caller waits in
     *     poll(2), pinned but correct
     */
    public boolean parkOnPoller(int events, long timeoutNanos) throws ErrnoException {
        if (isUnparked()) {
            return true;
        }
        VirtualThreadPoller poller = VirtualThreadPoller.of(sys, events);
        boolean read = poller.kind() == VirtualThreadPoller.READ;
        if (!poller.register(fd, events, read ? inReadPoller : inWritePoller)) {
            return false;
        }
        boolean stillInSet;
        try {
            // Checked after registering: an unpark() before this point is seen here, one after
            // it finds the registration and unparks this thread.
            if (!isUnparked()) {
                if (timeoutNanos > 0) {
                    LockSupport.parkNanos(this, timeoutNanos);
                } else {
                    LockSupport.park(this);
                }
            }
        } finally {
            stillInSet = poller.deregister(fd);
        }
        if (read) {
            inReadPoller = stillInSet;
        } else {
            inWritePoller = stillInSet;
        }
        return true;
    }

    private boolean isUnparked() {
        lock.lock();
        try {
            return unparked || released;
        } finally {
            lock.unlock();
        }
    }

    static int toPollMillis(long timeoutNanos) {
        if (timeoutNanos <= 0) {
            return -1;
        }
        // Round up: a wait must never end before its deadline.
        long millis = TimeUnit.NANOSECONDS.toMillis(timeoutNanos + 999_999L);
        return (int) Math.min(millis, Integer.MAX_VALUE);
    }

    /**
     * Nanoseconds left of a timeout of {@code nanos} started at {@code start}
     * ({@link System#nanoTime()}), for {@link #park}; 0 (no limit) when {@code nanos} is 0 or
     * {@link Long#MAX_VALUE}.
     *
     * @throws SocketTimeoutException with {@code timeoutMessage} once the time is up
     */
    public static long timeLeft(long start, long nanos, String timeoutMessage)
            throws SocketTimeoutException {
        if (nanos <= 0 || nanos == Long.MAX_VALUE) {
            return 0;
        }
        long left = nanos - (System.nanoTime() - start);
        if (left <= 0) {
            throw new SocketTimeoutException(timeoutMessage);
        }
        return left;
    }

    /**
     * Releases every thread parked now and makes every later {@link #park} return at once.
     *
     * @throws IOException the failed eventfd write, mapped by {@link NioExceptions#io}
     */
    public void unpark() throws IOException {
        lock.lock();
        try {
            if (unparked || released) {
                return;
            }
            unparked = true;
            if (wakeupFd >= 0) {
                sys.eventfdWrite(wakeupFd, 1);
            }
        } catch (ErrnoException e) {
            throw NioExceptions.io(e);
        } finally {
            lock.unlock();
            // After unparked is set: a virtual thread registering from now on sees it.
            VirtualThreadPoller.stopAll(sys, fd);
        }
    }

    /**
     * Closes the descriptor and the wakeup eventfd; idempotent.
     *
     * @throws IOException the failed close, mapped by {@link NioExceptions#io}
     */
    public void release() throws IOException {
        release(fd -> false);
    }

    /**
     * Closes the wakeup eventfd, and the descriptor unless {@code takeOver} takes it (and so
     * the duty to close it); idempotent.
     *
     * @throws IOException the failed close, mapped by {@link NioExceptions#io}
     */
    public void release(IntPredicate takeOver) throws IOException {
        int wakeup;
        lock.lock();
        try {
            if (released) {
                return;
            }
            released = true;
            wakeup = wakeupFd;
            wakeupFd = -1;
        } finally {
            lock.unlock();
        }
        try {
            try {
                if (!takeOver.test(fd)) {
                    sys.close(fd);
                }
            } finally {
                if (wakeup >= 0) {
                    sys.close(wakeup);
                }
            }
        } catch (ErrnoException e) {
            throw NioExceptions.io(e);
        }
    }
}
