package io.mptcp.nio;

import java.nio.channels.SocketChannel;
import java.net.SocketOption;
import java.nio.channels.spi.SelectorProvider;
import java.util.Map;

/**
 * A {@link SocketChannel} over a Multipath TCP socket, or over TCP where MPTCP was not
 * possible. Every channel that {@link MptcpSelectorProvider#openSocketChannel()} returns, and
 * every channel a {@link MptcpServerSocketChannel} accepts, is one.
 *
 * <p>It behaves exactly like the JDK's socket channel; the MPTCP state is read through
 * {@link #getOption} with the keys of {@link MptcpSocketOptions}.
 */
public abstract sealed class MptcpSocketChannel extends SocketChannel
        permits SocketChannelImpl {

    MptcpSocketChannel(SelectorProvider provider) {
        super(provider);
    }

    /**
     * Socket options that the kernel refused on this MPTCP socket and that were therefore not
     * applied, with the values asked for. An MPTCP socket refuses some options a TCP socket
     * takes (for example {@code SO_OOBINLINE} or {@code TCP_QUICKACK}); outside strict mode
     * ({@code io.mptcp.nio.strict}) setting one does not throw, so that programs written for
     * TCP keep working, and it is recorded here instead (and logged once per option). Empty
     * for a plain TCP socket, which reports refusals as exceptions like the JDK's.
     *
     * @return an unmodifiable live view
     */
    public abstract Map<SocketOption<?>, Object> unappliedOptions();
}
