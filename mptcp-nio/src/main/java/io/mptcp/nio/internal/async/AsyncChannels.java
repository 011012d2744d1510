package io.mptcp.nio.internal.async;

import io.mptcp.nio.MptcpServerSocketChannel;
import io.mptcp.nio.MptcpSocketChannel;
import io.mptcp.nio.internal.ChannelFactory;

import java.io.IOException;
import java.nio.channels.AsynchronousChannelGroup;
import java.nio.channels.AsynchronousServerSocketChannel;
import java.nio.channels.AsynchronousSocketChannel;
import java.nio.channels.Channel;
import java.nio.channels.IllegalChannelGroupException;
import java.nio.channels.ShutdownChannelGroupException;
import java.nio.channels.spi.AsynchronousChannelProvider;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ThreadFactory;

/**
 * What {@code MptcpAsynchronousChannelProvider} opens, through {@link ChannelFactory}: groups,
 * and channels in a group (null: the provider's default group, started at first use). The
 * socket channels come from {@code factory}, so the policy is the stream channels' own.
 */
public final class AsyncChannels {
    private final AsynchronousChannelProvider provider;
    private final ChannelFactory factory;
    private final Object defaultLock = new Object();
    // Guarded by defaultLock; the default group, once started.
    private AsyncGroup defaultGroup;

    public AsyncChannels(AsynchronousChannelProvider provider, ChannelFactory factory) {
        this.provider = provider;
        this.factory = factory;
    }

    public AsynchronousChannelGroup openGroup(int nThreads, ThreadFactory threadFactory)
            throws IOException {
        return AsyncGroup.start(provider, factory.syscalls(),
                GroupPool.fixed(nThreads, threadFactory));
    }

    public AsynchronousChannelGroup openGroup(ExecutorService executor, int initialSize)
            throws IOException {
        return AsyncGroup.start(provider, factory.syscalls(),
                GroupPool.wrap(executor, initialSize));
    }

    public AsynchronousSocketChannel openSocketChannel(AsynchronousChannelGroup group)
            throws IOException {
        AsyncGroup g = toGroup(group);
        MptcpSocketChannel channel = factory.openSocketChannel(null);
        try {
            return new AsyncSocketChannel(g, channel);
        } catch (IOException | RuntimeException e) {
            closeQuietly(channel, e);
            throw e;
        }
    }

    public AsynchronousServerSocketChannel openServerSocketChannel(
            AsynchronousChannelGroup group) throws IOException {
        AsyncGroup g = toGroup(group);
        MptcpServerSocketChannel channel = factory.openServerSocketChannel(null);
        try {
            return new AsyncServerSocketChannel(g, channel);
        } catch (IOException | RuntimeException e) {
            closeQuietly(channel, e);
            throw e;
        }
    }

    private static void closeQuietly(Channel channel, Exception cause) {
        try {
            channel.close();
        } catch (IOException e) {
            cause.addSuppressed(e);
        }
    }

    /**
     * The group to open a channel in, as the JDK checks it: null is the default group; a group
     * of another implementation is refused; a shut-down group is refused by the group itself.
     */
    private AsyncGroup toGroup(AsynchronousChannelGroup group) throws IOException {
        if (group == null) {
            return defaultGroup();
        }
        if (!(group instanceof AsyncGroup)) {
            throw new IllegalChannelGroupException();
        }
        if (group.isShutdown()) {
            throw new ShutdownChannelGroupException();
        }
        return (AsyncGroup) group;
    }

    private AsyncGroup defaultGroup() throws IOException {
        synchronized (defaultLock) {
            if (defaultGroup == null) {
                defaultGroup = AsyncGroup.start(provider, factory.syscalls(),
                        GroupPool.createDefault());
            }
            return defaultGroup;
        }
    }
}
