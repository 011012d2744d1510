package io.mptcp.nio.internal.stream;

import io.mptcp.ffi.EpollEventBuffer;
import io.mptcp.ffi.ErrnoException;
import io.mptcp.ffi.LinuxSyscalls;
import io.mptcp.ffi.LinuxUapi;

import java.lang.System.Logger.Level;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Closes connected MPTCP sockets the way the kernel closes TCP sockets, which it does not do
 * for MPTCP (docs/kernel-traps.md, item 16). TCP resets a connection closed with unread data
 * and answers data that arrives <em>after</em> the close with a reset, so the peer's writer
 * fails at once. MPTCP (Linux 6.18) has only the first rule, and only for data already moved
 * to the MPTCP-level queue: an orphaned MPTCP socket keeps accepting and acknowledging data
 * nobody will read, and the peer's writer hangs for 60 s.
 *
 * <p>So when the last user of such a descriptor lets go, instead of close(2):
 * <ol>
 *   <li>data queued → abortive close: connect(2) to {@code AF_UNSPEC} (RST and MP_FASTCLOSE
 *       on every subflow, on every kernel), then close(2);</li>
 *   <li>end of stream (the peer's DATA_FIN), unless this library shut the reading side down
 *       itself → close(2): nothing more can arrive;</li>
 *   <li>otherwise shutdown(SHUT_WR) (the DATA_FIN the peer would get from close(2)), and this
 *       watch keeps the descriptor in an edge-triggered epoll set for at most the kernel's
 *       own orphan lifetime (60 s): data arriving → abortive close, as TCP's
 *       {@code TCPAbortOnData}; end of stream or error → close(2).</li>
 * </ol>
 * A program that reads what it is sent sees no difference: the peer gets every byte and a
 * clean end of stream. At most {@code io.mptcp.nio.orphans} descriptors (default 1024; 0
 * turns the watch off) are kept; beyond that a socket is closed as the kernel closes it.
 */
final class OrphanWatch {
    /** The most sockets watched at once; 0 turns the watch off. */
    static final String MAX_PROPERTY = "io.mptcp.nio.orphans";
    private static final int DEFAULT_MAX = 1024;
    // TCP_TIMEWAIT_LEN: the lifetime the kernel gives an orphaned MPTCP socket anyway.
    private static final long LIFETIME_NANOS = TimeUnit.SECONDS.toNanos(60);
    private static final int EVENTS = 64;

    private static final System.Logger LOG = System.getLogger(OrphanWatch.class.getName());
    private static final ConcurrentMap<LinuxSyscalls, OrphanWatch> WATCHES =
            new ConcurrentHashMap<>();

    private final LinuxSyscalls sys;
    private final int max;

    // Guards the fields below. Taken after a channel's state lock (close runs under it);
    // never held across epoll_wait.
    private final ReentrantLock lock = new ReentrantLock();
    private final Map<Integer, Orphan> orphans = new HashMap<>();
    private int epfd = -1;
    private int wakeupFd = -1;
    private boolean started;

    /** A socket being watched: until when, and whether end of stream can be trusted. */
    private record Orphan(long deadline, boolean readShut) {
    }

    private OrphanWatch(LinuxSyscalls sys) {
        this.sys = sys;
        this.max = Math.max(0, Integer.getInteger(MAX_PROPERTY, DEFAULT_MAX));
    }

    /** The watch of the native seam {@code sys} (one per process in practice). */
    static OrphanWatch of(LinuxSyscalls sys) {
        return WATCHES.computeIfAbsent(sys, OrphanWatch::new);
    }

    /**
     * Closes {@code fd}, a connected MPTCP socket that has not fallen back to TCP and that no
     * thread or selector uses any more. Takes ownership of {@code fd} in every case.
     *
     * @param readShut whether this library shut the reading side down (to wake a blocked
     *     reader): end of stream then says nothing about the peer
     */
    void close(int fd, boolean readShut) {
        try {
            int peeked = sys.peek(fd);
            if (peeked > 0) {
                abort(fd);
                return;
            }
            if ((peeked == 0 && !readShut) || !adopt(fd, readShut)) {
                closeQuietly(fd);
            }
        } catch (ErrnoException e) {
            // ENOTCONN or a reset: the connection is gone, so nothing can hang on it.
            closeQuietly(fd);
        }
    }

    /** Starts watching {@code fd}; false if the watch is full or off. */
    private boolean adopt(int fd, boolean readShut) throws ErrnoException {
        lock.lock();
        try {
            if (orphans.size() >= max) {
                return false;
            }
            start();
            sys.shutdown(fd, LinuxUapi.SHUT_WR);
            sys.epollCtl(epfd, LinuxUapi.EPOLL_CTL_ADD, fd,
                    LinuxUapi.EPOLLIN | LinuxUapi.EPOLLRDHUP | LinuxUapi.EPOLLET);
            orphans.put(fd, new Orphan(System.nanoTime() + LIFETIME_NANOS, readShut));
            if (orphans.size() == 1) {
                // The thread may be waiting without a timeout: it has a deadline to keep now.
                sys.eventfdWrite(wakeupFd, 1);
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    private void start() throws ErrnoException {
        assert lock.isHeldByCurrentThread();
        if (started) {
            return;
        }
        epfd = sys.epollCreate();
        wakeupFd = sys.eventfd(0, LinuxUapi.EFD_NONBLOCK | LinuxUapi.EFD_CLOEXEC);
        sys.epollCtl(epfd, LinuxUapi.EPOLL_CTL_ADD, wakeupFd, LinuxUapi.EPOLLIN);
        Thread t = new Thread(this::run, "mptcp-nio-orphan-watch");
        t.setDaemon(true);
        t.start();
        started = true;
    }

    private void run() {
        EpollEventBuffer events = new EpollEventBuffer(EVENTS);
        while (true) {
            try {
                int n = sys.epollWait(epfd, events, waitMillis());
                for (int i = 0; i < n; i++) {
                    int fd = events.fd(i);
                    if (fd == wakeupFd) {
                        sys.eventfdRead(wakeupFd);
                    } else {
                        check(fd, events.events(i));
                    }
                }
                expire();
            } catch (ErrnoException | RuntimeException e) {
                // Keep watching: a socket that cannot be checked is closed at its deadline.
                LOG.log(Level.WARNING, "mptcp-nio: the orphan watch failed once", e);
            }
        }
    }

    /** Until the next deadline, or without limit when nothing is watched. */
    private int waitMillis() {
        lock.lock();
        try {
            long next = Long.MAX_VALUE;
            for (Orphan o : orphans.values()) {
                next = Math.min(next, o.deadline);
            }
            if (next == Long.MAX_VALUE) {
                return -1;
            }
            long left = next - System.nanoTime();
            return (int) Math.max(0, Math.min(Integer.MAX_VALUE,
                    TimeUnit.NANOSECONDS.toMillis(left) + 1));
        } finally {
            lock.unlock();
        }
    }

    private void check(int fd, int events) {
        Orphan orphan;
        lock.lock();
        try {
            orphan = orphans.get(fd);
        } finally {
            lock.unlock();
        }
        if (orphan == null) {
            return;
        }
        try {
            int peeked = sys.peek(fd);
            if (peeked > 0) {
                forget(fd);
                abort(fd);
            } else if ((peeked == 0 && !orphan.readShut)
                    || (events & LinuxUapi.EPOLLERR) != 0) {
                forget(fd);
                closeQuietly(fd);
            }
            // Otherwise (nothing queued, or an end of stream this library caused) keep
            // watching: EPOLLHUP comes from our own two shutdowns, not from the peer.
        } catch (ErrnoException e) {
            forget(fd);
            closeQuietly(fd);
        }
    }

    private void expire() {
        long now = System.nanoTime();
        lock.lock();
        try {
            for (Iterator<Map.Entry<Integer, Orphan>> it = orphans.entrySet().iterator();
                    it.hasNext();) {
                Map.Entry<Integer, Orphan> e = it.next();
                if (now - e.getValue().deadline >= 0) {
                    it.remove();
                    closeQuietly(e.getKey());
                }
            }
        } finally {
            lock.unlock();
        }
    }

    private void forget(int fd) {
        lock.lock();
        try {
            orphans.remove(fd);
        } finally {
            lock.unlock();
        }
    }

    /** RST and MP_FASTCLOSE to the peer, as TCP answers data sent to a closed socket. */
    private void abort(int fd) {
        try {
            sys.disconnect(fd);
        } catch (ErrnoException e) {
            // Already reset or closed by the peer: the close below is all that is left.
        }
        closeQuietly(fd);
    }

    private void closeQuietly(int fd) {
        try {
            sys.close(fd);
        } catch (ErrnoException e) {
            // close(2) released the descriptor even if it reported an error; the channel
            // that owned it was closed long ago and has nobody to report to.
            LOG.log(Level.DEBUG, "mptcp-nio: close of an orphaned MPTCP socket failed", e);
        }
    }

    /** How many sockets are watched now (for tests). */
    int watched() {
        lock.lock();
        try {
            return orphans.size();
        } finally {
            lock.unlock();
        }
    }
}
