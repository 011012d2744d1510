package io.mptcp.nio;

import java.io.IOException;
import java.net.SocketOption;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.spi.SelectorProvider;
import java.util.Map;

/**
 * A {@link ServerSocketChannel} listening on a Multipath TCP socket, or on TCP where MPTCP was
 * not possible. It accepts MPTCP and plain TCP clients alike; each accepted channel is a
 * {@link MptcpSocketChannel} whose {@link MptcpSocketOptions} tell which it is.
 */
public abstract class MptcpServerSocketChannel extends ServerSocketChannel {

    /**
     * For this library's implementation. Like any {@code ServerSocketChannel} subclass, one made
     * elsewhere cannot register with this provider's selectors.
     *
     * @param provider the provider that created the channel
     */
    protected MptcpServerSocketChannel(SelectorProvider provider) {
        super(provider);
    }

    /**
     * Accepts a connection, as {@link ServerSocketChannel#accept()} does.
     *
     * @return the accepted channel (MPTCP or TCP, as the client chose), or null if this channel
     *     is non-blocking and no connection is pending
     */
    @Override
    public abstract MptcpSocketChannel accept() throws IOException;

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
