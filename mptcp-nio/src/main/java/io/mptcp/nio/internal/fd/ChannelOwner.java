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

    @Override
    public void begin() {
        begin.run();
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
