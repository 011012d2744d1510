package io.mptcp.nio;

import java.nio.channels.ServerSocketChannel;
import java.nio.channels.spi.SelectorProvider;

/**
 * A {@link ServerSocketChannel} listening on a Multipath TCP socket, or on TCP where MPTCP was
 * not possible. It accepts MPTCP and plain TCP clients alike; each accepted channel is a
 * {@link MptcpSocketChannel} whose {@link MptcpSocketOptions} tell which it is.
 */
public abstract sealed class MptcpServerSocketChannel extends ServerSocketChannel
        permits ServerSocketChannelImpl {

    MptcpServerSocketChannel(SelectorProvider provider) {
        super(provider);
    }
}
