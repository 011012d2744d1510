package io.mptcp.nio.internal.select;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.spi.AbstractSelectableChannel;
import java.nio.channels.spi.AbstractSelectionKey;

/**
 * The registration of a {@link NativeChannel} with an {@link EpollSelector}.
 *
 * <p>Interest changes may come from any thread at any time: they are recorded at once and
 * queued for the selector, which applies them to epoll at the start of its next selection
 * operation; they do not wake a selection in progress (applications call
 * {@link Selector#wakeup()} themselves, as with the JDK).
 */
public final class SelectionKeyImpl extends AbstractSelectionKey {
    private static final VarHandle INTEREST_OPS;
    private static final VarHandle EPOLL_ENTRY_LOST;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            INTEREST_OPS = lookup.findVarHandle(SelectionKeyImpl.class, "interestOps", int.class);
            EPOLL_ENTRY_LOST = lookup.findVarHandle(SelectionKeyImpl.class, "epollEntryLost",
                    boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final AbstractSelectableChannel channel;
    private final NativeChannel nativeChannel;
    private final EpollSelector selector;

    /** The channel's descriptor; it cannot be released while this key is registered. */
    final int fd;

    private volatile int interestOps;
    private volatile int readyOps;

    // Guarded by the selector's monitor: the epoll events registered for fd, 0 when fd is not
    // in the epoll set.
    int registeredEvents;

    // Set by the channel when its descriptor number came to name a new file (epoll then forgets
    // the old file's entry); read and cleared by the selector when it applies the key's update.
    private volatile boolean epollEntryLost;

    // Guarded by the selector's selected-key set: this key's slot in it, -1 when not selected.
    int selectedIndex = -1;

    SelectionKeyImpl(AbstractSelectableChannel channel, EpollSelector selector) {
        this.channel = channel;
        this.nativeChannel = (NativeChannel) channel;
        this.selector = selector;
        this.fd = nativeChannel.fdVal();
    }

    @Override
    public SelectableChannel channel() {
        return channel;
    }

    @Override
    public Selector selector() {
        return selector;
    }

    @Override
    public int interestOps() {
        ensureValid();
        return interestOps;
    }

    @Override
    public SelectionKey interestOps(int ops) {
        ensureValid();
        checkValidOps(ops);
        int old = (int) INTEREST_OPS.getAndSet(this, ops);
        if (old != ops) {
            selector.setEventOps(this);
        }
        return this;
    }

    @Override
    public int interestOpsOr(int ops) {
        ensureValid();
        checkValidOps(ops);
        int old = (int) INTEREST_OPS.getAndBitwiseOr(this, ops);
        if ((old | ops) != old) {
            selector.setEventOps(this);
        }
        return old;
    }

    @Override
    public int interestOpsAnd(int ops) {
        ensureValid();
        // No validation: clearing bits can never leave an operation the channel does not support.
        int old = (int) INTEREST_OPS.getAndBitwiseAnd(this, ops);
        if ((old & ops) != old) {
            selector.setEventOps(this);
        }
        return old;
    }

    @Override
    public int readyOps() {
        ensureValid();
        return readyOps;
    }

    /**
     * Tells the selector that the channel's descriptor now names a new file (a protocol switch
     * before bind or connect), so that it registers the descriptor with epoll again.
     */
    void descriptorReplaced() {
        epollEntryLost = true;
        selector.descriptorReplaced(this);
    }

    /** Whether the descriptor was replaced since the selector last asked; clears the mark. */
    boolean takeEpollEntryLost() {
        return (boolean) EPOLL_ENTRY_LOST.getAndSet(this, false);
    }

    // The selector's accessors below work on cancelled keys too.

    int nioInterestOps() {
        return interestOps;
    }

    int nioReadyOps() {
        return readyOps;
    }

    void nioReadyOps(int ops) {
        readyOps = ops;
    }

    /** The epoll events that watch the current interest set. */
    int translateInterestOps() {
        return nativeChannel.translateInterestOps(interestOps);
    }

    /** The ready set that epoll {@code events} mean for the interest set {@code interest}. */
    int translateReadyOps(int events, int interest) {
        return nativeChannel.translateReadyOps(events, interest);
    }

    private void ensureValid() {
        if (!isValid()) {
            throw new CancelledKeyException();
        }
    }

    private void checkValidOps(int ops) {
        if ((ops & ~channel.validOps()) != 0) {
            throw new IllegalArgumentException("Invalid interest ops " + ops
                    + " for a channel whose valid ops are " + channel.validOps());
        }
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("channel=").append(channel)
                .append(", selector=").append(selector);
        if (isValid()) {
            sb.append(", interestOps=").append(interestOps).append(", readyOps=").append(readyOps);
        } else {
            sb.append(", invalid");
        }
        return sb.toString();
    }
}
