package io.mptcp.nio.internal.async;

import java.nio.channels.ClosedChannelException;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * The close protocol of an asynchronous channel, as the JDK's: an operation holds the read
 * side while it uses the descriptor, so that close (the write side) cannot release the
 * descriptor under it; close happens once.
 */
final class CloseGate {
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    // Written under the write lock; volatile for isOpen, which takes no lock.
    private volatile boolean closed;

    boolean isOpen() {
        return !closed;
    }

    /**
     * Enters an operation on the descriptor; {@link #end} must follow.
     *
     * @throws ClosedChannelException if the channel is closed
     */
    void begin() throws ClosedChannelException {
        lock.readLock().lock();
        if (closed) {
            lock.readLock().unlock();
            throw new ClosedChannelException();
        }
    }

    void end() {
        lock.readLock().unlock();
    }

    /**
     * Closes the gate after every operation in progress has ended.
     *
     * @return true for the call that closed it, which then releases the descriptor
     */
    boolean close() {
        lock.writeLock().lock();
        try {
            if (closed) {
                return false;
            }
            closed = true;
            return true;
        } finally {
            lock.writeLock().unlock();
        }
    }
}
