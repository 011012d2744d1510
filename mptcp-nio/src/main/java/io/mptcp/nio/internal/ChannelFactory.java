package io.mptcp.nio.internal;

import io.mptcp.ffi.LinuxSyscalls;
import io.mptcp.nio.MptcpServerSocketChannel;
import io.mptcp.nio.MptcpSocketChannel;
import io.mptcp.nio.internal.datagram.DatagramChannelImpl;
import io.mptcp.nio.internal.fd.Privileged;
import io.mptcp.nio.internal.net.InetSockets;
import io.mptcp.nio.internal.net.MptcpPolicy;
import io.mptcp.nio.internal.pipe.PipeImpl;
import io.mptcp.nio.internal.select.EpollSelector;
import io.mptcp.nio.internal.stream.ServerSocketChannelImpl;
import io.mptcp.nio.internal.stream.SocketChannelImpl;
import io.mptcp.nio.internal.stream.UnixServerSocketChannelImpl;
import io.mptcp.nio.internal.stream.UnixSocketChannelImpl;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.nio.channels.Channel;
import java.nio.channels.DatagramChannel;
import java.nio.channels.Pipe;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.spi.AbstractSelector;
import java.nio.channels.spi.SelectorProvider;
import java.util.Objects;

/**
 * The implementation behind the public {@code MptcpSelectorProvider}: it opens every channel
 * kind and holds what the channels of one provider share (the provider each channel reports,
 * the native seam, the MPTCP policy and the memory of what the kernel refused). The API class
 * validates its arguments and delegates here, so it names no implementation class.
 */
public final class ChannelFactory {

    private final SelectorProvider provider;
    private final LinuxSyscalls fixedSyscalls;
    private final MptcpPolicy fixedPolicy;
    private final InetSockets sockets = new InetSockets();

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

    /** {@code System.inheritedChannel()}: the same channel (or null) at every call. */
    public Channel inheritedChannel() throws IOException {
        return InheritedChannels.SYSTEM.get(this);
    }
}
