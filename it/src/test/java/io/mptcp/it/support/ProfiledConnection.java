package io.mptcp.it.support;

import io.mptcp.nio.MptcpSelectorProvider;
import io.mptcp.nio.MptcpSocketOptions;
import io.mptcp.nio.pm.PathProfile;

import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;

/**
 * A listener of mptcp-nio opened in a {@link TwoPathTestBed}'s server namespace on the wildcard
 * address, and a client channel with a {@code PATH_PROFILE} connected to the server's link-1
 * address. The client connects on the client namespace's thread: the first connection of a
 * namespace opens its path-manager subscription there. The caller accepts and closes both.
 *
 * @param listener the listener, not yet accepted from
 * @param client the connected client
 */
public record ProfiledConnection(ServerSocketChannel listener, SocketChannel client) {

    /** Opens the listener, then connects the client with {@code profile}. */
    public static ProfiledConnection open(TwoPathTestBed bed, MptcpSelectorProvider provider,
            PathProfile profile) throws Exception {
        ServerSocketChannel listener = bed.server().call(() -> provider
                .openServerSocketChannel(StandardProtocolFamily.INET)
                .bind(bed.serverBindAddress(0)));
        int port = ((InetSocketAddress) listener.getLocalAddress()).getPort();
        SocketChannel client = bed.client().call(() -> {
            SocketChannel c = provider.openSocketChannel(StandardProtocolFamily.INET);
            c.setOption(MptcpSocketOptions.PATH_PROFILE, profile);
            c.connect(bed.serverAddress(port));
            return c;
        });
        return new ProfiledConnection(listener, client);
    }
}
