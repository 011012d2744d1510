package io.mptcp.nio.internal.stream;

import io.mptcp.ffi.LinuxUapi;

import java.nio.channels.SelectionKey;

/**
 * The JDK's readiness translation for stream sockets ({@code SocketChannelImpl} and
 * {@code ServerSocketChannelImpl.translateReadyOps}), between {@link SelectionKey} operations
 * and epoll event bits, as pure functions of the channel's state.
 */
final class StreamReadiness {
    private StreamReadiness() {
    }

    /** Epoll bits that watch a socket's {@code ops}: connect completion shows as writability. */
    static int socketInterest(int ops) {
        int events = 0;
        if ((ops & SelectionKey.OP_READ) != 0) {
            events |= LinuxUapi.EPOLLIN;
        }
        if ((ops & (SelectionKey.OP_WRITE | SelectionKey.OP_CONNECT)) != 0) {
            events |= LinuxUapi.EPOLLOUT;
        }
        return events;
    }

    /**
     * A socket's ready set: an error or hang-up makes every interest op ready (the next
     * operation reports it); read and write only while connected, connect only while pending.
     */
    static int socketReady(int events, int interestOps, boolean connected, boolean pending) {
        if ((events & (LinuxUapi.EPOLLERR | LinuxUapi.EPOLLHUP)) != 0) {
            return interestOps;
        }
        int ready = 0;
        if ((events & LinuxUapi.EPOLLIN) != 0 && (interestOps & SelectionKey.OP_READ) != 0
                && connected) {
            ready |= SelectionKey.OP_READ;
        }
        if ((events & LinuxUapi.EPOLLOUT) != 0) {
            if ((interestOps & SelectionKey.OP_CONNECT) != 0 && pending) {
                ready |= SelectionKey.OP_CONNECT;
            }
            if ((interestOps & SelectionKey.OP_WRITE) != 0 && connected) {
                ready |= SelectionKey.OP_WRITE;
            }
        }
        return ready;
    }

    /** Epoll bits that watch a listener's {@code ops}. */
    static int listenerInterest(int ops) {
        return (ops & SelectionKey.OP_ACCEPT) != 0 ? LinuxUapi.EPOLLIN : 0;
    }

    /** A listener's ready set: a pending connection is readability. */
    static int listenerReady(int events, int interestOps) {
        if ((events & (LinuxUapi.EPOLLERR | LinuxUapi.EPOLLHUP)) != 0) {
            return interestOps;
        }
        return (events & LinuxUapi.EPOLLIN) != 0 && (interestOps & SelectionKey.OP_ACCEPT) != 0
                ? SelectionKey.OP_ACCEPT : 0;
    }
}
