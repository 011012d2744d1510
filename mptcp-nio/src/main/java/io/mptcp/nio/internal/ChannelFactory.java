package io.mptcp.nio.internal;

import io.mptcp.ffi.LinuxSyscalls;
import io.mptcp.nio.MptcpServerSocketChannel;
import io.mptcp.nio.MptcpSocketChannel;
import io.mptcp.nio.internal.async.AsyncChannels;
import io.mptcp.nio.internal.datagram.DatagramChannelImpl;
import io.mptcp.nio.internal.fd.Privileged;
import io.mptcp.nio.internal.net.InetSockets;
import io.mptcp.nio.internal.net.MptcpPolicy;
import io.mptcp.nio.internal.pipe.PipeImpl;
import io.mptcp.nio.internal.select.EpollSelector;
import io.mptcp.nio.internal.socket.MptcpServerSocketImpl;
import io.mptcp.nio.internal.socket.MptcpSocketImpl;
import io.mptcp.nio.internal.stream.ServerSocketChannelImpl;
import io.mptcp.nio.internal.stream.SocketChannelImpl;
import io.mptcp.nio.internal.stream.UnixServerSocketChannelImpl;
import io.mptcp.nio.internal.stream.UnixSocketChannelImpl;

import java.io.IOException;
import java.lang.ref.WeakReference;
import java.net.SocketImpl;
import java.net.StandardProtocolFamily;
import java.nio.channels.AsynchronousChannelGroup;
import java.nio.channels.AsynchronousServerSocketChannel;
import java.nio.channels.AsynchronousSocketChannel;
import java.nio.channels.Channel;
import java.nio.channels.DatagramChannel;
import java.nio.channels.Pipe;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.spi.AbstractSelector;
import java.nio.channels.spi.AsynchronousChannelProvider;
import java.nio.channels.spi.SelectorProvider;
import java.util.Map;
import java.util.Objects;
import java.util.WeakHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ThreadFactory;

/**
 * The implementation behind the public {@code MptcpSelectorProvider}: it opens every channel
 * kind and holds what the channels of one provider share (the provider each channel reports,
 * the native seam, the MPTCP policy and the memory of what the kernel refused). The API class
 * validates its arguments and delegates here, so it names no implementation class.
 */
public final class ChannelFactory {

    // The factory of each live provider, for public entry points outside the provider class
    // (MptcpEventChannel.open(provider)); weak both ways: the provider holds its factory.
    private static final Map<SelectorProvider, WeakReference<ChannelFactory>> FACTORIES =
            new WeakHashMap<>();

    private final SelectorProvider provider;
    private final LinuxSyscalls fixedSyscalls;
    private final MptcpPolicy fixedPolicy;
    private final InetSockets sockets = new InetSockets();
    // Guarded by sockets; created at the first NIO.2 open.
    private AsyncChannels async;

    /**
     * @param provider the provider whose channels these are
     * @param syscalls a fixed native seam (tests), or null to load the real one at first use
     * @param policy a fixed MPTCP policy (tests), or null to read the system properties at
     *     every socket open
     */
    public ChannelFactory(SelectorProvider provider, LinuxSyscalls syscalls, MptcpPolicy policy) {
        this.provider = Objects.requireNonNull(provider, "provider");
        this.fixedSyscalls = syscalls;
        this.fixedPolicy = policy;
        synchronized (FACTORIES) {
            FACTORIES.put(provider, new WeakReference<>(this));
        }
    }

    /** The factory behind {@code provider}, one of ours. */
    public static ChannelFactory of(SelectorProvider provider) {
        ChannelFactory f;
        synchronized (FACTORIES) {
            WeakReference<ChannelFactory> ref = FACTORIES.get(provider);
            f = ref == null ? null : ref.get();
        }
        if (f == null) {
            throw new IllegalArgumentException(provider.getClass().getName()
                    + " is not an io.mptcp.nio.MptcpSelectorProvider");
        }
        return f;
    }

    public SelectorProvider provider() {
        return provider;
    }

