package io.mptcp.it.netty;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.resolver.ResolvedAddressTypes;
import io.netty.resolver.dns.DnsNameResolver;
import io.netty.resolver.dns.DnsNameResolverBuilder;
import io.netty.resolver.dns.SingletonDnsServerAddressStreamProvider;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.channels.spi.SelectorProvider;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * Netty's DNS resolver ({@code DnsNameResolver} on {@code NioDatagramChannel}, as Vert.x uses
 * it) asking one name server: {@code --server host:port}. It resolves {@code --name} and a name
 * that does not exist. The only thing beyond ordinary Netty is a channel factory that remembers
 * the {@code NioDatagramChannel}s it made (as Netty makes them), so that the class of their
 * {@code java.nio} channels can be printed.
 *
 * <p>Prints: {@code PROVIDER <class>}, {@code RESOLVED <name> <address>},
 * {@code UNKNOWN <name> <exception class>}, {@code CHANNELS <java.nio channel class>...}.
 * Exit 0 when both answers were as expected, 1 otherwise.
 */
public final class NettyDnsMain {

    private NettyDnsMain() {
    }

    public static void main(String[] args) throws Exception {
        String server = null;
        String name = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--server" -> server = args[++i];
                case "--name" -> name = args[++i];
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        if (server == null || name == null) {
            throw new IllegalArgumentException("usage: --server host:port --name name");
        }
        int colon = server.lastIndexOf(':');
        InetSocketAddress nameServer = new InetSocketAddress(
                InetAddress.getByName(server.substring(0, colon)),
                Integer.parseInt(server.substring(colon + 1)));
        System.out.println("PROVIDER " + SelectorProvider.provider().getClass().getName());
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        try {
            System.exit(run(group, nameServer, name));
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        }
    }

    private static int run(EventLoopGroup group, InetSocketAddress nameServer, String name)
            throws Exception {
        List<NioDatagramChannel> channels = new CopyOnWriteArrayList<>();
        DnsNameResolver resolver = new DnsNameResolverBuilder(group.next())
                .datagramChannelFactory(() -> {
                    NioDatagramChannel ch = new NioDatagramChannel();
                    channels.add(ch);
                    return ch;
                })
                .nameServerProvider(new SingletonDnsServerAddressStreamProvider(nameServer))
                .resolvedAddressTypes(ResolvedAddressTypes.IPV4_ONLY)
                .searchDomains(List.of())
                .ndots(1)
                .queryTimeoutMillis(10_000)
                .build();
        boolean ok = true;
        try {
            InetAddress answer = resolver.resolve(name).get(30, TimeUnit.SECONDS);
            System.out.println("RESOLVED " + name + " " + answer.getHostAddress());

            String unknown = "no-such-name." + name;
            try {
                InetAddress wrong = resolver.resolve(unknown).get(30, TimeUnit.SECONDS);
                System.out.println("UNKNOWN " + unknown + " resolved to " + wrong);
                ok = false;
            } catch (ExecutionException e) {
                System.out.println("UNKNOWN " + unknown + " " + e.getCause().getClass().getName());
                ok &= e.getCause() instanceof UnknownHostException;
            }
            StringBuilder classes = new StringBuilder("CHANNELS");
            for (NioDatagramChannel ch : channels) {
                classes.append(' ').append(NettyUdpEchoMain.nioChannelClass(ch));
            }
            System.out.println(classes);
        } finally {
            resolver.close();
        }
        return ok ? 0 : 1;
    }
}
