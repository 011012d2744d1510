package io.mptcp.it.multipath;

import io.mptcp.it.support.TwoPathTestBed;
import io.mptcp.nio.MptcpSelectorProvider;
import io.mptcp.nio.MptcpSocketOptions;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;

/**
 * One connection of mptcp-nio channels across a {@link TwoPathTestBed}: a listener opened in
 * the server namespace on the wildcard address, a client channel opened in the client
 * namespace and connected to the server's link-1 address, and the accepted channel. Opening
 * happens on the namespaces' threads; connect, accept and all I/O on the caller's.
 */
final class Connected implements AutoCloseable {

    final ServerSocketChannel listener;
    final SocketChannel client;
    final SocketChannel server;
    final int port;

    private Connected(ServerSocketChannel listener, SocketChannel client, SocketChannel server,
            int port) {
        this.listener = listener;
        this.client = client;
        this.server = server;
        this.port = port;
    }

    static Connected open(TwoPathTestBed bed, MptcpSelectorProvider provider) throws Exception {
        return open(bed, provider, null);
    }

    /**
     * As {@link #open(TwoPathTestBed, MptcpSelectorProvider)}, with {@code MPTCP_ENABLED} set
     * to {@code mptcp} on both ends before bind and connect; null leaves the provider's mode.
     */
    static Connected open(TwoPathTestBed bed, MptcpSelectorProvider provider, Boolean mptcp)
            throws Exception {
        ServerSocketChannel listener = bed.server().call(() -> {
            ServerSocketChannel l = provider.openServerSocketChannel(StandardProtocolFamily.INET);
            try {
                if (mptcp != null) {
                    l.setOption(MptcpSocketOptions.MPTCP_ENABLED, mptcp);
                }
                return l.bind(bed.serverBindAddress(0));
            } catch (IOException | RuntimeException e) {
                closeQuietly(l, e);
                throw e;
            }
        });
        SocketChannel client = null;
        try {
            int port = ((InetSocketAddress) listener.getLocalAddress()).getPort();
            client = bed.client().call(() -> {
                SocketChannel c = provider.openSocketChannel(StandardProtocolFamily.INET);
                try {
                    if (mptcp != null) {
                        c.setOption(MptcpSocketOptions.MPTCP_ENABLED, mptcp);
                    }
                    return c;
                } catch (IOException | RuntimeException e) {
                    closeQuietly(c, e);
                    throw e;
                }
            });
            client.connect(bed.serverAddress(port));
            SocketChannel server = listener.accept();
            return new Connected(listener, client, server, port);
        } catch (Exception | Error e) {
            closeQuietly(client, e);
            closeQuietly(listener, e);
            throw e;
        }
    }

    @Override
    public void close() throws IOException {
        try (listener; client; server) {
            // closes all three, keeping the first failure and suppressing the others
        }
    }

    private static void closeQuietly(java.io.Closeable c, Throwable into) {
        if (c == null) {
            return;
        }
        try {
            c.close();
        } catch (IOException e) {
            into.addSuppressed(e);
        }
    }
}
