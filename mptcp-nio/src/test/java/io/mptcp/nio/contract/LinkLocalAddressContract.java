package io.mptcp.nio.contract;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.channels.DatagramChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;

import org.junit.jupiter.api.Test;

/**
 * Scoped IPv6 link-local addresses ({@code fe80::…%mc0}): every address a channel reports
 * carries the scope (interface index), as the kernel reports it for TCP and UDP sockets, so
 * that it can be used again; connecting to an unscoped link-local address fails with
 * {@code EINVAL}. Runs in a {@link MulticastNamespace} (a veth pair with the link-local
 * addresses {@code fe80::1} and {@code fe80::2} on {@code mc0}).
 */
abstract class LinkLocalAddressContract extends DatagramContract {

    /** Checks, where it matters, that the connection is of the protocol under test. */
    protected void assertProtocol(SocketChannel ch) throws Exception {
    }

    private static int scopeOf(SocketAddress address) {
        InetAddress a = ((InetSocketAddress) address).getAddress();
        return assertInstanceOf(Inet6Address.class, a, address.toString()).getScopeId();
    }

    private static void assertScoped(int scope, SocketAddress address, String what) {
        assertEquals(scope, scopeOf(address), what + ": " + address);
    }

    private static void assertScoped(int scope, InetAddress address, String what) {
        assertEquals(scope, assertInstanceOf(Inet6Address.class, address).getScopeId(),
                what + ": " + address);
    }

    /** The case: connect to the address a link-local listener reports. */
    @Test
    void aListenerBoundToAScopedLinkLocalAddressReportsItsScope() throws Exception {
        MulticastNamespace ns = track(MulticastNamespace.create());
        InetAddress source = ns.onV6Device(MulticastNamespace.V6_SOURCE);
        int scope = ns.v6Device().getIndex();
        ns.call(() -> {
            ServerSocketChannel server = openServerSocketChannel();
            server.bind(new InetSocketAddress(source, 0));
            assertScoped(scope, server.getLocalAddress(), "listener");
            ServerSocket adaptor = server.socket();
            assertScoped(scope, adaptor.getInetAddress(), "listener adaptor");
            assertScoped(scope, adaptor.getLocalSocketAddress(), "listener adaptor");

            SocketChannel client = openSocketChannel();
            client.connect(server.getLocalAddress());
            SocketChannel accepted = track(server.accept());
            assertProtocol(client);
            assertScoped(scope, client.getLocalAddress(), "client's local address");
            assertScoped(scope, client.getRemoteAddress(), "client's remote address");
            assertScoped(scope, accepted.getLocalAddress(), "accepted local address");
            assertScoped(scope, accepted.getRemoteAddress(), "accepted remote address");
            Socket socket = accepted.socket();
            assertScoped(scope, socket.getLocalAddress(), "accepted adaptor");
            assertScoped(scope, socket.getInetAddress(), "accepted adaptor's peer");
            assertEquals(client.getLocalAddress(), accepted.getRemoteAddress());
            roundTrip(client, accepted);
            return null;
        });
    }

    /**
     * A wildcard listener learns the link only from the connection: the accepted channel's
     * addresses are scoped to the interface that has the local address.
     */
    @Test
    void aWildcardListenerAcceptsALinkLocalConnectionWithItsScope() throws Exception {
        MulticastNamespace ns = track(MulticastNamespace.create());
        InetAddress other = ns.onV6Device(MulticastNamespace.V6_OTHER);
        int scope = ns.v6Device().getIndex();
        ns.call(() -> {
            ServerSocketChannel server = provider()
                    .openServerSocketChannel(StandardProtocolFamily.INET6);
            track(server).bind(new InetSocketAddress(0));
            int port = ((InetSocketAddress) server.getLocalAddress()).getPort();

            SocketChannel client = openSocketChannel();
            client.connect(new InetSocketAddress(other, port));
            SocketChannel accepted = track(server.accept());
            assertProtocol(client);
            assertScoped(scope, client.getLocalAddress(), "client's local address");
            assertScoped(scope, client.getRemoteAddress(), "client's remote address");
            assertScoped(scope, accepted.getLocalAddress(), "accepted local address");
            assertScoped(scope, accepted.getRemoteAddress(), "accepted remote address");
            assertEquals(new InetSocketAddress(other, port), accepted.getLocalAddress());
            roundTrip(client, accepted);

            // And back: the accepted side's idea of the client reaches it.
            SocketChannel again = openSocketChannel();
            again.connect(new InetSocketAddress(
                    ((InetSocketAddress) accepted.getLocalAddress()).getAddress(), port));
            roundTrip(again, track(server.accept()));
            return null;
        });
    }

    /** A client bound to a scoped link-local address keeps that scope before and after. */
    @Test
    void aClientBoundToAScopedLinkLocalAddressKeepsItsScope() throws Exception {
        MulticastNamespace ns = track(MulticastNamespace.create());
        InetAddress source = ns.onV6Device(MulticastNamespace.V6_SOURCE);
        InetAddress other = ns.onV6Device(MulticastNamespace.V6_OTHER);
        int scope = ns.v6Device().getIndex();
        ns.call(() -> {
            ServerSocketChannel server = openServerSocketChannel();
            server.bind(new InetSocketAddress(other, 0));
            SocketChannel client = openSocketChannel();
            client.bind(new InetSocketAddress(source, 0));
            assertScoped(scope, client.getLocalAddress(), "bound client");
            client.connect(server.getLocalAddress());
            SocketChannel accepted = track(server.accept());
            assertProtocol(client);
            assertScoped(scope, client.getLocalAddress(), "connected client");
            assertScoped(scope, accepted.getRemoteAddress(), "accepted remote address");
            roundTrip(client, accepted);
            return null;
        });
    }

    /** UDP: the kernel reports the scope; the channel passes it on, bound and connected. */
    @Test
    void aDatagramChannelReportsTheScopeOfItsLinkLocalAddresses() throws Exception {
        MulticastNamespace ns = track(MulticastNamespace.create());
        InetAddress source = ns.onV6Device(MulticastNamespace.V6_SOURCE);
        InetAddress other = ns.onV6Device(MulticastNamespace.V6_OTHER);
        int scope = ns.v6Device().getIndex();
        ns.call(() -> {
            DatagramChannel a = openDatagram(StandardProtocolFamily.INET6);
            a.bind(new InetSocketAddress(source, 0));
            DatagramChannel b = openDatagram(StandardProtocolFamily.INET6);
            b.bind(new InetSocketAddress(other, 0));
            assertScoped(scope, a.getLocalAddress(), "bound");
            a.connect(b.getLocalAddress());
            assertScoped(scope, a.getLocalAddress(), "connected, local");
            assertScoped(scope, a.getRemoteAddress(), "connected, remote");
            a.write(text("ll"));
            assertEquals("ll", receiveFrom(b, a.getLocalAddress()));
            return null;
        });
    }

    private static void roundTrip(SocketChannel from, SocketChannel to) throws Exception {
        byte[] data = {1, 2, 3, 4};
        ContractSupport.writeFully(from, data);
        assertArrayEquals(data, ContractSupport.readFully(to, data.length));
    }
}
