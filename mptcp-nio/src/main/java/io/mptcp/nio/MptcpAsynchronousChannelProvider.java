package io.mptcp.nio;

import io.mptcp.ffi.LinuxSyscalls;
import io.mptcp.nio.internal.ChannelFactory;
import io.mptcp.nio.internal.net.MptcpPolicy;

import java.io.IOException;
import java.nio.channels.AsynchronousChannelGroup;
import java.nio.channels.AsynchronousServerSocketChannel;
import java.nio.channels.AsynchronousSocketChannel;
import java.nio.channels.spi.AsynchronousChannelProvider;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ThreadFactory;

/**
 * An {@link AsynchronousChannelProvider} whose socket channels are Multipath TCP, with
 * fallback to TCP: NIO.2's {@link AsynchronousSocketChannel},
 * {@link AsynchronousServerSocketChannel} and {@link AsynchronousChannelGroup}, over an epoll
 * set of each group, with the JDK's semantics (completion handlers and futures, timeouts,
 * cancellation, group shutdown, the default group's threads and the JDK's properties for them).
 *
 * <p>Install it JVM-wide with the system property
 * {@code java.nio.channels.spi.AsynchronousChannelProvider} set to
 * {@code io.mptcp.nio.MptcpAsynchronousChannelProvider}; then every
 * {@code AsynchronousSocketChannel.open()} and {@code AsynchronousServerSocketChannel.open()}
 * of the program comes from here. It is
 * independent of {@link MptcpSelectorProvider}: either can be installed without the other. The
 * sockets follow the same policy as the selector provider's ({@code io.mptcp.nio.mode},
 * {@code io.mptcp.nio.strict}, read at each open), and the channels take
 * {@link MptcpSocketOptions}: {@code MPTCP_ENABLED} (read, and set before bind or connect),
 * {@code MPTCP_TOKEN}, {@code MPTCP_INFO}, {@code MPTCP_SUBFLOWS}, {@code MPTCP_FALLBACK_REASON}.
 *
 * <p>The constructor does no native work and cannot fail: the JDK constructs the provider
 * while loading {@code AsynchronousChannelProvider}. If native access cannot be set up, each
 * {@code open*} throws an {@link IOException} that says why.
 */
public final class MptcpAsynchronousChannelProvider extends AsynchronousChannelProvider {

    private final ChannelFactory context;

    /** The provider as the JDK creates it from the system property. */
    public MptcpAsynchronousChannelProvider() {
        this(null, null);
    }

    /** For tests: a given native seam and policy. */
    MptcpAsynchronousChannelProvider(LinuxSyscalls syscalls, MptcpPolicy policy) {
        // The stream channels inside are never handed out; they report a selector provider of
        // their own, which does nothing else.
        this.context = new ChannelFactory(new MptcpSelectorProvider(), syscalls, policy);
    }

    /**
     * A group of {@code nThreads} threads from {@code threadFactory}, each waiting for I/O
     * events and running completion handlers, as {@code withFixedThreadPool}.
     *
     * @throws IllegalArgumentException if {@code nThreads} is not positive
     */
    @Override
    public AsynchronousChannelGroup openAsynchronousChannelGroup(int nThreads,
            ThreadFactory threadFactory) throws IOException {
        return context.openAsynchronousChannelGroup(this, nThreads, threadFactory);
    }

    /**
     * A group whose completion handlers run on {@code executor}, as
     * {@code withCachedThreadPool} ({@code initialSize}) and {@code withThreadPool} (0).
     */
    @Override
    public AsynchronousChannelGroup openAsynchronousChannelGroup(ExecutorService executor,
            int initialSize) throws IOException {
        return context.openAsynchronousChannelGroup(this, executor, initialSize);
    }

    /**
     * An asynchronous listener in {@code group} (null: this provider's default group), MPTCP
     * unless the policy says otherwise.
     *
     * @throws java.nio.channels.IllegalChannelGroupException if the group is not this
     *     library's
     * @throws java.nio.channels.ShutdownChannelGroupException if the group is shut down
     */
    @Override
    public AsynchronousServerSocketChannel openAsynchronousServerSocketChannel(
            AsynchronousChannelGroup group) throws IOException {
        return context.openAsynchronousServerSocketChannel(this, group);
    }

    /**
     * An asynchronous socket channel in {@code group} (null: this provider's default group),
     * MPTCP unless the policy says otherwise.
     *
     * @throws java.nio.channels.IllegalChannelGroupException if the group is not this
     *     library's
     * @throws java.nio.channels.ShutdownChannelGroupException if the group is shut down
     */
    @Override
    public AsynchronousSocketChannel openAsynchronousSocketChannel(
            AsynchronousChannelGroup group) throws IOException {
        return context.openAsynchronousSocketChannel(this, group);
    }
}
