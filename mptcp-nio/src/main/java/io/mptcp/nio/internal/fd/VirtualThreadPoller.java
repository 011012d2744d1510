package io.mptcp.nio.internal.fd;

import io.mptcp.ffi.EpollEventBuffer;
import io.mptcp.ffi.Errno;
import io.mptcp.ffi.ErrnoException;
import io.mptcp.ffi.LinuxSyscalls;
import io.mptcp.ffi.LinuxUapi;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Wakes threads parked with {@link LockSupport} when a descriptor becomes ready: how a blocking
 * operation on a virtual thread waits without holding its carrier, as the JDK's
 * {@code sun.nio.ch.Poller} does.
 *
 * <p>A poller is one epoll set and one platform daemon thread blocked in epoll_wait on it.
 * A waiting thread {@linkplain #register registers} its descriptor with {@code EPOLLONESHOT}
 * and parks; the poller thread takes each ready descriptor's waiter out of {@link #waiters} and
 * unparks it. A one-shot entry disarms itself when it fires, so it stays in the epoll set and
 * the next wait re-arms it with {@code EPOLL_CTL_MOD}, one syscall; an entry whose wait ended
 * otherwise (timeout, close, spurious wakeup) is deleted by the waiter. The kernel drops an entry
 * when its file is closed. Every wakeup may be spurious: waiters re-check their state and wait
 * again, as with {@code LockSupport.park} itself.
 *
 * <p>As in the JDK there are two pollers per {@link LinuxSyscalls}, one for reads and one for
 * writes, because an epoll set holds a descriptor once: a reader and a writer on the same socket
 * wait in different sets. Within one set a descriptor has at most one waiter; the channels'
 * read and write locks see to that. The pollers and their threads are created at the first
 * wait, so a program without virtual threads has none, and live as long as the JVM.
 */
public final class VirtualThreadPoller {
    /** Index of the poller for {@code POLLIN} waits; {@link #WRITE} is for the rest. */
    static final int READ = 0;
    static final int WRITE = 1;

    private static final System.Logger LOG = System.getLogger(VirtualThreadPoller.class.getName());

    // The pollers of each LinuxSyscalls (one in production; tests may bring others).
    private static final Map<LinuxSyscalls, Pair> PAIRS = new ConcurrentHashMap<>();

    private final LinuxSyscalls sys;
    private final int epfd;
    private final int kind;
    // Descriptor -> the thread waiting on it. A waiter is taken out exactly once, by whoever
    // ends its wait (poller thread, stop, or the waiter itself), with remove(key[, value]).
    private final ConcurrentHashMap<Integer, Thread> waiters = new ConcurrentHashMap<>();
    // Set by the poller thread if epoll_wait fails for good; new waits then fall back.
    private volatile boolean broken;

    private VirtualThreadPoller(LinuxSyscalls sys, int kind) throws ErrnoException {
        this.sys = sys;
        this.kind = kind;
        this.epfd = sys.epollCreate();
        String name = "mptcp-nio-" + (kind == READ ? "read" : "write") + "-poller";
        // No inherited thread locals: the first waiter may be any application thread.
        Thread thread = new Thread(null, this::pollLoop, name, 0, false);
        thread.setDaemon(true);
        thread.start();
    }

    /** The poller that waits for {@code events} ({@code POLLIN} → read, else write). */
    static VirtualThreadPoller of(LinuxSyscalls sys, int events) throws ErrnoException {
        int kind = (events & LinuxUapi.POLLIN) != 0 ? READ : WRITE;
        return PAIRS.computeIfAbsent(sys, Pair::new).get(kind);
    }

    /**
     * Ends every wait on {@code fd} at once (close of its channel): the waiters are unparked
     * and, finding the channel closed, do not wait again. No-op when nothing waits.
     */
    static void stopAll(LinuxSyscalls sys, int fd) {
        Pair pair = PAIRS.get(sys);
        if (pair != null) {
            pair.stop(fd);
        }
    }

    int kind() {
        return kind;
    }

    /**
     * Arms a one-shot wait of the calling thread for {@code events} on {@code fd}.
     *
     * @param inSet whether an earlier wait left {@code fd} in this poller's set (from
     *     {@link #deregister}): then it is re-armed, else added; a wrong guess costs one more
     *     call (the kernel answers ENOENT or EEXIST) and is corrected
     * @return false, with nothing armed, if another thread waits on {@code fd} here or the
     *     poller is broken: the caller must wait some other way
     */
    boolean register(int fd, int events, boolean inSet) throws ErrnoException {
        Thread me = Thread.currentThread();
        if (waiters.putIfAbsent(fd, me) != null) {
            return false;
        }
        // Read after the put: a poller that broke before it sweeps this entry, one that broke
        // after it is seen here.
        if (broken) {
            waiters.remove(fd, me);
            return false;
        }
        try {
            arm(fd, events | LinuxUapi.EPOLLONESHOT, inSet);
        } catch (ErrnoException e) {
            waiters.remove(fd, me);
            throw e;
        }
        return true;
    }

    private void arm(int fd, int events, boolean inSet) throws ErrnoException {
        int first = inSet ? LinuxUapi.EPOLL_CTL_MOD : LinuxUapi.EPOLL_CTL_ADD;
        try {
            sys.epollCtl(epfd, first, fd, events);
        } catch (ErrnoException e) {
            int expected = inSet ? Errno.ENOENT : Errno.EEXIST;
            if (e.errno() != expected) {
                throw e;
            }
            sys.epollCtl(epfd, inSet ? LinuxUapi.EPOLL_CTL_ADD : LinuxUapi.EPOLL_CTL_MOD, fd,
                    events);
        }
    }

    /**
     * Ends the calling thread's wait on {@code fd}.
     *
     * @return whether {@code fd} is still in the set (disarmed), for the next
     *     {@link #register}
     */
    boolean deregister(int fd) {
        if (!waiters.remove(fd, Thread.currentThread())) {
            // The poller thread (the entry fired and disarmed itself) or stop took it out.
            return true;
        }
        try {
            sys.epollCtl(epfd, LinuxUapi.EPOLL_CTL_DEL, fd, 0);
            return false;
        } catch (ErrnoException e) {
            // ENOENT: it was not in the set after all. Either way, the next wait adds it.
            return false;
        }
    }

    /** Whether a thread waits on {@code fd} here (for tests). */
    boolean isWaiting(int fd) {
        return waiters.containsKey(fd);
    }

    private void stop(int fd) {
        Thread waiter = waiters.remove(fd);
        if (waiter != null) {
            // The entry stays armed until the descriptor is closed; if it fires first, the
            // poller thread finds no waiter and drops the event.
            LockSupport.unpark(waiter);
        }
    }

    private void pollLoop() {
        EpollEventBuffer events;
        try {
            events = new EpollEventBuffer(64);
        } catch (RuntimeException | Error e) {
            fail(e);
            return;
        }
        try {
            for (;;) {
                int n = sys.epollWait(epfd, events, -1);
                for (int i = 0; i < n; i++) {
                    Thread waiter = waiters.remove(events.fd(i));
                    if (waiter != null) {
                        LockSupport.unpark(waiter);
                    }
                }
            }
        } catch (ErrnoException | RuntimeException | Error e) {
            fail(e);
        } finally {
            // This thread is the buffer's only user, and it is done with it.
            events.close();
        }
    }

    /**
     * The poller thread is stopping. Not expected (epoll_wait fails only on a bad epfd or
     * buffer): make it visible, and let no waiter hang. Waiters re-check, and new waits fall
     * back to poll(2).
     */
    private void fail(Throwable e) {
        broken = true;
        LOG.log(System.Logger.Level.ERROR, "mptcp-nio: the virtual-thread poller stopped;"
                + " blocking I/O on virtual threads now pins the carrier thread", e);
        for (Integer fd : waiters.keySet()) {
            Thread waiter = waiters.remove(fd);
            if (waiter != null) {
                LockSupport.unpark(waiter);
            }
        }
    }

    /** The read and write pollers of one {@link LinuxSyscalls}, created on first use. */
    private static final class Pair {
        private final LinuxSyscalls sys;
        // Guards the creation of the pollers; the fields are read without it once set.
        private final ReentrantLock lock = new ReentrantLock();
        private volatile VirtualThreadPoller read;
        private volatile VirtualThreadPoller write;

        Pair(LinuxSyscalls sys) {
            this.sys = sys;
        }

        VirtualThreadPoller get(int kind) throws ErrnoException {
            VirtualThreadPoller p = kind == READ ? read : write;
            if (p != null) {
                return p;
            }
            lock.lock();
            try {
                p = kind == READ ? read : write;
                if (p == null) {
                    p = new VirtualThreadPoller(sys, kind);
                    if (kind == READ) {
                        read = p;
                    } else {
                        write = p;
                    }
                }
                return p;
            } finally {
                lock.unlock();
            }
        }

        void stop(int fd) {
            VirtualThreadPoller r = read;
            VirtualThreadPoller w = write;
            if (r != null) {
                r.stop(fd);
            }
            if (w != null) {
                w.stop(fd);
            }
        }
    }
}
