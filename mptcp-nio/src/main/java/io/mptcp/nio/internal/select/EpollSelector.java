package io.mptcp.nio.internal.select;

import io.mptcp.ffi.EpollEventBuffer;
import io.mptcp.ffi.Errno;
import io.mptcp.ffi.ErrnoException;
import io.mptcp.ffi.LinuxSyscalls;
import io.mptcp.ffi.LinuxUapi;
import io.mptcp.nio.internal.fd.NativeFd;
import io.mptcp.nio.internal.fd.NioExceptions;
import io.mptcp.nio.internal.fd.VirtualThreads;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.IllegalSelectorException;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.spi.AbstractSelectableChannel;
import java.nio.channels.spi.AbstractSelector;
import java.nio.channels.spi.SelectorProvider;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Collections;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

import static io.mptcp.ffi.LinuxUapi.EFD_CLOEXEC;
import static io.mptcp.ffi.LinuxUapi.EFD_NONBLOCK;
import static io.mptcp.ffi.LinuxUapi.EPOLLIN;
import static io.mptcp.ffi.LinuxUapi.EPOLL_CTL_ADD;
import static io.mptcp.ffi.LinuxUapi.EPOLL_CTL_DEL;
import static io.mptcp.ffi.LinuxUapi.EPOLL_CTL_MOD;

/**
 * The selector of this provider: level-triggered epoll with the semantics of the JDK's
 * {@code EPollSelectorImpl}.
 *
 * <ul>
 *   <li>Registrations, interest changes and cancellations may come from any thread while
 *       another thread selects; they take effect at the start of the next selection operation.
 *       Interest changes do not wake the selector.</li>
 *   <li>A key with an empty interest set is not in the epoll set, so a hung-up or failed
 *       channel that the application has muted does not make every select return.</li>
 *   <li>{@link #wakeup()} signals one eventfd; wakeups coalesce until a selection consumes
 *       them.</li>
 *   <li>A cancelled key is flushed by the next selection operation, which also completes the
 *       deferred close of a closed channel once no selector holds it any more.</li>
 * </ul>
 *
 * <p>Lock order, as in the JDK (the whole provider's table is in
 * {@link io.mptcp.nio.internal.fd.Descriptor}): the selector's monitor, then the selected-key
 * set's monitor, then the cancelled-key set's monitor (which {@code AbstractSelector} shares
 * with {@code SelectionKey.cancel}: the one lock of another object this class takes, as the
 * SPI requires); {@code updateLock} and {@code wakeupLock} are leaves.
 */
public final class EpollSelector extends AbstractSelector {
    // Events read per epoll_wait: enough for thousands of registered channels with few active
    // at once; a wait that fills the buffer doubles it, up to MAX_EVENTS.
    private static final int INITIAL_EVENTS = 256;
    private static final int MAX_EVENTS = 8192;

    private final LinuxSyscalls sys;
    private final int epfd;
    private final int eventFd;

    // Concurrent: registration adds from any thread while a selection operation removes.
    private final Set<SelectionKey> keys = ConcurrentHashMap.newKeySet();
    private final Set<SelectionKey> publicKeys = Collections.unmodifiableSet(keys);

    // Guarded by its own monitor, which selection operations and close hold.
    private final SelectedKeySet selectedKeys = new SelectedKeySet();

    // Guarded by this selector's monitor: the event buffer, the keys in the epoll set by
    // descriptor (fds are small dense ints; the array grows to the highest one), and whether
    // a selection operation is running (to refuse one started from a Consumer). The buffer's
    // native memory is freed when it is replaced and at close, both under the monitor, which
    // every epoll_wait into it holds.
    private EpollEventBuffer events;
    private SelectionKeyImpl[] fdToKey = new SelectionKeyImpl[64];
    private boolean inSelect;
    // Created at the first wait of a virtual thread: parks it until the epoll set has events.
    private NativeFd epollParking;

    // Guarded by updateLock: keys whose interest set changed, in the order of the changes.
    private final ReentrantLock updateLock = new ReentrantLock();
    private final ArrayDeque<SelectionKeyImpl> updateKeys = new ArrayDeque<>();

