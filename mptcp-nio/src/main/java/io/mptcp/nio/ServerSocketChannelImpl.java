package io.mptcp.nio;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.nio.channels.spi.SelectorProvider;

/** PLACEHOLDER: being written on main. */
abstract non-sealed class ServerSocketChannelImpl extends MptcpServerSocketChannel {
    ServerSocketChannelImpl(SelectorProvider p) {
        super(p);
    }

    static MptcpServerSocketChannel open(MptcpSelectorProvider p, StandardProtocolFamily family)
            throws IOException {
        throw new IOException("not written yet");
    }
}
