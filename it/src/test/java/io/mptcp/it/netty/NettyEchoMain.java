package io.mptcp.it.netty;

import io.mptcp.nio.MptcpSocketOptions;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioChannelOption;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.channels.spi.SelectorProvider;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * An ordinary Netty 4 NIO echo server and client in one JVM on loopback: the client sends
 * {@code --bytes} pseudo-random bytes, the server sends them back, and the client compares the
 * SHA-256 of what it sent with that of what came back. Nothing here knows about mptcp-nio
 * except the one informational read of {@code MPTCP_ENABLED} through Netty's generic
 * {@link NioChannelOption} pass-through.
 *
 * <p>Prints (one line each, in order): {@code PROVIDER <class>}, {@code CONNECTED <client port>
 * <server port>}, {@code MPTCP_ENABLED client=<v> server=<v>}, {@code ECHOED <bytes>
 * match=<bool> sha256=<hex> seconds=<s>}, {@code DONE}. With {@code --hold} it waits for a line
 * on stdin after {@code MPTCP_ENABLED} and after {@code ECHOED}, so that a test can look at the
 * open connection from outside. Exit 0 when the echo matched, 1 when not, 2 on timeout.
 */
public final class NettyEchoMain {

    private static final int CHUNK = 64 * 1024;

    private NettyEchoMain() {
    }

    public static void main(String[] args) throws Exception {
        long bytes = 100L << 20;
        boolean hold = false;
        long timeoutSeconds = 120;
        Boolean clientMptcp = null;
        Boolean serverMptcp = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--bytes" -> bytes = Long.parseLong(args[++i]);
                case "--hold" -> hold = true;
                case "--timeout-seconds" -> timeoutSeconds = Long.parseLong(args[++i]);
                case "--client-mptcp" -> clientMptcp = Boolean.valueOf(args[++i]);
                case "--server-mptcp" -> serverMptcp = Boolean.valueOf(args[++i]);
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        System.out.println("PROVIDER " + SelectorProvider.provider().getClass().getName());
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
        try {
            System.exit(run(group, bytes, hold, timeoutSeconds, clientMptcp, serverMptcp));
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        }
    }