    // Guarded by wakeupLock: true while eventFd is signalled and not yet drained. Close sets it
    // (by a wakeup) and nothing clears it after close, so no wakeup writes to a closed eventfd.
    private final ReentrantLock wakeupLock = new ReentrantLock();
    private boolean interruptTriggered;

    public EpollSelector(SelectorProvider provider, LinuxSyscalls sys) throws IOException {
        super(provider);
        this.sys = sys;
        int ep = -1;
        int efd = -1;
        try {
            ep = sys.epollCreate();
            efd = sys.eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
            sys.epollCtl(ep, EPOLL_CTL_ADD, efd, EPOLLIN);
            // Last: nothing after it can fail and leave the memory unfreed.
            this.events = new EpollEventBuffer(INITIAL_EVENTS);
        } catch (ErrnoException e) {
            throw closeFd(ep, closeFd(efd, NioExceptions.io(e)));
        } catch (RuntimeException | Error e) {
            IOException closing = closeFd(ep, closeFd(efd, null));
            if (closing != null) {
                e.addSuppressed(closing);
            }
            throw e;
        }
        this.epfd = ep;
        this.eventFd = efd;
    }

    /** The event buffer epoll_wait fills now (for tests). */
    synchronized EpollEventBuffer eventBuffer() {
        return events;
    }

    private void ensureOpen() {
        if (!isOpen()) {
            throw new ClosedSelectorException();
        }
    }

    @Override
    public Set<SelectionKey> keys() {
        ensureOpen();
        return publicKeys;
    }

    @Override
    public Set<SelectionKey> selectedKeys() {
        ensureOpen();
        return selectedKeys;
    }

    // ---- selection --------------------------------------------------------------------

    @Override
    public int select() throws IOException {
        return lockAndDoSelect(null, -1);
    }

    @Override
    public int select(long timeout) throws IOException {
        return lockAndDoSelect(null, toWaitMillis(timeout));
    }

    @Override
    public int selectNow() throws IOException {
        return lockAndDoSelect(null, 0);
    }

    @Override
    public int select(Consumer<SelectionKey> action) throws IOException {
        return lockAndDoSelect(Objects.requireNonNull(action, "action"), -1);
    }

    @Override
    public int select(Consumer<SelectionKey> action, long timeout) throws IOException {
        return lockAndDoSelect(Objects.requireNonNull(action, "action"), toWaitMillis(timeout));
    }

    @Override
    public int selectNow(Consumer<SelectionKey> action) throws IOException {
        return lockAndDoSelect(Objects.requireNonNull(action, "action"), 0);
    }

    /** A select timeout (0 = forever) as a wait: -1 forever, otherwise milliseconds. */
    private static long toWaitMillis(long timeout) {
        if (timeout < 0) {
            throw new IllegalArgumentException("Negative timeout: " + timeout);
        }
        return timeout == 0 ? -1 : timeout;
    }

    private int lockAndDoSelect(Consumer<SelectionKey> action, long waitMillis)
            throws IOException {
        synchronized (this) {
            ensureOpen();
            if (inSelect) {
                throw new IllegalStateException("select in progress");
            }
            inSelect = true;
            try {
                synchronized (selectedKeys) {
                    return doSelect(action, waitMillis);
                }
            } finally {
                inSelect = false;
            }
        }
    }

    private int doSelect(Consumer<SelectionKey> action, long waitMillis) throws IOException {
        assert Thread.holdsLock(this) && Thread.holdsLock(selectedKeys);
        processUpdateQueue();
        processDeregisterQueue();
        boolean blocking = waitMillis != 0;
        int ready;
        try {
            if (blocking) {
                // Thread.interrupt now calls wakeup(); the interrupt status stays set.
                begin();
            }
            ready = waitForEvents(waitMillis);
        } catch (ErrnoException e) {
            throw NioExceptions.io(e);
        } finally {
            if (blocking) {
                end();
            }
        }
        processDeregisterQueue();
        return processEvents(ready, action);
    }

