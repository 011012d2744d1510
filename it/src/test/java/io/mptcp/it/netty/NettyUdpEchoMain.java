package io.mptcp.it.netty;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.AbstractNioChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.socket.nio.NioDatagramChannel;

import java.lang.reflect.Method;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.spi.SelectorProvider;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * An ordinary Netty 4 NIO UDP echo server and client in one JVM on loopback: the client sends
 * {@code --count} datagrams of pseudo-random sizes and contents, one at a time, and checks that
 * each comes back from the server's address with the same bytes. Nothing here knows about
 * mptcp-nio; which {@code java.nio} channels Netty got is printed so the test can see them.
 *
 * <p>Prints (one line each, in order): {@code PROVIDER <class>}, {@code CHANNELS <server's
 * java.nio channel class> <client's>}, {@code ECHOED <count> match=<bool>}. Exit 0 when every
 * datagram came back intact, 1 when one did not, 2 when one did not come back in time.
 */
public final class NettyUdpEchoMain {

    private NettyUdpEchoMain() {
    }

    /**
     * The {@code java.nio} channel under a Netty NIO channel ({@code NioDatagramChannel} is
     * final, and the accessor is protected): a look from outside, for the report only.
     */
    static String nioChannelClass(Channel ch) throws ReflectiveOperationException {
        Method javaChannel = AbstractNioChannel.class.getDeclaredMethod("javaChannel");
        javaChannel.setAccessible(true);
        return javaChannel.invoke(ch).getClass().getName();
    }

    public static void main(String[] args) throws Exception {
        int count = 1000;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--count")) {
                count = Integer.parseInt(args[++i]);
            } else {
                throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        System.out.println("PROVIDER " + SelectorProvider.provider().getClass().getName());
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
        try {
            System.exit(run(group, count));
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        }
    }

    private static int run(EventLoopGroup group, int count) throws Exception {
        InetAddress loopback = InetAddress.getLoopbackAddress();
        Channel server = new Bootstrap().group(group)
                .channel(NioDatagramChannel.class)
                .handler(new EchoHandler())
                .bind(loopback, 0).sync().channel();
        BlockingQueue<DatagramPacket> echoes = new ArrayBlockingQueue<>(16);
        Channel client = new Bootstrap().group(group)
                .channel(NioDatagramChannel.class)
                .handler(new SimpleChannelInboundHandler<DatagramPacket>() {
                    @Override
                    protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket p) {
                        echoes.add(p.retain());
                    }
                })
                .bind(loopback, 0).sync().channel();
        System.out.println("CHANNELS " + nioChannelClass(server) + " " + nioChannelClass(client));

        InetSocketAddress serverAddress = (InetSocketAddress) server.localAddress();
        SplittableRandom random = new SplittableRandom(42);
        boolean match = true;
        int echoed = 0;
        for (int i = 0; i < count; i++) {
            byte[] sent = new byte[1 + random.nextInt(1400)];
            random.nextBytes(sent);
            client.writeAndFlush(new DatagramPacket(Unpooled.wrappedBuffer(sent), serverAddress))
                    .sync();
            DatagramPacket echo = echoes.poll(10, TimeUnit.SECONDS);
            if (echo == null) {
                System.out.println("TIMEOUT waiting for the echo of datagram " + i);
                return 2;
            }
            try {
                ByteBuf content = echo.content();
                byte[] got = new byte[content.readableBytes()];
                content.readBytes(got);
                if (!Arrays.equals(sent, got) || !serverAddress.equals(echo.sender())) {
                    System.out.println("MISMATCH at datagram " + i + " from " + echo.sender());
                    match = false;
                }
                echoed++;
            } finally {
                echo.release();
            }
        }
        System.out.println("ECHOED " + echoed + " match=" + match);
        client.close().sync();
        server.close().sync();
        return match ? 0 : 1;
    }

    /** Sends every datagram back to where it came from. */
    @ChannelHandler.Sharable
    private static final class EchoHandler extends SimpleChannelInboundHandler<DatagramPacket> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket p) {
            ctx.writeAndFlush(new DatagramPacket(p.content().retain(), p.sender()));
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            System.out.println("SERVER ERROR " + cause);
        }
    }
}
