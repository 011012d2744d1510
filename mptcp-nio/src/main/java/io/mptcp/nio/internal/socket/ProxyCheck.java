package io.mptcp.nio.internal.socket;

import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.ProxySelector;
import java.net.SocketException;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;

/**
 * What a SOCKS proxy setting means once a {@code SocketImplFactory} is installed.
 *
 * <p>Without a factory, {@code new Socket()} gets the JDK's {@code SocksSocketImpl}, which asks
 * the default {@link ProxySelector} for {@code socket://host:port} at connect and goes through
 * the SOCKS proxy it names ({@code socksProxyHost}, or the system's proxies with
 * {@code java.net.useSystemProxies}). With any factory, the JDK hands out the factory's impl
 * and asks no selector, so such a program would silently connect directly, past its proxy.
 * mptcp-nio does not speak SOCKS, so it refuses that connect with a message that says how to
 * proceed, rather than bypass a proxy the program was configured to use. {@code new
 * Socket(Proxy)} with a SOCKS or HTTP proxy is unaffected: the JDK wraps its own impl for
 * those, factory or not, and the connection is plain TCP through the proxy.
 */
final class ProxyCheck {

    private ProxyCheck() {
    }

    /** Throws if the default selector routes {@code target} through a SOCKS proxy. */
    static void refuseSocks(InetSocketAddress target) throws SocketException {
        ProxySelector selector = ProxySelector.getDefault();
        if (selector == null) {
            return;
        }
        URI uri;
        try {
            String host = target.getHostString();
            if (host.indexOf(':') >= 0 && !host.startsWith("[")) {
                host = "[" + host + "]";
            }
            uri = new URI("socket://" + host + ":" + target.getPort());
        } catch (URISyntaxException e) {
            // SocksSocketImpl connects directly when it cannot form the URI; so do we.
            return;
        }
        List<Proxy> proxies = selector.select(uri);
        if (proxies == null || proxies.isEmpty()) {
            return;
        }
        // SocksSocketImpl goes by the first entry: anything but SOCKS means a direct connect.
        Proxy first = proxies.get(0);
        if (first != null && first.type() == Proxy.Type.SOCKS) {
            throw new SocketException("connect to " + target + ": the default ProxySelector"
                    + " routes it through the SOCKS proxy " + first.address()
                    + " (socksProxyHost or java.net.useSystemProxies), and mptcp-nio's"
                    + " SocketImpl does not speak SOCKS; use new Socket(Proxy) for this"
                    + " connection (plain TCP through the proxy), or start without the socket"
                    + " factory (agent option without 'socket')");
        }
    }
}
