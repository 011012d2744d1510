package io.mptcp.nio.internal.stream;

import io.mptcp.ffi.ErrnoException;
import io.mptcp.ffi.LinuxSyscalls;
import io.mptcp.ffi.LinuxUapi;
import io.mptcp.nio.internal.fd.AfterClose;
import io.mptcp.nio.internal.fd.NativeFd;
import io.mptcp.nio.internal.fd.NioExceptions;
import io.mptcp.nio.internal.fd.VirtualThreads;
import io.mptcp.nio.internal.options.NativeSocketOptions;
import io.mptcp.nio.internal.select.NativeChannel;

import java.io.IOException;
import java.net.StandardSocketOptions;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.NotYetConnectedException;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The life cycle of a stream socket's descriptor, as in the JDK's {@code SocketChannelImpl}:
 * the states, the locks, the brackets around operations that may block (so that close and
 * interrupt can find and wake the threads inside), the descriptor's blocking mode, and the
 * two-phase close. {@link StreamSocket} adds the operations.
 *
 * <p>As in the JDK, the descriptor is blocking exactly while the channel is in blocking mode
 * and connected, so a blocking read or write is one syscall that waits in the kernel. Connect
 * and the adaptor's timed read keep it non-blocking and {@linkplain NativeFd#park park} in
 * poll(2). Close and interrupt wake a thread waiting in the kernel with shutdown(2) and one
 * parked in poll through {@link NativeFd#unpark()} (the JDK uses a signal for both). Close is
 * two-phase as in the JDK: the state goes to CLOSING at once; the descriptor is released only
 * when no thread is blocked in it and no selector holds it (the last one calls {@link #kill()}).
 */
public abstract class StreamSocketState {

    /**
     * What the state machine needs from the channel it serves: the
     * {@code AbstractInterruptibleChannel} hooks (protected there, so each channel passes an
     * adapter) and its open, blocking and registered state.
     */
    interface Owner {
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

    static final int ST_UNCONNECTED = 0;
    static final int ST_CONNECTIONPENDING = 1;
    static final int ST_CONNECTED = 2;
    static final int ST_CLOSING = 3;
    static final int ST_CLOSED = 4;

    final LinuxSyscalls sys;
    final NativeFd nfd;
    final int fd;
    final NativeSocketOptions options;
    final Owner owner;

    // Held by the thread reading or connecting.
    final ReentrantLock readLock = new ReentrantLock();
    // Held by the thread writing or connecting.
    final ReentrantLock writeLock = new ReentrantLock();
    // Guards the fields below and the addresses of StreamSocket; held only for short
    // non-blocking calls, never across a park.
    final ReentrantLock stateLock = new ReentrantLock();

    volatile int state;
    // Whether a thread is parked (or about to park) in a blocking read/connect or write.
    boolean readerParked;
    boolean writerParked;
    volatile boolean isInputClosed;
    volatile boolean isOutputClosed;
    // Run after the channel is closed (inherited channels detach stdio); set before the
    // channel is handed out, read by the closing thread.
    private volatile AfterClose afterClose;

    // Whether the descriptor is in blocking mode (O_NONBLOCK clear). Changed under stateLock
    // by a thread holding readLock or writeLock; volatile for the checks made without it.
    // It is blocking exactly while the channel is in blocking mode and connected (and no
    // virtual thread has used it, see forcedNonBlocking), as the JDK's: a blocking read then
    // waits inside recvmsg, not in poll(2), which matters for MPTCP (a receiver waiting in poll
    // suffers the kernel's 200 ms zero-window stalls about five times as often as one blocked
    // in recvmsg; see the README), and a round trip costs no poll.
    volatile boolean fdBlocking;
    // Set, under stateLock, by the first blocking operation on a virtual thread; from then on
    // the descriptor stays non-blocking (as the JDK's), so that every blocking wait parks in
    // NativeFd, where a virtual thread releases its carrier, instead of waiting in the kernel.
    private volatile boolean forcedNonBlocking;

    StreamSocketState(Owner owner, LinuxSyscalls sys, int fd, NativeSocketOptions options) {
        this.owner = owner;
        this.sys = sys;
        this.fd = fd;
        this.options = options;
        this.nfd = new NativeFd(sys, fd);
    }

    /** Runs {@code hook} after the channel is closed (inherited channels detach stdio). */
    public final void onClose(AfterClose hook) {
        this.afterClose = hook;
    }

    final int fd() {
        return fd;
    }

    final boolean isInputOpen() {
        return !isInputClosed;
    }

    final boolean isOutputOpen() {
        return !isOutputClosed;
    }

    final boolean isConnected() {
        return state == ST_CONNECTED;
    }

    final boolean isConnectionPending() {
        return state == ST_CONNECTIONPENDING;
    }

    /** A short call under the state lock. */
    @FunctionalInterface
    interface LockedCall<T> {
        T run() throws IOException;
    }

    /**
     * Runs {@code call} under the state lock once the channel is known to be open, as the
     * JDK's {@code setOption}/{@code getOption} run.
     */
    final <T> T withOpenState(LockedCall<T> call) throws IOException {
        stateLock.lock();
        try {
            ensureOpen();
            return call.run();
        } finally {
            stateLock.unlock();
        }
    }

    // ---- brackets of operations that may block ------------------------------------------

    final void ensureOpen() throws ClosedChannelException {
        if (!owner.isOpen()) {
            throw new ClosedChannelException();
        }
    }

    final void ensureOpenAndConnected() throws ClosedChannelException {
        int s = state;
        if (s < ST_CONNECTED) {
            throw new NotYetConnectedException();
        } else if (s > ST_CONNECTED) {
            throw new ClosedChannelException();
        }
    }

    final void park(int events, long nanos) throws IOException {
        try {
            nfd.park(events, nanos);
        } catch (ErrnoException e) {
            throw NioExceptions.io(e);
        }
    }

    final void beginRead(boolean blocking) throws ClosedChannelException {
        if (!blocking) {
            // Nothing to publish for close: it waits for readLock instead (state is volatile).
            ensureOpenAndConnected();
            return;
        }
        owner.begin();
        stateLock.lock();
        try {
            ensureOpenAndConnected();
            readerParked = true;
        } finally {
            stateLock.unlock();
        }
    }

    final void endRead(boolean blocking, boolean completed) throws AsynchronousCloseException {
        if (blocking) {
            stateLock.lock();
            try {
                readerParked = false;
                if (state == ST_CLOSING) {
                    tryFinishClose();
                }
            } finally {
                stateLock.unlock();
            }
            owner.end(completed);
        }
    }

    final void beginWrite(boolean blocking) throws ClosedChannelException {
        if (!blocking) {
            ensureOpenAndConnected();
            if (isOutputClosed) {
                throw new ClosedChannelException();
            }
            return;
        }
        owner.begin();
        stateLock.lock();
        try {
            ensureOpenAndConnected();
            if (isOutputClosed) {
                throw new ClosedChannelException();
            }
            writerParked = true;
        } finally {
            stateLock.unlock();
        }
    }

    final void endWrite(boolean blocking, boolean completed) throws AsynchronousCloseException {
        if (blocking) {
            stateLock.lock();
            try {
                writerParked = false;
                if (state == ST_CLOSING) {
                    tryFinishClose();
                }
            } finally {
                stateLock.unlock();
            }
            owner.end(completed);
        }
    }

    // ---- blocking mode and close ----------------------------------------------------------

    /** {@code implConfigureBlocking}. */
    final void configureBlocking(boolean block) throws IOException {
        readLock.lock();
        try {
            writeLock.lock();
            try {
                stateLock.lock();
                try {
                    ensureOpen();
                    setFdBlocking(block && state == ST_CONNECTED);
                } finally {
                    stateLock.unlock();
                }
            } finally {
                writeLock.unlock();
            }
        } finally {
            readLock.unlock();
        }
    }

    /**
     * Puts the descriptor in the mode the channel wants now: blocking while the channel is
     * blocking and connected. Caller holds readLock and writeLock (or owns the channel alone).
     */
    final void restoreFdBlocking() throws IOException {
        setFdBlocking(owner.isBlocking() && state == ST_CONNECTED);
    }

    final void setFdBlocking(boolean block) throws IOException {
        if (fdBlocking != block) {
            stateLock.lock();
            try {
                block &= !forcedNonBlocking;
                if (fdBlocking != block) {
                    sys.setBlocking(fd, block);
                    fdBlocking = block;
                }
            } catch (ErrnoException e) {
                throw NioExceptions.socket(e);
            } finally {
                stateLock.unlock();
            }
        }
    }

    /**
     * Before a blocking operation: on a virtual thread, turns the descriptor non-blocking for
     * good, so the operation parks the virtual thread instead of holding its carrier in the
     * kernel. A platform thread pays one check. Caller holds readLock or writeLock.
     */
    final void configureNonBlockingIfVirtualThread() throws IOException {
        if (VirtualThreads.isCurrentVirtual() && !forcedNonBlocking) {
            stateLock.lock();
            try {
                ensureOpen();
                forcedNonBlocking = true;
                setFdBlocking(false);
            } finally {
                stateLock.unlock();
            }
        }
    }

    /** {@code implCloseSelectableChannel}. */
    final void implClose() throws IOException {
        if (owner.isBlocking()) {
            implCloseBlockingMode();
        } else {
            implCloseNonBlockingMode();
        }
        AfterClose hook = afterClose;
        if (hook != null) {
            hook.run();
        }
    }

    private void implCloseBlockingMode() throws IOException {
        stateLock.lock();
        try {
            boolean connected = state == ST_CONNECTED;
            state = ST_CLOSING;
            if (!tryClose()) {
                if (connected) {
                    shutdownOutputUnlessLingerZero();
                    wakeThreadsBlockedInKernel();
                }
                nfd.unpark();
            }
        } finally {
            stateLock.unlock();
        }
    }

    private void implCloseNonBlockingMode() throws IOException {
        boolean connected;
        stateLock.lock();
        try {
            connected = state == ST_CONNECTED;
            state = ST_CLOSING;
        } finally {
            stateLock.unlock();
        }
        // Non-blocking operations are short: wait for any in progress to finish.
        readLock.lock();
        readLock.unlock();
        writeLock.lock();
        writeLock.unlock();
        stateLock.lock();
        try {
            if (state == ST_CLOSING && !tryClose() && connected && owner.isRegistered()) {
                // The descriptor lives on until the selector lets go: let the peer see EOF now.
                shutdownOutputUnlessLingerZero();
            }
        } finally {
            stateLock.unlock();
        }
    }

    private void shutdownOutputUnlessLingerZero() {
        try {
            int linger = (Integer) options.get(StandardSocketOptions.SO_LINGER);
            if (linger != 0) {
                if (linger > 0) {
                    options.set(StandardSocketOptions.SO_LINGER, -1);
                }
                sys.shutdown(fd, LinuxUapi.SHUT_WR);
            }
        } catch (IOException ignore) {
            // Best effort, as in the JDK: the close itself must go on.
        }
    }

    /**
     * A thread blocked in recvmsg/sendmsg on a blocking descriptor is woken by shutdown(2),
     * which makes the call return (0, or EPIPE) at once; the JDK sends a signal instead, which
     * is not safe through JNR. Caller holds stateLock.
     */
    private void wakeThreadsBlockedInKernel() {
        int how = (readerParked ? 1 : 0) | (writerParked ? 2 : 0);
        // Once forced non-blocking, a platform thread may still be in a call that started on
        // the blocking descriptor: wake it the same way.
        if ((!fdBlocking && !forcedNonBlocking) || how == 0) {
            return;
        }
        try {
            sys.shutdown(fd, how == 3 ? LinuxUapi.SHUT_RDWR
                    : how == 1 ? LinuxUapi.SHUT_RD : LinuxUapi.SHUT_WR);
        } catch (ErrnoException ignore) {
            // ENOTCONN: the connection is gone, so nothing can be blocked on it.
        }
    }

    /** Releases the descriptor if nothing uses it any more. Caller holds stateLock. */
    private boolean tryClose() throws IOException {
        if (!readerParked && !writerParked && !owner.isRegistered()) {
            state = ST_CLOSED;
            nfd.release();
            return true;
        }
        return false;
    }

    private void tryFinishClose() {
        try {
            tryClose();
        } catch (IOException ignore) {
            // Nobody to report to: the thread finishing the close is not the one that closed.
        }
    }

    /** {@link NativeChannel#kill()}. */
    final void kill() {
        stateLock.lock();
        try {
            if (state == ST_CLOSING) {
                tryFinishClose();
            }
        } finally {
            stateLock.unlock();
        }
    }
}