    /**
     * @param clientMptcp, serverMptcp {@code MPTCP_ENABLED} as a Netty channel option of the
     *     client bootstrap and of the listener, or null to leave it to the provider's mode
     */
    private static int run(EventLoopGroup group, long bytes, boolean hold, long timeoutSeconds,
            Boolean clientMptcp, Boolean serverMptcp) throws Exception {
        CompletableFuture<Channel> accepted = new CompletableFuture<>();
        ServerBootstrap serverBootstrap = new ServerBootstrap().group(group)
                .channel(NioServerSocketChannel.class)
                .childHandler(new EchoServerHandler(accepted));
        if (serverMptcp != null) {
            serverBootstrap.option(NioChannelOption.of(MptcpSocketOptions.MPTCP_ENABLED),
                    serverMptcp);
        }
        Channel server = serverBootstrap.bind(InetAddress.getLoopbackAddress(), 0).sync().channel();
        EchoClientHandler client = new EchoClientHandler(bytes);
        Bootstrap clientBootstrap = new Bootstrap().group(group)
                .channel(NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true)
                .handler(client);
        if (clientMptcp != null) {
            clientBootstrap.option(NioChannelOption.of(MptcpSocketOptions.MPTCP_ENABLED),
                    clientMptcp);
        }
        Channel ch = clientBootstrap.connect(server.localAddress()).sync().channel();
        Channel serverEnd = accepted.get(timeoutSeconds, TimeUnit.SECONDS);
        System.out.println("CONNECTED " + port(ch.localAddress()) + " "
                + port(server.localAddress()));
        System.out.println("MPTCP_ENABLED client=" + mptcpEnabled(ch)
                + " server=" + mptcpEnabled(serverEnd));
        BufferedReader stdin = new BufferedReader(
                new InputStreamReader(System.in, StandardCharsets.UTF_8));
        if (hold) {
            stdin.readLine();
        }
        long start = System.nanoTime();
        ch.eventLoop().execute(client::sendMore);
        try {
            client.done.get(timeoutSeconds, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            System.out.println("TIMEOUT after " + timeoutSeconds + " s: sent " + client.written
                    + ", echoed " + client.read + " of " + bytes + " bytes");
            return 2;
        } catch (ExecutionException e) {
            System.out.println("FAILED " + e.getCause());
            e.getCause().printStackTrace(System.out);
            return 1;
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        // The handler is done with both digests: done completed after the last byte came back.
        byte[] echoed = client.received.digest();
        boolean match = MessageDigest.isEqual(client.sent.digest(), echoed);
        System.out.printf("ECHOED %d match=%s sha256=%s seconds=%.3f%n", client.read, match,
                HexFormat.of().formatHex(echoed), seconds);
        if (hold) {
            stdin.readLine();
        }
        ch.close().sync();
        server.close().sync();
        System.out.println("DONE");
        return match && client.read == bytes ? 0 : 1;
    }

    /** The option through Netty's pass-through; Netty answers null when it is unsupported. */
    private static String mptcpEnabled(Channel ch) {
        Boolean v = ch.config().getOption(NioChannelOption.of(MptcpSocketOptions.MPTCP_ENABLED));
        return v == null ? "n/a" : v.toString();
    }

    private static int port(SocketAddress a) {
        return ((InetSocketAddress) a).getPort();
    }

    /** Writes back what it reads, and stops reading while its peer does not keep up. */
    @ChannelHandler.Sharable
    private static final class EchoServerHandler extends ChannelInboundHandlerAdapter {
        private final CompletableFuture<Channel> accepted;

        EchoServerHandler(CompletableFuture<Channel> accepted) {
            this.accepted = accepted;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            accepted.complete(ctx.channel());
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ctx.write(msg);
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            ctx.flush();
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            ctx.channel().config().setAutoRead(ctx.channel().isWritable());
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            System.out.println("SERVER ERROR " + cause);
            ctx.close();
        }
    }

    /** Sends while the channel is writable and hashes both directions; runs on its loop. */
    private static final class EchoClientHandler extends ChannelInboundHandlerAdapter {
        final CompletableFuture<Void> done = new CompletableFuture<>();
        final MessageDigest sent = sha256();
        final MessageDigest received = sha256();
        private final long total;
        private final SplittableRandom random = new SplittableRandom(42);
        private final byte[] chunk = new byte[CHUNK];
        private final byte[] in = new byte[CHUNK];
        private ChannelHandlerContext ctx;
        volatile long written;
        volatile long read;

        EchoClientHandler(long total) {
            this.total = total;
        }

        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            this.ctx = ctx;
        }

        void sendMore() {
            while (written < total && ctx.channel().isWritable()) {
                int n = (int) Math.min(CHUNK, total - written);
                random.nextBytes(chunk);
                sent.update(chunk, 0, n);
                ctx.write(ctx.alloc().buffer(n).writeBytes(chunk, 0, n));
                written += n;
            }
            ctx.flush();
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            if (ctx.channel().isWritable()) {
                sendMore();
            }
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf buf = (ByteBuf) msg;
            try {
                while (buf.isReadable()) {
                    int n = Math.min(in.length, buf.readableBytes());
                    buf.readBytes(in, 0, n);
                    received.update(in, 0, n);
                    read += n;
                }
            } finally {
                buf.release();
            }
            if (read >= total) {
                done.complete(null);
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            done.completeExceptionally(new IOException("connection closed after " + read
                    + " of " + total + " echoed bytes"));
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            done.completeExceptionally(cause);
            ctx.close();
        }

        private static MessageDigest sha256() {
            try {
                return MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
