package io.mptcp.nio.internal.select;

import java.io.IOException;

/**
 * What {@link EpollSelector} needs from a channel: its descriptor, and the translation between
 * {@link java.nio.channels.SelectionKey} operations and epoll event bits (the role of the JDK's
 * {@code SelChImpl}).
 *
 * <p>Every channel of this provider implements it; the selector refuses any other channel with
 * {@link java.nio.channels.IllegalSelectorException}.
 */
public interface NativeChannel {

    /** The descriptor to register with epoll; stays valid until {@link #kill()}. */
    int fdVal();

    /** The epoll event bits ({@code EPOLLIN}, {@code EPOLLOUT}) that watch {@code ops}. */
    int translateInterestOps(int ops);

    /**
     * The ready set that epoll {@code events} mean for a key with {@code interestOps}, given
     * the channel's state now. As in the JDK: {@code EPOLLERR}/{@code EPOLLHUP} make every
     * interest op ready (the next operation reports the error); {@code OP_READ}/{@code OP_WRITE}
     * only while connected, {@code OP_CONNECT} only while a connection is pending.
     */
    int translateReadyOps(int events, int interestOps);

    /**
     * Called by the selector when it registers this channel, before the key is returned. A
     * channel whose descriptor can come to name a new file (a protocol switch) keeps its keys,
     * to call {@link SelectionKeyImpl#descriptorReplaced()} on each; others ignore it.
     */
    default void keyCreated(SelectionKeyImpl key) {
    }

    /**
     * Releases the descriptor of a channel that is closed and no longer registered with any
     * selector. Idempotent; does nothing while the channel is open or still registered.
     * The selector calls it after deregistering the channel's last key; the channel calls it
     * from {@code implCloseSelectableChannel} when it is not registered at all.
     */
    void kill() throws IOException;
}
