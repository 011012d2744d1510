package io.mptcp.nio.contract;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.FileChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.spi.SelectorProvider;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.Callable;

import io.mptcp.nio.MptcpSocketChannel;

/**
 * The program {@link SecurityManagerContractTest} runs in a child JVM under a security
 * manager, with the JVM's provider ({@code jdk} or {@code mptcp}, the first argument says
 * which to expect). Its own code may only connect to and accept from 127.0.0.1 (ports 1024
 * and up) and bind ephemeral ports; the libraries may do anything. It prints one line per case: what the call returned, or the
 * class of what it threw; the test compares the lines of both providers.
 */
public final class SecurityManagerChild {
    // Below the ephemeral range, which a "localhost:0" listen permission covers.
    private static final int DENIED_PORT = 4_712;

    private SecurityManagerChild() {
    }

    @SuppressWarnings("removal") // the point of the test: JDK 17 to 23 only
    public static void main(String[] args) throws Exception {
        // Installed by the program itself (-Djava.security.manager=allow), as applications
        // do; from here on this class's code has only the rights the policy gives it.
        System.setSecurityManager(new SecurityManager());
        // Installed as applications install it (the system property), since making a
        // provider needs RuntimePermission("selectorProvider").
        SelectorProvider provider = SelectorProvider.provider();
        String expected = args[0].equals("jdk") ? "sun.nio.ch." : "io.mptcp.nio.";
        if (!provider.getClass().getName().startsWith(expected)) {
            throw new IllegalStateException("provider " + provider.getClass().getName());
        }
        InetAddress allowed = InetAddress.getByAddress(new byte[] {127, 0, 0, 1});
        InetAddress denied = InetAddress.getByAddress(new byte[] {127, 0, 0, 2});

        ServerSocketChannel server = provider.openServerSocketChannel();
        server.bind(new InetSocketAddress(allowed, 0));
        int port = ((InetSocketAddress) server.getLocalAddress()).getPort();
        print("server toString", () -> server.toString().replaceAll(".*\\[", "[")
                .replace(":" + port, ":PORT"));

        SocketChannel ok = provider.openSocketChannel();
        print("connect to 127.0.0.1", () -> ok.connect(new InetSocketAddress(allowed, port)));
        print("accept from 127.0.0.1", () -> server.accept() != null);
        // Ours sends a file it opens itself; the JDK's way is FileChannel.open: both check.
        Path file = Path.of("/etc/passwd");
        print("send a file", () -> ok instanceof MptcpSocketChannel m
                ? m.transferFrom(file, 0, 1) : FileChannel.open(file).transferTo(0, 1, ok));
        SocketChannel refused = provider.openSocketChannel();
        print("connect to 127.0.0.2", () -> refused.connect(new InetSocketAddress(denied, port)));
        print("open after a refused connect", refused::isOpen);

        print("bind to a fixed port", () -> provider.openSocketChannel()
                .bind(new InetSocketAddress(allowed, DENIED_PORT)) != null);
        print("listen on a fixed port", () -> provider.openServerSocketChannel()
                .bind(new InetSocketAddress(allowed, DENIED_PORT + 1)) != null);

        SocketChannel from2 = provider.openSocketChannel();
        from2.bind(new InetSocketAddress(denied, 0));
        print("local address bound to 127.0.0.2", () -> host(from2.getLocalAddress()));
        print("adaptor local address", () -> from2.socket().getLocalAddress().getHostAddress());
        from2.connect(new InetSocketAddress(allowed, port));
        print("accept from 127.0.0.2", () -> server.accept() != null);
        SocketChannel again = provider.openSocketChannel();
        again.connect(new InetSocketAddress(allowed, port));
        print("accept from 127.0.0.1 after", () -> host(server.accept().getRemoteAddress()));

        print("UNIX connect", () -> provider.openSocketChannel(StandardProtocolFamily.UNIX)
                .connect(UnixDomainSocketAddress.of("/nonexistent/socket")));
        print("UNIX listen", () -> provider.openServerSocketChannel(StandardProtocolFamily.UNIX)
                .bind(null) != null);

        DatagramChannel receiver = provider.openDatagramChannel();
        receiver.bind(new InetSocketAddress(allowed, 0));
        SocketAddress to = receiver.getLocalAddress();
        DatagramChannel sender = provider.openDatagramChannel();
        print("send to 127.0.0.2", () -> sender.send(ByteBuffer.allocate(1),
                new InetSocketAddress(denied, 9)));
        print("datagram connect to 127.0.0.2", () -> provider.openDatagramChannel()
                .connect(new InetSocketAddress(denied, 9)) != null);
        DatagramChannel sender2 = provider.openDatagramChannel();
        sender2.bind(new InetSocketAddress(denied, 0));
        print("send from 127.0.0.2", () -> sender2.send(bytes("dropped"), to));
        print("send from 127.0.0.1", () -> sender.send(bytes("kept"), to));
        print("receive", () -> {
            ByteBuffer b = ByteBuffer.allocate(20);
            SocketAddress from = receiver.receive(b);
            return host(from) + " " + new String(b.array(), 0, b.position(),
                    StandardCharsets.US_ASCII);
        });
        NetworkInterface lo = NetworkInterface.getByName("lo");
        print("join", () -> provider.openDatagramChannel()
                .join(InetAddress.getByName("239.1.2.3"), lo) != null);
        System.out.println("done");
    }

    private static ByteBuffer bytes(String text) {
        return ByteBuffer.wrap(text.getBytes(StandardCharsets.US_ASCII));
    }

    private static String host(SocketAddress address) {
        return ((InetSocketAddress) address).getAddress().getHostAddress();
    }

    private static void print(String name, Callable<Object> call) {
        String result;
        try {
            result = "returned " + call.call();
        } catch (Exception e) {
            result = "threw " + e.getClass().getName();
        }
        System.out.println(name + ": " + result);
    }
}