    /**
     * epoll_wait for at most {@code waitMillis} (-1: forever, 0: not at all). Returns 0 only
     * when the time is up: a wait that the kernel or a retry cut short goes on for the rest.
     */
    private int waitForEvents(long waitMillis) throws ErrnoException {
        if (waitMillis <= 0) {
            int n;
            do {
                n = epollWait((int) waitMillis);
            } while (n == 0 && waitMillis < 0);
            return n;
        }
        long start = System.nanoTime();
        long timeoutNanos = TimeUnit.MILLISECONDS.toNanos(waitMillis);
        long left = timeoutNanos;
        for (;;) {
            int n = epollWait(epollTimeout(left));
            if (n != 0) {
                return n;
            }
            left = timeoutNanos - (System.nanoTime() - start);
            if (left <= 0) {
                return 0;
            }
        }
    }

    /**
     * epoll_wait; a virtual thread that has to wait parks instead of holding its carrier in
     * the kernel, as the JDK 21+ selector does: the epoll descriptor is readable when the set
     * has events (the wakeup eventfd among them), so the thread waits for that in the shared
     * {@link io.mptcp.nio.internal.VirtualThreadPoller}. May return 0 early; callers loop.
     */
    private int epollWait(int timeoutMillis) throws ErrnoException {
        if (timeoutMillis == 0 || !VirtualThreads.isCurrentVirtual()) {
            return sys.epollWait(epfd, events, timeoutMillis);
        }
        int n = sys.epollWait(epfd, events, 0);
        if (n != 0) {
            return n;
        }
        if (epollParking == null) {
            epollParking = new NativeFd(sys, epfd);
        }
        long nanos = timeoutMillis < 0 ? 0 : TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        if (!epollParking.parkOnPoller(LinuxUapi.POLLIN, nanos)) {
            // The poller could not take the wait: wait in the kernel, pinned but correct.
            return sys.epollWait(epfd, events, timeoutMillis);
        }
        return sys.epollWait(epfd, events, 0);
    }

    /** Milliseconds, rounded up, clamped to what epoll_wait's int holds (the loop waits on). */
    private static int epollTimeout(long nanos) {
        long millis = TimeUnit.NANOSECONDS.toMillis(nanos) + (nanos % 1_000_000 == 0 ? 0 : 1);
        return (int) Math.min(millis, Integer.MAX_VALUE);
    }

    /** Applies the queued interest changes to the epoll set. */
    private void processUpdateQueue() throws IOException {
        assert Thread.holdsLock(this);
        updateLock.lock();
        try {
            SelectionKeyImpl key;
            while ((key = updateKeys.pollFirst()) != null) {
                if (key.isValid()) {
                    updateEpoll(key);
                }
            }
        } finally {
            updateLock.unlock();
        }
    }

    private void updateEpoll(SelectionKeyImpl key) throws IOException {
        int fd = key.fd;
        if (fd >= fdToKey.length) {
            fdToKey = Arrays.copyOf(fdToKey, Math.max(fd + 1, fdToKey.length * 2));
        }
        fdToKey[fd] = key;
        int newEvents = key.translateInterestOps();
        if (key.takeEpollEntryLost()) {
            key.registeredEvents = 0;
        }
        int registered = key.registeredEvents;
        if (newEvents == registered) {
            return;
        }
        // An empty interest set leaves the epoll set: epoll reports EPOLLHUP and EPOLLERR even
        // for no requested events, which would wake every select of a muted channel.
        int op = newEvents == 0 ? EPOLL_CTL_DEL : registered == 0 ? EPOLL_CTL_ADD : EPOLL_CTL_MOD;
        try {
            epollCtlTolerant(op, fd, newEvents);
        } catch (ErrnoException e) {
            throw NioExceptions.io(e);
        }
        key.registeredEvents = newEvents;
    }

