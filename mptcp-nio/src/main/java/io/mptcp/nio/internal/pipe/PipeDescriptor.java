package io.mptcp.nio.internal.pipe;

import io.mptcp.ffi.ErrnoException;
import io.mptcp.ffi.LinuxSyscalls;
import io.mptcp.nio.internal.fd.NativeFd;
import io.mptcp.nio.internal.select.NativeChannel;

import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.spi.AbstractSelectableChannel;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The descriptor of one end of a pipe, with the two-phase close that both pipe channels share
 * (the JDK's {@code SourceChannelImpl} and {@code SinkChannelImpl} each spell it out).
 *
 * <p>Closing marks the end closed; the descriptor is released only once no operation is
 * using it and no selector holds the channel, so that its number is never reused under a
 * thread or an epoll set still using it. In non-blocking mode close waits for the operation
 * in progress, which is short. In blocking mode it must not wait: {@code Thread.interrupt}
 * runs close while holding the blocked thread's interrupt lock, which that thread needs in
 * order to leave. So close unparks the blocked thread and leaves the release to it
 * ({@link #endBlocking}); a selector that lets go of the channel last releases it through
 * {@link #kill}.
 */
final class PipeDescriptor {
    private static final int ST_INUSE = 0;
    private static final int ST_CLOSING = 1;
    private static final int ST_CLOSED = 2;

    private final AbstractSelectableChannel channel;
    private final NativeFd fd;

    // The channel's read or write lock, held for the whole of each operation.
    private final ReentrantLock opLock;

    // Guards state and blockedOp. DO NOT park or wait for opLock while holding it.
    private final ReentrantLock stateLock = new ReentrantLock();
    private int state = ST_INUSE;
    private boolean blockedOp;

    PipeDescriptor(AbstractSelectableChannel channel, NativeFd fd, ReentrantLock opLock) {
        this.channel = channel;
        this.fd = fd;
        this.opLock = opLock;
    }

    LinuxSyscalls sys() {
        return fd.sys();
    }

    int fdVal() {
        return fd.fd();
    }

    /** Waits in poll(2) until {@code events}, or until close unparks every waiter. */
    void park(int events) throws ErrnoException {
        fd.park(events, 0);
    }

    void ensureOpen() throws ClosedChannelException {
        if (!channel.isOpen()) {
            throw new ClosedChannelException();
        }
    }

    /** The channel's {@code implConfigureBlocking}. */
    void configureBlocking() throws ClosedChannelException {
        // The descriptor stays non-blocking; only wait for an operation in progress, as the
        // JDK does.
        opLock.lock();
        try {
            ensureOpen();
        } finally {
            opLock.unlock();
        }
    }

    /** Records that a blocking operation starts; the channel has already called begin(). */
    void beginBlocking() throws ClosedChannelException {
        stateLock.lock();
        try {
            ensureOpen();
            blockedOp = true;
        } finally {
            stateLock.unlock();
        }
    }

    /** Records that the blocking operation ended, finishing a close that waited for it. */
    void endBlocking() {
        stateLock.lock();
        try {
            blockedOp = false;
            if (state == ST_CLOSING) {
                tryClose();
            }
        } catch (IOException e) {
            // close(2) released the descriptor even if it reported an error; the operation's
            // own outcome is what the caller must see.
        } finally {
            stateLock.unlock();
        }
    }

    /** The channel's {@code implCloseSelectableChannel}. */
    void close() throws IOException {
        if (channel.isBlocking()) {
            stateLock.lock();
            try {
                state = ST_CLOSING;
                if (!tryClose()) {
                    fd.unpark();
                }
            } finally {
                stateLock.unlock();
            }
        } else {
            setClosing();
            kill();
        }
    }

    private void setClosing() {
        stateLock.lock();
        try {
            state = ST_CLOSING;
        } finally {
            stateLock.unlock();
        }
    }

    /** The channel's {@link NativeChannel#kill()}. */
    void kill() throws IOException {
        if (channel.isOpen()) {
            return;
        }
        // Wait for a non-blocking operation in progress to leave the descriptor.
        opLock.lock();
        opLock.unlock();
        stateLock.lock();
        try {
            if (state == ST_CLOSING) {
                tryClose();
            }
        } finally {
            stateLock.unlock();
        }
    }

    /** Releases the descriptor if nothing uses it any more. Call with stateLock held. */
    private boolean tryClose() throws IOException {
        if (blockedOp || channel.isRegistered()) {
            return false;
        }
        state = ST_CLOSED;
        fd.release();
        return true;
    }
}
