package io.mptcp.nio;

import io.mptcp.ffi.LinuxSyscalls;
import io.mptcp.nio.internal.ChannelFactory;
import io.mptcp.nio.internal.net.MptcpPolicy;

import java.io.IOException;
import java.net.ProtocolFamily;
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
 * A {@link SelectorProvider} whose stream sockets are Multipath TCP, with fallback to TCP.
 *
 * <p>Install it JVM-wide with
 * {@code -Djava.nio.channels.spi.SelectorProvider=io.mptcp.nio.MptcpSelectorProvider}; then
 * every {@code SocketChannel.open()}, {@code ServerSocketChannel.open()}, {@code Selector.open()}
 * and {@code Pipe.open()} of the program comes from here, and so do UNIX-domain channels
 * ({@code open(StandardProtocolFamily.UNIX)}, which are not MPTCP), UDP channels
 * ({@code DatagramChannel.open()}, multicast included; MPTCP is for streams only) and
 * {@code System.inheritedChannel()}. It is never registered as a service: being on the class
 * path changes nothing.
 *
 * <p>The constructor does no native work and cannot fail, because the JDK constructs the
 * provider in a static initialiser where a failure would break NIO for the whole JVM. If native
 * access cannot be set up, each {@code open*} method throws an {@link IOException} that says
 * why. Which sockets use MPTCP is set by the system properties {@code io.mptcp.nio.mode}
 * ({@code all}, {@code server}, {@code client}, {@code off}) and {@code io.mptcp.nio.strict},
 * read each time a socket is opened; see the README.
 */
public final class MptcpSelectorProvider extends SelectorProvider {

    // Everything the implementation needs from its provider, kept out of the public API.
    private final ChannelFactory context;

    /**
     * The provider as the JDK creates it from the system property. Native access is set up at
     * the first {@code open*}; the MPTCP settings are read at every socket {@code open*}.
     */
    public MptcpSelectorProvider() {
        this(null, null);
    }

    /** For tests: a given (usually mocked) native seam and policy. */
    MptcpSelectorProvider(LinuxSyscalls syscalls, MptcpPolicy policy) {
        this.context = new ChannelFactory(this, syscalls, policy);
    }

    @Override
    public AbstractSelector openSelector() throws IOException {
        return context.openSelector();
    }

    @Override
    public Pipe openPipe() throws IOException {
        return context.openPipe();
    }

    @Override
    public MptcpSocketChannel openSocketChannel() throws IOException {
        return context.openSocketChannel(null);
    }

    /**
     * Opens a socket channel of {@code family}: an {@link MptcpSocketChannel} for
     * {@code INET} and {@code INET6}, a UNIX-domain channel (not MPTCP) for {@code UNIX}.
     */
    @Override
    public SocketChannel openSocketChannel(ProtocolFamily family) throws IOException {
        if (isUnix(family, "openSocketChannel")) {
            return context.openUnixSocketChannel();
        }
        return context.openSocketChannel((StandardProtocolFamily) family);
    }

    @Override
    public MptcpServerSocketChannel openServerSocketChannel() throws IOException {
        return context.openServerSocketChannel(null);
    }

    /**
     * Opens a server socket channel of {@code family}: an {@link MptcpServerSocketChannel} for
     * {@code INET} and {@code INET6}, a UNIX-domain channel (not MPTCP) for {@code UNIX}.
     */
    @Override
    public ServerSocketChannel openServerSocketChannel(ProtocolFamily family)
            throws IOException {
        if (isUnix(family, "openServerSocketChannel")) {
            return context.openUnixServerSocketChannel();
        }
        return context.openServerSocketChannel((StandardProtocolFamily) family);
    }

    /**
     * A UDP channel of this provider (MPTCP is for streams only), IPv6 dual stack unless
     * {@code java.net.preferIPv4Stack} is true or the kernel has no IPv6, as the JDK's.
     */
    @Override
    public DatagramChannel openDatagramChannel() throws IOException {
        return context.openDatagramChannel(null);
    }

    /**
     * A UDP channel of {@code family}, INET or INET6. UNIX is refused with
     * {@link UnsupportedOperationException}, as by the JDK (17 and 25), which has no UNIX-domain
     * datagram channels.
     */
    @Override
    public DatagramChannel openDatagramChannel(ProtocolFamily family) throws IOException {
        Objects.requireNonNull(family, "family");
        if (family == StandardProtocolFamily.INET || family == StandardProtocolFamily.INET6) {
            return context.openDatagramChannel((StandardProtocolFamily) family);
        }
        throw new UnsupportedOperationException("Protocol family not supported: "
                + "MptcpSelectorProvider.openDatagramChannel(" + family + "); datagram channels"
                + " are INET or INET6 (the JDK has no UNIX-domain datagram channels either)");
    }

    /**
     * The channel of the socket this process inherited as standard input (inetd, systemd
     * socket activation), as the JDK's provider makes it, but one of ours: for a stream socket
     * a connected {@link SocketChannel} or a listening {@link ServerSocketChannel} (for an INET
     * socket an {@link MptcpSocketChannel} or {@link MptcpServerSocketChannel}, MPTCP in use
     * when the inherited socket is; for a UNIX-domain socket a UNIX-domain channel), for a UDP
     * socket a {@link DatagramChannel} (bound, and connected if the socket was). The same
     * channel is returned at every call; closing it puts {@code /dev/null} on the standard
     * streams, as the JDK does.
     *
     * @return the inherited channel, or null when standard input is no socket, or a socket of
     *     another family or type (a UNIX-domain datagram socket among them, as the JDK has no
     *     UNIX-domain datagram channels)
     * @throws IOException if standard input is closed or {@code /dev/null} cannot be opened
     */
    @Override
    public Channel inheritedChannel() throws IOException {
        return context.inheritedChannel();
    }

    /**
     * Whether {@code family} is UNIX (else INET or INET6, as the JDK's provider accepts).
     *
     * @throws UnsupportedOperationException for any other family, as the JDK's
     */
    private static boolean isUnix(ProtocolFamily family, String call) {
        Objects.requireNonNull(family, "family");
        if (family == StandardProtocolFamily.UNIX) {
            return true;
        }
        if (family == StandardProtocolFamily.INET || family == StandardProtocolFamily.INET6) {
            return false;
        }
        throw new UnsupportedOperationException("MptcpSelectorProvider." + call
                + ": protocol family " + family + " not supported; use"
                + " StandardProtocolFamily.INET, INET6 or UNIX");
    }
}
