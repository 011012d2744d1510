package io.mptcp.nio.internal.fd;

import io.mptcp.ffi.ErrnoException;
import io.mptcp.ffi.LinuxSyscalls;

import java.io.IOException;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedChannelException;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * The life of one channel's descriptor, as the JDK's channel classes each spell it out: the
 * locks, the brackets around operations that may block (so that close and interrupt can find
 * and wake the threads inside), the two-phase close and the release by the last user. Every
 * channel kind of this provider (stream, listener, datagram, pipe) owns one and adds only
 * what is its own, through {@link CloseSteps}.
 *
 * <p>Close is two-phase, as in the JDK: {@link #close()} marks the descriptor closing at once;
 * the descriptor is released only when no thread is blocked in an operation and no selector
 * holds the channel. In blocking mode close must not wait (an interrupt runs close while
 * holding the blocked thread's interrupt lock, which that thread needs in order to leave), so
 * it wakes the blocked threads and the last one out releases; in non-blocking mode operations
 * are short and close waits for them. A selector that lets go of the channel last releases it
 * through {@link #kill()}.
 *
 * <h2>Locks</h2>
 * <p>The one table of lock order for the whole provider: take locks left to right, never
 * back. Every other lock of the provider is a leaf (taken alone, nothing taken under it):
 * {@code EpollSelector}'s {@code updateLock} and {@code wakeupLock},
 * {@code VirtualThreadPoller}'s, {@code InheritedChannels}'.
 * <pre>
 *   selector monitor → selected-key set → cancelled-key set     (the JDK's SPI order)
 *   readLock → writeLock → stateLock → NativeFd's lock
 *   stateLock → OrphanWatch's lock (a stream socket's release hands it over)
 *   MembershipKey lock → stateLock
 *   DatagramPacket monitor (java.net's contract) → DatagramPacketLengths.LOCK
 * </pre>
 * The JDK's own {@code regLock}/{@code keyLock} of a channel sit between the selector's
 * monitors and the channel's locks; the selector calls a channel's {@code kill()} (which takes
 * the state lock) only with its own monitors held.
 * <ul>
 *   <li>{@code readLock}: held by the thread reading, receiving, accepting or connecting, for
 *       the whole operation.</li>
 *   <li>{@code writeLock}: held by the thread writing, sending or connecting, for the whole
 *       operation.</li>
 *   <li>{@code stateLock}: guards the life-cycle fields here and whatever state the owning
 *       channel keeps beside them (addresses, connection state); held only for short
 *       non-blocking calls, <em>never across a park</em>.</li>
 * </ul>
 * Only this class takes these locks. Channels run code under them through
 * {@link #lockRead()}/{@link #lockWrite()} (the operation brackets), {@link #locked},
 * {@link #withState},
 * {@link #withOpenState} and {@link #withAllLocks} (the one idiom that takes all three), and
 * state a precondition with {@code assert descriptor.holdsStateLock()}.
 */
public final class Descriptor {

    /** The channel a descriptor serves: its public state and its protected begin/end. */
    public interface Owner {
        boolean isOpen();

        boolean isBlocking();

        boolean isRegistered();

        /** {@code AbstractInterruptibleChannel.begin()}: an interrupt closes the channel. */
        void begin();

        /** {@code AbstractInterruptibleChannel.end(completed)}. */
        void end(boolean completed) throws AsynchronousCloseException;

        /** Closes the channel (after a failed connect, as the JDK does). */
        void close() throws IOException;
    }

    /** Which of the two operations that may block at once a bracket is for. */
    public enum Op {
        /** Reading, receiving, accepting or connecting. */
        READ,
        /** Writing or sending. */
        WRITE
    }

    /**
     * Whether an operation checks that its channel is open before {@link #begin}, on the
     * running JDK. The place decides what a thread gets that closed the channel itself
     * beforehand: a check made first throws {@link ClosedChannelException}; a check made
     * within begin throws it too, but {@link #end} then reports the close as
     * {@link AsynchronousCloseException}, which replaces it. Only blocking operations
     * differ (a non-blocking one has no end to report). The JDK moved the check first for
     * more operations over its releases, so each constant names the release since which the
     * JDK's own channels check first, measured on 17.0.15 and 25 and read in their sources.
     */
    public enum OpenCheck {
        /** Socket read and write, scatter/gather and the adaptor's streams: every release. */
        SOCKET_IO(17),
        /** Datagram send, receive, read and write: since JDK 23 (JDK-8329190). */
        DATAGRAM_IO(23),
        /**
         * Accept, connect, finishConnect, pipe read and write: JDK 25 checks first, JDK 17
         * and 21 within begin (their sources); JDK 22 to 24 are taken to be as 21 (not
         * measured).
         */
        ACCEPT_CONNECT_PIPE(25);

        private final boolean first;

        OpenCheck(int sinceFeature) {
            this.first = Runtime.version().feature() >= sinceFeature;
        }

        /** Whether the running JDK checks first. */
        public boolean first() {
            return first;
        }
    }

    /**
     * What a channel kind adds to {@link #close()}. Each step runs under the state lock, so it
     * sees the state as close left it.
     */
    public interface CloseSteps {
        /** Once the state is closing, before anything else (multicast keys go invalid). */
        default void closing() {
        }

        /**
         * Blocking mode, threads still inside: wake those waiting in the kernel rather than in
         * {@link NativeFd#park} (which close unparks itself).
         */
        default void wakeBlocked() {
        }

        /** Non-blocking mode: the release waits for a selector; the descriptor lives on. */
        default void releaseDeferred() {
        }

        /**
         * When nothing uses the descriptor any more: takes it over instead of having it
         * closed now (returns true; it must then close it itself), or not (false).
         */
        default boolean takeOver(int fd) {
            return false;
        }

        /**
         * The descriptor was just released (nobody uses it any more): release what the
         * channel owns beside it (the event channel's netlink sockets).
         */
        default void released() {
        }
    }

    /** A short piece of work run under a lock. */
    @FunctionalInterface
    public interface LockedCall<T> {
        T run() throws IOException;
    }

    private static final CloseSteps NO_STEPS = new CloseSteps() { };

    private static final int ST_INUSE = 0;
    private static final int ST_CLOSING = 1;
    private static final int ST_CLOSED = 2;

    private final Owner owner;
    private final NativeFd nfd;
    private final CloseSteps steps;

    private final ReentrantLock readLock = new ReentrantLock();
    private final ReentrantLock writeLock = new ReentrantLock();
    private final ReentrantLock stateLock = new ReentrantLock();

    // -- the following fields are guarded by stateLock (state is volatile for the checks made
    //    without it)
    private volatile int state = ST_INUSE;
    // Whether a thread is in (or about to enter) a blocking operation of each kind.
    private boolean readerBlocked;
    private boolean writerBlocked;
    // -- end of the fields guarded by stateLock

    // Run at the end of close (an inherited channel detaches the standard streams); set before
    // the channel is handed out.
    private volatile AfterClose afterClose;

    public Descriptor(Owner owner, LinuxSyscalls sys, int fd, CloseSteps steps) {
        this.owner = owner;
        this.nfd = new NativeFd(sys, fd);
        this.steps = steps != null ? steps : NO_STEPS;
    }

    public Descriptor(Owner owner, LinuxSyscalls sys, int fd) {
        this(owner, sys, fd, null);
    }

    public int fd() {
        return nfd.fd();
    }

    public LinuxSyscalls sys() {
        return nfd.sys();
    }

    public Owner owner() {
        return owner;
    }

    /**
     * Runs {@code hook} at the end of every future {@link #close()}, after the state turned
     * closing and blocked threads were woken, whether or not the descriptor is released yet
     * (the JDK's inherited channels detach the standard streams at that moment).
     */
    public void onClose(AfterClose hook) {
        this.afterClose = hook;
    }

    /** Whether close has begun (closing or closed). */
    public boolean isClosing() {
        return state != ST_INUSE;
    }

    // ---- locks --------------------------------------------------------------------------

    public void lockRead() {
        readLock.lock();
    }

    public void unlockRead() {
        readLock.unlock();
    }

    public void lockWrite() {
        writeLock.lock();
    }

    public void unlockWrite() {
        writeLock.unlock();
    }

    /** For {@code assert}: whether this thread holds the state lock. */
    public boolean holdsStateLock() {
        return stateLock.isHeldByCurrentThread();
    }

    /** For {@code assert}: whether this thread holds the read lock. */
    public boolean holdsReadLock() {
        return readLock.isHeldByCurrentThread();
    }

    /** For {@code assert}: whether this thread holds the write lock. */
    public boolean holdsWriteLock() {
        return writeLock.isHeldByCurrentThread();
    }

    /** Runs {@code call} under the state lock. */
    public <T> T withState(LockedCall<T> call) throws IOException {
        stateLock.lock();
        try {
            return call.run();
        } finally {
            stateLock.unlock();
        }
    }

    /** Runs {@code call}, which throws nothing checked, under the state lock. */
    public <T> T locked(Supplier<T> call) {
        stateLock.lock();
        try {
            return call.get();
        } finally {
            stateLock.unlock();
        }
    }

    /**
     * Runs {@code call} under the state lock once the channel is known to be open, as the
     * JDK's {@code setOption}/{@code getOption}/{@code getLocalAddress} run.
     */
    public <T> T withOpenState(LockedCall<T> call) throws IOException {
        stateLock.lock();
        try {
            ensureOpen();
            return call.run();
        } finally {
            stateLock.unlock();
        }
    }

    /**
     * Runs {@code call} with every lock held and the channel open: no other thread uses the
     * descriptor meanwhile (bind, a protocol switch, a change of blocking mode).
     */
    public <T> T withAllLocks(LockedCall<T> call) throws IOException {
        readLock.lock();
        try {
            writeLock.lock();
            try {
                return withOpenState(call);
            } finally {
                writeLock.unlock();
            }
        } finally {
            readLock.unlock();
        }
    }

    /**
     * Runs {@code call} with every lock held, open or closed (the JDK's
     * {@code DatagramChannel.disconnect} does nothing on a closed channel instead of throwing).
     */
    public <T> T withAllLocksOpenOrNot(LockedCall<T> call) throws IOException {
        readLock.lock();
        try {
            writeLock.lock();
            try {
                return withState(call);
            } finally {
                writeLock.unlock();
            }
        } finally {
            readLock.unlock();
        }
    }

    public void ensureOpen() throws ClosedChannelException {
        if (!owner.isOpen()) {
            throw new ClosedChannelException();
        }
    }

    /**
     * Before {@link #begin}, outside the try whose finally calls {@link #end}: checks that the
     * channel is open where the running JDK checks it first for {@code operation}.
     */
    public void ensureOpenFirst(OpenCheck operation) throws ClosedChannelException {
        if (operation.first()) {
            ensureOpen();
        }
    }

    // ---- brackets of operations that may block --------------------------------------------

    /**
     * Starts an operation: when {@code blocking}, arms interrupt handling
     * ({@link Owner#begin()}), then, under the state lock, checks that the channel is open and
     * records that a thread may block in {@code op}. Pair with {@link #end}; the caller holds
     * the operation's lock.
     */
    public void begin(Op op, boolean blocking) throws ClosedChannelException {
        if (blocking) {
            owner.begin();
        }
        stateLock.lock();
        try {
            ensureOpen();
            if (blocking) {
                setBlocked(op, true);
            }
        } finally {
            stateLock.unlock();
        }
    }

    /**
     * {@link #begin}, with the channel's own checks run under the state lock after the open
     * check; if they throw, nothing is recorded.
     */
    public <T> T begin(Op op, boolean blocking, LockedCall<T> checks) throws IOException {
        if (blocking) {
            owner.begin();
        }
        stateLock.lock();
        try {
            ensureOpen();
            T result = checks.run();
            if (blocking) {
                setBlocked(op, true);
            }
            return result;
        } finally {
            stateLock.unlock();
        }
    }

    /**
     * Ends an operation begun with {@link #begin}: finishes a close that waited for it and,
     * when blocking, reports an asynchronous close or interrupt ({@link Owner#end}).
     */
    public void end(Op op, boolean blocking, boolean completed)
            throws AsynchronousCloseException {
        if (blocking) {
            stateLock.lock();
            try {
                setBlocked(op, false);
                if (state == ST_CLOSING) {
                    tryFinishClose();
                }
            } finally {
                stateLock.unlock();
            }
            owner.end(completed);
        }
    }

    private void setBlocked(Op op, boolean blocked) {
        if (op == Op.READ) {
            readerBlocked = blocked;
        } else {
            writerBlocked = blocked;
        }
    }

    /** For the close steps: whether a thread is blocked in {@code op}. */
    public boolean isBlocked(Op op) {
        assert holdsStateLock();
        return op == Op.READ ? readerBlocked : writerBlocked;
    }

    /**
     * Parks the calling thread until {@code events} or close; see {@link NativeFd#park}. A
     * failed poll maps as the JDK's {@code Net.poll} ({@link NioExceptions#socket}).
     */
    public void park(int events, long nanos) throws IOException {
        try {
            nfd.park(events, nanos);
        } catch (ErrnoException e) {
            throw NioExceptions.socket(e);
        }
    }

    /** {@link #park} without the mapping to an {@link IOException}. */
    public int parkRaw(int events, long nanos) throws ErrnoException {
        return nfd.park(events, nanos);
    }

    // ---- close ------------------------------------------------------------------------------

    /** The channel's {@code implCloseSelectableChannel}. */
    public void close() throws IOException {
        boolean blocking = owner.isBlocking();
        stateLock.lock();
        try {
            state = ST_CLOSING;
            steps.closing();
            if (blocking && !tryRelease()) {
                steps.wakeBlocked();
                nfd.unpark();
            }
        } finally {
            stateLock.unlock();
        }
        if (!blocking) {
            // Non-blocking operations are short: wait for any in progress to finish.
            readLock.lock();
            readLock.unlock();
            writeLock.lock();
            writeLock.unlock();
            stateLock.lock();
            try {
                if (state == ST_CLOSING && !tryRelease()) {
                    steps.releaseDeferred();
                }
            } finally {
                stateLock.unlock();
            }
        }
        AfterClose hook = afterClose;
        if (hook != null) {
            hook.run();
        }
    }

    /** The channel's {@code kill()}: the last selector let go; release if closing. */
    public void kill() {
        stateLock.lock();
        try {
            if (state == ST_CLOSING) {
                tryFinishClose();
            }
        } finally {
            stateLock.unlock();
        }
    }

    /** Releases the descriptor if nothing uses it any more. */
    private boolean tryRelease() throws IOException {
        assert holdsStateLock();
        if (!readerBlocked && !writerBlocked && !owner.isRegistered()) {
            state = ST_CLOSED;
            try {
                nfd.release(steps::takeOver);
            } finally {
                steps.released();
            }
            return true;
        }
        return false;
    }

    private void tryFinishClose() {
        try {
            tryRelease();
        } catch (IOException ignore) {
            // close(2) released the descriptor even if it reported an error, and nobody is
            // left to report to: the thread finishing the close is not the one that closed.
        }
    }
}
