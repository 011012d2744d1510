package io.mptcp.nio.contract.socket;

import io.mptcp.nio.MptcpSocketOptions;
import io.mptcp.nio.MptcpSockets;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The child JVM of {@link SocketImplFactoryChildJvmTest}: installs the factories the way the
 * agent does and prints one {@code key=value} line per fact the parent checks.
 */
public final class FactoryProbe {

    private FactoryProbe() {
    }

    @SuppressWarnings("deprecation") // Socket.setSocketImplFactory: what is under test
    public static void main(String[] args) throws Exception {
        InetAddress lo = InetAddress.getLoopbackAddress();
        MptcpSockets.install();
        MptcpSockets.install();
        System.out.println("installed=" + MptcpSockets.isInstalled());
        try {
            Socket.setSocketImplFactory(() -> null);
            System.out.println("second-factory=accepted");
        } catch (SocketException e) {
            System.out.println("second-factory=refused");
        }

        try (ServerSocket ss = new ServerSocket(0, 50, lo);
                Socket c = new Socket(lo, ss.getLocalPort());
                Socket a = ss.accept()) {
            c.getOutputStream().write("ping".getBytes());
            byte[] got = a.getInputStream().readNBytes(4);
            System.out.println("echo=" + new String(got));
            System.out.println("client-mptcp=" + c.getOption(MptcpSocketOptions.MPTCP_ENABLED));
            System.out.println("accepted-mptcp="
                    + a.getOption(MptcpSocketOptions.MPTCP_ENABLED));
            System.out.println("listener-mptcp="
                    + ss.getOption(MptcpSocketOptions.MPTCP_ENABLED));
        }

        try (Socket s = new Socket(Proxy.NO_PROXY)) {
            System.out.println("no-proxy-ours="
                    + s.supportedOptions().contains(MptcpSocketOptions.MPTCP_ENABLED));
        }

        try (ServerSocket proxy = new ServerSocket(0, 50, lo)) {
            Proxy socks = new Proxy(Proxy.Type.SOCKS, proxy.getLocalSocketAddress());
            Socket s = new Socket(socks);
            System.out.println("socks-ours="
                    + s.supportedOptions().contains(MptcpSocketOptions.MPTCP_ENABLED));
            CompletableFuture<Void> connect = CompletableFuture.runAsync(() -> {
                try {
                    s.connect(InetSocketAddress.createUnresolved("example.invalid", 80), 5000);
                } catch (IOException expected) {
                    // The proxy closes without answering.
                }
            });
            try (Socket fromClient = proxy.accept()) {
                System.out.println("socks-greeting=" + fromClient.getInputStream().read());
            }
            connect.get(10, TimeUnit.SECONDS);
            s.close();

            System.setProperty("socksProxyHost", lo.getHostAddress());
            System.setProperty("socksProxyPort", Integer.toString(proxy.getLocalPort()));
            // Empty: no exemption (the default list exempts loopback, the only destination here).
            System.setProperty("socksNonProxyHosts", "");
            try (Socket t = new Socket()) {
                t.connect(new InetSocketAddress(lo, 9), 2000);
                System.out.println("socks-property=connected");
            } catch (SocketException e) {
                System.out.println("socks-property=refused:" + e.getMessage().contains("SOCKS"));
                System.out.println("socks-property-message=" + e.getMessage());
            } finally {
                System.clearProperty("socksProxyHost");
                System.clearProperty("socksProxyPort");
            }
        }
        System.out.println("done");
    }
}