    /**
     * epoll_ctl that accepts the epoll set as it really is after a descriptor was replaced
     * (see {@link #descriptorReplaced}) while an older update of the same key was pending:
     * a modification of a forgotten entry adds it, an addition of an existing one modifies it,
     * and a deletion of a forgotten one is done already.
     */
    private void epollCtlTolerant(int op, int fd, int events) throws ErrnoException {
        try {
            sys.epollCtl(epfd, op, fd, events);
        } catch (ErrnoException e) {
            if (op == EPOLL_CTL_MOD && e.errno() == Errno.ENOENT) {
                sys.epollCtl(epfd, EPOLL_CTL_ADD, fd, events);
            } else if (op == EPOLL_CTL_ADD && e.errno() == Errno.EEXIST) {
                sys.epollCtl(epfd, EPOLL_CTL_MOD, fd, events);
            } else if (!(op == EPOLL_CTL_DEL && e.errno() == Errno.ENOENT)) {
                throw e;
            }
        }
    }

    /**
     * The descriptor of {@code key}'s channel names a new file: epoll dropped the old file's
     * entry when it was closed, so the key is queued to be added again. A selection in progress
     * is woken to do it: it may be waiting with nothing else to wake it (a fresh socket reports
     * only hang-up, so a channel in the epoll set before connect wakes it anyway; the wakeup
     * costs one eventfd write and makes this independent of that).
     */
    void descriptorReplaced(SelectionKeyImpl key) {
        setEventOps(key);
        wakeup();
    }

    /**
     * Flushes the cancelled keys: out of epoll, out of the key sets, out of their channels;
     * and a closed channel that no selector holds any more releases its descriptor.
     */
    private void processDeregisterQueue() throws IOException {
        assert Thread.holdsLock(this);
        Set<SelectionKey> cancelled = cancelledKeys();
        synchronized (cancelled) {
            if (cancelled.isEmpty()) {
                return;
            }
            IOException failure = null;
            for (SelectionKey k : cancelled) {
                try {
                    flushCancelled((SelectionKeyImpl) k);
                } catch (IOException e) {
                    failure = addFailure(failure, e);
                }
            }
            cancelled.clear();
            if (failure != null) {
                throw failure;
            }
        }
    }

    private void flushCancelled(SelectionKeyImpl key) throws IOException {
        try {
            if (key.fd < fdToKey.length && fdToKey[key.fd] == key) {
                fdToKey[key.fd] = null;
                if (key.registeredEvents != 0) {
                    key.registeredEvents = 0;
                    epollCtlTolerant(EPOLL_CTL_DEL, key.fd, 0);
                }
            }
        } catch (ErrnoException e) {
            throw NioExceptions.io(e);
        } finally {
            // Even if epoll refused: the channel must leave, or its close would never finish.
            deregisterAndKill(key);
        }
    }

    /** Removes {@code key} from the key sets and its channel; completes a deferred close. */
    private void deregisterAndKill(SelectionKeyImpl key) throws IOException {
        selectedKeys.remove(key);
        keys.remove(key);
        deregister(key);
        SelectableChannel ch = key.channel();
        if (!ch.isOpen() && !ch.isRegistered()) {
            ((NativeChannel) ch).kill();
        }
    }

    private static IOException addFailure(IOException first, IOException next) {
        if (first == null) {
            return next;
        }
        first.addSuppressed(next);
        return first;
    }

    /** Updates the keys that {@code count} epoll events report ready; drains a wakeup. */
    private int processEvents(int count, Consumer<SelectionKey> action) throws IOException {
        assert Thread.holdsLock(this) && Thread.holdsLock(selectedKeys);
        EpollEventBuffer buffer = events;
        boolean woken = false;
        int updated = 0;
        try {
            for (int i = 0; i < count; i++) {
                int fd = buffer.fd(i);
                if (fd == eventFd) {
                    woken = true;
                } else if (fd < fdToKey.length) {
                    SelectionKeyImpl key = fdToKey[fd];
                    // A key cancelled by an earlier action of this loop is not reported.
                    if (key != null && key.isValid()) {
                        updated += processReadyEvents(key, buffer.events(i), action);
                    }
                }
            }
        } finally {
            if (woken) {
                clearWakeup();
            }
        }
        if (count == buffer.capacity() && count < MAX_EVENTS) {
            events = new EpollEventBuffer(count * 2);
            buffer.close();
        }
        return updated;
    }

