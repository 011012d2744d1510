package io.mptcp.nio.internal;

import io.mptcp.ffi.ErrnoException;
import io.mptcp.ffi.LinuxSyscalls;
import io.mptcp.ffi.LinuxUapi;
import io.mptcp.nio.MptcpSelectorProvider;
import io.mptcp.nio.MptcpServerSocketChannel;
import io.mptcp.nio.MptcpSocketChannel;
import io.mptcp.nio.internal.datagram.DatagramChannelImpl;
import io.mptcp.nio.internal.fd.AfterClose;
import io.mptcp.nio.internal.fd.Descriptor;
import io.mptcp.nio.internal.fd.NioExceptions;
import io.mptcp.nio.internal.net.SecurityChecks;
import io.mptcp.nio.internal.net.InetSockets;
import io.mptcp.nio.internal.net.LinkLocalScopes;
import io.mptcp.nio.internal.net.UnixDomainNames;
import io.mptcp.nio.internal.stream.ServerSocketChannelImpl;
import io.mptcp.nio.internal.stream.SocketChannelImpl;
import io.mptcp.nio.internal.stream.UnixServerSocketChannelImpl;
import io.mptcp.nio.internal.stream.UnixSocketChannelImpl;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.channels.Channel;
import java.util.concurrent.locks.ReentrantLock;

/**
 * {@link MptcpSelectorProvider#inheritedChannel()}: the channel of the socket this process got
 * as its standard input, as the JDK's {@code sun.nio.ch.InheritedChannel} makes it (inetd,
 * {@code systemd} socket activation with {@code StandardInput=socket}, …), but one of ours.
 *
 * <p>As in the JDK: descriptor 0 is duplicated, so that {@code System.in} and the channel
 * coexist and closing one leaves the other; a descriptor that is no socket (or of another
 * family) gives {@code null}; a stream socket with a peer becomes a connected
 * {@link java.nio.channels.SocketChannel}, one without a peer a
 * {@link java.nio.channels.ServerSocketChannel} (listening, or at least bound), a datagram
 * socket a {@link java.nio.channels.DatagramChannel}; the first answer is kept for the life of
 * the JVM; and closing the channel puts {@code /dev/null} on descriptors 0, 1 and 2, so that
 * the socket really closes even where the standard streams share it (inetd's "wait" services),
 * with {@code /dev/null} opened at the first call so that no descriptor is needed at close.
 *
 * <p>INET channels are {@link MptcpSocketChannel}s and {@link MptcpServerSocketChannel}s, MPTCP
 * when the inherited socket was opened with {@code IPPROTO_MPTCP} (systemd's
 * {@code SocketProtocol=mptcp}): their {@code MPTCP_ENABLED} reads the kernel's answer, as for
 * an accepted channel. UNIX-domain sockets give our UNIX-domain channels.
 */
final class InheritedChannels {

    /**
     * Makes the channel of an inherited datagram socket. The channel owns {@code fd} (a
     * duplicate of descriptor 0, close-on-exec), starts in blocking mode, and must run
     * {@code afterClose} at the end of its close, as every channel's {@link Descriptor} runs
     * its close hook ({@link Descriptor#onClose}), whether or not the descriptor is released
     * yet (a selector may still hold it).
     */
    @FunctionalInterface
    interface DatagramChannels {
        Channel inherit(ChannelFactory provider, LinuxSyscalls sys, int fd, int family,
                AfterClose afterClose) throws IOException;
    }

    /**
     * INET datagram sockets become our {@link DatagramChannelImpl}; a UNIX-domain one gives
     * null, as the JDK has no UNIX-domain datagram channels.
     */
    static final DatagramChannels DATAGRAM_CHANNELS = (provider, sys, fd, family, close) ->
            family == LinuxUapi.AF_UNIX ? null
                    : DatagramChannelImpl.inherited(provider, sys, fd, family, close);

    /** The one per JVM, as the JDK's (the provider is a JVM-wide singleton too). */
    static final InheritedChannels SYSTEM = new InheritedChannels(DATAGRAM_CHANNELS);

    private static final int STDIN = 0;
    private static final int STDOUT = 1;
    private static final int STDERR = 2;

    private final DatagramChannels datagrams;

    // Guards the fields below.
    private final ReentrantLock lock = new ReentrantLock();
    private LinuxSyscalls devNullSys;
    private int devNull = -1;
    private boolean looked;
    private Channel channel;

    InheritedChannels(DatagramChannels datagrams) {
        this.datagrams = datagrams;
    }

    /**
     * The inherited channel, made by {@code provider} at the first call; the same (or null)
     * at every later call, whichever provider asks.
     *
     * @throws IOException if descriptor 0 cannot be duplicated (it is closed) or
     *     {@code /dev/null} cannot be opened
     */
    Channel get(ChannelFactory provider) throws IOException {
        lock.lock();
        try {
            if (!looked) {
                LinuxSyscalls sys = provider.syscalls();
                if (devNull < 0) {
                    try {
                        devNull = sys.open("/dev/null",
                                LinuxUapi.O_RDWR | LinuxUapi.O_CLOEXEC);
                        devNullSys = sys;
                    } catch (ErrnoException e) {
                        throw NioExceptions.io(e);
                    }
                }
                channel = create(provider, sys);
                looked = true;
            }
            if (channel != null) {
                // As the JDK's: asked at every call, and only when there is a channel.
                SecurityChecks.checkInheritedChannel();
            }
            return channel;
        } finally {
            lock.unlock();
        }
    }

