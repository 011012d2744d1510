package io.mptcp.nio;

import java.nio.channels.SocketChannel;
import java.nio.channels.spi.SelectorProvider;

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
}