    /** The native seam, loaded at first use; the failure, if any, says what to fix. */
    public LinuxSyscalls syscalls() throws IOException {
        return fixedSyscalls != null ? fixedSyscalls : LinuxSyscalls.system();
    }

    /**
     * The MPTCP policy, read from the system properties each time a socket is opened, so that a
     * change applies to the sockets opened after it (reading two properties costs nothing next
     * to socket(2)).
     */
    public MptcpPolicy policy() {
        // Our own configuration: read with the library's rights, not the caller's.
        return fixedPolicy != null ? fixedPolicy
                : Privileged.run(MptcpPolicy::fromSystemProperties);
    }

    /** Opens sockets under the policy; remembers what the kernel refused. */
    public InetSockets sockets() {
        return sockets;
    }

    // ---- what the provider opens (families already checked by the provider) -------------

    public AbstractSelector openSelector() throws IOException {
        return new EpollSelector(provider, syscalls());
    }

    public Pipe openPipe() throws IOException {
        return new PipeImpl(provider, syscalls());
    }

    /** An INET stream channel; {@code family} null means the JDK's default (IPv6 if it can). */
    public MptcpSocketChannel openSocketChannel(StandardProtocolFamily family)
            throws IOException {
        return SocketChannelImpl.open(this, family);
    }

    public SocketChannel openUnixSocketChannel() throws IOException {
        return UnixSocketChannelImpl.open(this);
    }

    /** An INET listener; {@code family} null means the JDK's default (IPv6 if it can). */
    public MptcpServerSocketChannel openServerSocketChannel(StandardProtocolFamily family)
            throws IOException {
        return ServerSocketChannelImpl.open(this, family);
    }

    public ServerSocketChannel openUnixServerSocketChannel() throws IOException {
        return UnixServerSocketChannelImpl.open(this);
    }

    /** A UDP channel; {@code family} null means the JDK's default (IPv6 if it can). */
    public DatagramChannel openDatagramChannel(StandardProtocolFamily family)
            throws IOException {
        return DatagramChannelImpl.open(this, family);
    }

    // ---- NIO.2, for MptcpAsynchronousChannelProvider (owner: the provider they report) ----

    public AsynchronousChannelGroup openAsynchronousChannelGroup(
            AsynchronousChannelProvider owner, int nThreads, ThreadFactory threadFactory)
            throws IOException {
        return asynchronous(owner).openGroup(nThreads, threadFactory);
    }

    public AsynchronousChannelGroup openAsynchronousChannelGroup(
            AsynchronousChannelProvider owner, ExecutorService executor, int initialSize)
            throws IOException {
        return asynchronous(owner).openGroup(executor, initialSize);
    }

    /** In {@code group}, or in the owner's default group (started at first use) if null. */
    public AsynchronousSocketChannel openAsynchronousSocketChannel(
            AsynchronousChannelProvider owner, AsynchronousChannelGroup group)
            throws IOException {
        return asynchronous(owner).openSocketChannel(group);
    }

    /** In {@code group}, or in the owner's default group (started at first use) if null. */
    public AsynchronousServerSocketChannel openAsynchronousServerSocketChannel(
            AsynchronousChannelProvider owner, AsynchronousChannelGroup group)
            throws IOException {
        return asynchronous(owner).openServerSocketChannel(group);
    }

    // One per factory: a factory serves one asynchronous provider, whose default group it is.
    private AsyncChannels asynchronous(AsynchronousChannelProvider owner) {
        synchronized (sockets) {
            if (async == null) {
                async = new AsyncChannels(owner, this);
            }
            return async;
        }
    }

    /** {@code System.inheritedChannel()}: the same channel (or null) at every call. */
    public Channel inheritedChannel() throws IOException {
        return InheritedChannels.SYSTEM.get(this);
    }

    /** A {@code SocketImpl} over this factory's channels: a ServerSocket's, or a Socket's. */
    public SocketImpl newSocketImpl(boolean server) {
        return server ? new MptcpServerSocketImpl(this) : new MptcpSocketImpl(this);
    }
}