    private Channel create(ChannelFactory provider, LinuxSyscalls sys) throws IOException {
        int fd;
        try {
            fd = sys.dup(STDIN);
        } catch (ErrnoException e) {
            throw NioExceptions.io(e);
        }
        try {
            Channel ch = channelOf(provider, sys, fd);
            if (ch == null) {
                sys.close(fd);
            }
            return ch;
        } catch (IOException | RuntimeException e) {
            InetSockets.closeQuietly(sys, fd, e);
            throw e;
        }
    }

    /** The channel of {@code fd}, or null if it is no socket of a family we serve. */
    private Channel channelOf(ChannelFactory provider, LinuxSyscalls sys, int fd)
            throws IOException {
        int type;
        int family;
        try {
            type = sys.getsockoptInt(fd, LinuxUapi.SOL_SOCKET, LinuxUapi.SO_TYPE);
            family = sys.getsockoptInt(fd, LinuxUapi.SOL_SOCKET, LinuxUapi.SO_DOMAIN);
        } catch (ErrnoException notASocket) {
            // ENOTSOCK: a terminal, file or pipe, the usual standard input.
            return null;
        }
        if (family != LinuxUapi.AF_INET && family != LinuxUapi.AF_INET6
                && family != LinuxUapi.AF_UNIX) {
            return null;
        }
        AfterClose detach = this::detachStandardStreams;
        if (type == LinuxUapi.SOCK_DGRAM) {
            return datagrams.inherit(provider, sys, fd, family, detach);
        }
        if (type != LinuxUapi.SOCK_STREAM) {
            return null;
        }
        try {
            return family == LinuxUapi.AF_UNIX
                    ? unixStream(provider, sys, fd, detach)
                    : inetStream(provider, sys, fd, family, detach);
        } catch (ErrnoException e) {
            throw NioExceptions.socket(e);
        }
    }

    private static Channel inetStream(ChannelFactory provider, LinuxSyscalls sys, int fd,
            int family, AfterClose detach) throws ErrnoException {
        boolean strict = provider.policy().strict();
        // An inherited MPTCP socket reports link-local addresses without their scope.
        InetSocketAddress local = LinkLocalScopes.local(sys.getsockname(fd), 0);
        InetSocketAddress peer = peer(() -> sys.getpeername(fd));
        if (peer != null) {
            peer = LinkLocalScopes.peer(peer, local);
        }
        if (peer != null) {
            // The descriptor mode our connected channels keep while blocking (see StreamSocket).
            sys.setBlocking(fd, true);
            SocketChannelImpl sc =
                    SocketChannelImpl.connected(provider, sys, fd, family, local, peer, strict);
            sc.streamSocket().descriptor().onClose(detach);
            return sc;
        }
        sys.setBlocking(fd, false);
        ServerSocketChannelImpl ssc =
                ServerSocketChannelImpl.bound(provider, sys, fd, family, local, strict);
        ssc.listeningSocket().descriptor().onClose(detach);
        return ssc;
    }

    private static Channel unixStream(ChannelFactory provider, LinuxSyscalls sys, int fd,
            AfterClose detach) throws ErrnoException {
        SocketAddress local = UnixDomainNames.address(sys.getsocknameUnix(fd));
        byte[] peer = peer(() -> sys.getpeernameUnix(fd));
        if (peer != null) {
            sys.setBlocking(fd, true);
            UnixSocketChannelImpl sc = UnixSocketChannelImpl.connected(provider, sys, fd, local,
                    UnixDomainNames.address(peer));
            sc.streamSocket().descriptor().onClose(detach);
            return sc;
        }
        sys.setBlocking(fd, false);
        UnixServerSocketChannelImpl ssc = UnixServerSocketChannelImpl.bound(provider, sys, fd,
                local);
        ssc.listeningSocket().descriptor().onClose(detach);
        return ssc;
    }

    @FunctionalInterface
    private interface PeerName<T> {
        T get() throws ErrnoException;
    }

    /** The peer's name, or null when getpeername fails (no peer): the JDK's test. */
    private static <T> T peer(PeerName<T> getpeername) {
        try {
            return getpeername.get();
        } catch (ErrnoException noPeer) {
            return null;
        }
    }

    /**
     * Puts {@code /dev/null} on descriptors 0, 1 and 2, as the JDK's inherited channels do when
     * they close.
     */
    private void detachStandardStreams() throws IOException {
        lock.lock();
        try {
            for (int target : new int[] {STDIN, STDOUT, STDERR}) {
                if (devNull != target) {
                    devNullSys.dup3(devNull, target, 0);
                }
            }
        } catch (ErrnoException e) {
            throw NioExceptions.io(e);
        } finally {
            lock.unlock();
        }
    }
}
