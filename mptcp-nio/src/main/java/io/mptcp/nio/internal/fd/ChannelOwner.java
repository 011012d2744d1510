package io.mptcp.nio.internal.fd;

import java.io.IOException;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.spi.AbstractSelectableChannel;

/**
 * The descriptor's view of one of our channels: its public state, and its
 * {@code begin}/{@code end}, which {@code AbstractInterruptibleChannel} keeps protected, so
 * only the channel's own class can hand them over (as method references).
 */
public final class ChannelOwner implements Descriptor.Owner {

    /** {@code AbstractInterruptibleChannel.end(boolean)}. */
    @FunctionalInterface
    public interface End {
        void end(boolean completed) throws AsynchronousCloseException;
    }

    private final AbstractSelectableChannel channel;
    private final Runnable begin;
    private final End end;
    // Set for the channel under a java.net.Socket: as the JDK's NioSocketImpl, an interrupt
    // then ends a blocking operation on a virtual thread only (a platform thread keeps waiting).
    private volatile boolean interruptibleOnVirtualThreadsOnly;

    public ChannelOwner(AbstractSelectableChannel channel, Runnable begin, End end) {
        this.channel = channel;
        this.begin = begin;
        this.end = end;
    }

    @Override
    public boolean isOpen() {
        return channel.isOpen();
    }

    @Override
    public boolean isBlocking() {
        return channel.isBlocking();
    }

    @Override
    public boolean isRegistered() {
        return channel.isRegistered();
    }

    /** Gives the channel {@code java.net.Socket}'s interrupt semantics (see the field). */
    public void interruptibleOnVirtualThreadsOnly() {
        interruptibleOnVirtualThreadsOnly = true;
    }

    @Override
    public void begin() {
        // Without begin(), end() still reports an asynchronous close, and no interrupt closes.
        if (!interruptibleOnVirtualThreadsOnly || VirtualThreads.isCurrentVirtual()) {
            begin.run();
        }
    }

    @Override
    public void end(boolean completed) throws AsynchronousCloseException {
        end.end(completed);
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