    /** As the JDK's {@code SelectorImpl.processReadyEvents}: 1 if the key counts as updated. */
    private int processReadyEvents(SelectionKeyImpl key, int epollEvents,
                                   Consumer<SelectionKey> action) {
        int interest = key.nioInterestOps();
        int ready = key.translateReadyOps(epollEvents, interest);
        if (action != null) {
            key.nioReadyOps(ready);
            if ((ready & interest) == 0) {
                return 0;
            }
            action.accept(key);
            // The action may have closed the selector.
            ensureOpen();
            return 1;
        }
        if (selectedKeys.contains(key)) {
            // Already selected: earlier readiness is kept, new readiness is added (Selector spec).
            int old = key.nioReadyOps();
            key.nioReadyOps(old | ready);
            return (ready & ~old) != 0 ? 1 : 0;
        }
        key.nioReadyOps(ready);
        if ((ready & interest) == 0) {
            return 0;
        }
        selectedKeys.addKey(key);
        return 1;
    }

    // ---- registration -----------------------------------------------------------------

    @Override
    protected SelectionKey register(AbstractSelectableChannel ch, int ops, Object attachment) {
        if (!(ch instanceof NativeChannel)) {
            throw new IllegalSelectorException();
        }
        ensureOpen();
        SelectionKeyImpl key = new SelectionKeyImpl(ch, this);
        ((NativeChannel) ch).keyCreated(key);
        if (attachment != null) {
            key.attach(attachment);
        }
        keys.add(key);
        try {
            key.interestOps(ops);
        } catch (CancelledKeyException e) {
            // Another thread found the key in keys() and cancelled it: returning it is allowed.
        }
        if (!isOpen()) {
            // Raced with close(), which may have missed the key.
            keys.remove(key);
            key.cancel();
            throw new ClosedSelectorException();
        }
        return key;
    }

    /** Queues {@code key} for an interest update at the next selection operation. */
    void setEventOps(SelectionKeyImpl key) {
        updateLock.lock();
        try {
            updateKeys.addLast(key);
        } finally {
            updateLock.unlock();
        }
    }

    // ---- wakeup and close -------------------------------------------------------------

    @Override
    public Selector wakeup() {
        wakeupLock.lock();
        try {
            if (!interruptTriggered) {
                sys.eventfdWrite(eventFd, 1);
                interruptTriggered = true;
            }
        } catch (ErrnoException e) {
            // Cannot happen to an open non-blocking eventfd; the JDK throws an Error here.
            throw new UncheckedIOException(NioExceptions.io(e));
        } finally {
            wakeupLock.unlock();
        }
        return this;
    }

    private void clearWakeup() throws IOException {
        wakeupLock.lock();
        try {
            // After close (an action may close the selector) the eventfd is gone and the flag
            // must stay set.
            if (isOpen()) {
                sys.eventfdRead(eventFd);
                interruptTriggered = false;
            }
        } catch (ErrnoException e) {
            throw NioExceptions.io(e);
        } finally {
            wakeupLock.unlock();
        }
    }

    @Override
    protected void implCloseSelector() throws IOException {
        wakeup();
        // Waits for a selection in progress to return, so no thread is in epoll_wait when the
        // descriptors are closed.
        synchronized (this) {
            IOException failure = null;
            synchronized (selectedKeys) {
                for (SelectionKey k : keys) {
                    try {
                        deregisterAndKill((SelectionKeyImpl) k);
                    } catch (IOException e) {
                        failure = addFailure(failure, e);
                    }
                }
            }
            Set<SelectionKey> cancelled = cancelledKeys();
            synchronized (cancelled) {
                cancelled.clear();
            }
            fdToKey = new SelectionKeyImpl[0];
            failure = closeFd(epfd, failure);
            failure = closeFd(eventFd, failure);
            // As the JDK frees its epoll array here. No epoll_wait can be using it: selection
            // operations hold this monitor, and a new one finds the selector closed.
            events.close();
            if (failure != null) {
                throw failure;
            }
        }
    }

    /** Closes {@code fd} unless negative; returns {@code failure} with any new one added. */
    private IOException closeFd(int fd, IOException failure) {
        if (fd < 0) {
            return failure;
        }
        try {
            sys.close(fd);
            return failure;
        } catch (ErrnoException e) {
            return addFailure(failure, NioExceptions.io(e));
        }
    }
}
