package io.mptcp.it.netty;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelException;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.channels.spi.SelectorProvider;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * An ordinary Netty 4 NIO program that copies channel options the way Netty allows:
 * {@code config().getOptions()}, then {@code config().setOptions(...)} with what it read. It
 * does so on four channels: a listener, a client connected to it, the accepted child, and a
 * client connected to a plain {@code java.net.ServerSocket} (the JDK's own TCP socket, which no
 * {@code SelectorProvider} reaches, so an MPTCP client falls back to TCP there).
 *
 * <p>Prints {@code PROVIDER <class>}, then per channel (roles {@code listener}, {@code client},
 * {@code accepted}, {@code fallback}, in that order):
 * <ul>
 *   <li>{@code OPTIONS <role> read=<n> mptcp=<names of the MPTCP options read, sorted>
 *       enabled=<MPTCP_ENABLED or none>}: {@code getOptions()} read every option;</li>
 *   <li>{@code WRITABLE <role> <setOptions result | exception>}: {@code setOptions} of what was
 *       read, without the read-only options;</li>
 *   <li>{@code WHOLE <role> <result | exception: cause class: option named>}: {@code setOptions}
 *       of everything read, read-only options included.</li>
 * </ul>
 * Exit 0 when all lines were printed.
 */
public final class NettyOptionsMain {

    /** Options a channel lists but never takes (the JDK's and mptcp-nio's read-only ones). */
    static final Set<String> READ_ONLY =
            Set.of("SO_INCOMING_NAPI_ID", "MPTCP_TOKEN", "MPTCP_INFO", "MPTCP_SUBFLOWS",
                    "MPTCP_FALLBACK_REASON");

    private NettyOptionsMain() {
    }

    public static void main(String[] args) throws Exception {
        System.out.println("PROVIDER " + SelectorProvider.provider().getClass().getName());
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
        InetAddress loopback = InetAddress.getLoopbackAddress();
        BlockingQueue<Channel> accepted = new ArrayBlockingQueue<>(1);
        try (ServerSocket tcp = new ServerSocket(0, 50, loopback)) {
            Channel listener = new ServerBootstrap().group(group)
                    .channel(NioServerSocketChannel.class)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            accepted.add(ch);
                        }
                    })
                    .bind(loopback, 0).sync().channel();
            Bootstrap clients = new Bootstrap().group(group).channel(NioSocketChannel.class)
                    .handler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            // Nothing to do: only the channel's options matter here.
                        }
                    });
            Channel client = clients.connect(listener.localAddress()).sync().channel();
            Channel child = accepted.poll(30, TimeUnit.SECONDS);
            if (child == null) {
                throw new IllegalStateException("no accepted channel");
            }
            Channel fallback = clients.connect(
                    new InetSocketAddress(loopback, tcp.getLocalPort())).sync().channel();
            try (Socket peer = tcp.accept()) {
                Map<String, Channel> roles = new LinkedHashMap<>();
                roles.put("listener", listener);
                roles.put("client", client);
                roles.put("accepted", child);
                roles.put("fallback", fallback);
                for (Map.Entry<String, Channel> e : roles.entrySet()) {
                    copyOptions(e.getKey(), e.getValue());
                }
            }
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }

    private static void copyOptions(String role, Channel ch) {
        Map<ChannelOption<?>, Object> all = ch.config().getOptions();
        Set<String> mptcp = new TreeSet<>();
        Object enabled = "none";
        Map<ChannelOption<?>, Object> writable = new LinkedHashMap<>();
        for (Map.Entry<ChannelOption<?>, Object> e : all.entrySet()) {
            String name = e.getKey().name();
            if (name.startsWith("MPTCP_")) {
                mptcp.add(name);
            }
            if (name.equals("MPTCP_ENABLED")) {
                enabled = e.getValue();
            }
            if (!READ_ONLY.contains(name)) {
                writable.put(e.getKey(), e.getValue());
            }
        }
        System.out.println("OPTIONS " + role + " read=" + all.size() + " mptcp="
                + String.join(",", mptcp) + " enabled=" + enabled);
        System.out.println("WRITABLE " + role + " " + setOptions(ch, writable));
        System.out.println("WHOLE " + role + " " + setOptions(ch, all));
    }

    private static String setOptions(Channel ch, Map<ChannelOption<?>, Object> options) {
        try {
            return String.valueOf(ch.config().setOptions(options));
        } catch (ChannelException e) {
            Throwable cause = e.getCause();
            String named = "-";
            for (String option : READ_ONLY) {
                if (cause != null && String.valueOf(cause.getMessage()).contains(option)) {
                    named = option;
                }
            }
            return "ChannelException: "
                    + (cause == null ? "-" : cause.getClass().getName()) + ": " + named;
        } catch (RuntimeException e) {
            return e.toString();
        }
    }
}
