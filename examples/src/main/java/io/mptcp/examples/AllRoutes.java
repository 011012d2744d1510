package io.mptcp.examples;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousServerSocketChannel;
import java.nio.channels.AsynchronousSocketChannel;
import java.nio.channels.CompletionHandler;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.Arrays;
import java.util.Iterator;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * An ordinary program that opens TCP connections the three ways a JVM can: a
 * {@code ServerSocketChannel} served by a {@code Selector} with a {@code SocketChannel} client
 * (NIO), a {@code ServerSocket} with a {@code Socket} client (the classic socket API), and an
 * {@code AsynchronousServerSocketChannel} with an {@code AsynchronousSocketChannel} client
 * (NIO.2). Each pair echoes 256 KiB on loopback, checked byte for byte. Plain JDK code that
 * never names mptcp-nio: built as {@code examples/target/examples-all-routes.jar}, it shows
 * that one flag makes every connection Multipath TCP:
 *
 * <pre>
 * java -javaagent:mptcp-nio-agent/target/mptcp-nio-agent.jar \
 *      -jar examples/target/examples-all-routes.jar 30
 * ss -Mn    # meanwhile, in another shell: one MPTCP socket per end, three connections
 * </pre>
 *
 * <p>It prints one {@code listener} line per server and one {@code connection} line per
 * client (route, local and remote port), then {@code ready}, keeps everything open for the
 * number of seconds given as its argument (0 when none), echoes once more on each connection,
 * and prints {@code done}. Exit code 0 when every echo came back intact.
 */
public final class AllRoutes {

    private static final int SIZE = 256 * 1024;
    private static final long STEP_SECONDS = 30;

    private AllRoutes() {
    }

    public static void main(String[] args) throws Exception {
        long holdSeconds = args.length > 0 ? Long.parseLong(args[0]) : 0;
        InetSocketAddress any = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        byte[] data = new byte[SIZE];
        new SplittableRandom(42).nextBytes(data);
        try (NioEcho nio = new NioEcho(any);
             SocketChannel nioClient = SocketChannel.open(nio.address());
             ServerSocket socketListener = new ServerSocket();
             AsynchronousServerSocketChannel asyncListener =
                     AsynchronousServerSocketChannel.open().bind(any)) {
            socketListener.bind(any);
            Thread socketServer = socketEchoServer(socketListener);
            asyncListener.accept(null, new AsyncAccept(asyncListener));
            try (Socket socketClient = new Socket(InetAddress.getLoopbackAddress(),
                    socketListener.getLocalPort());
                 AsynchronousSocketChannel asyncClient = AsynchronousSocketChannel.open()) {
                asyncClient.connect(asyncListener.getLocalAddress())
                        .get(STEP_SECONDS, TimeUnit.SECONDS);
                socketClient.setSoTimeout((int) TimeUnit.SECONDS.toMillis(STEP_SECONDS));

                listener("nio", nio.address().getPort());
                listener("socket", socketListener.getLocalPort());
                listener("async", port(asyncListener.getLocalAddress()));
                connection("nio", port(nioClient.getLocalAddress()),
                        port(nioClient.getRemoteAddress()));
                connection("socket", socketClient.getLocalPort(), socketClient.getPort());
                connection("async", port(asyncClient.getLocalAddress()),
                        port(asyncClient.getRemoteAddress()));

                for (int round = 1; round <= 2; round++) {
                    check("nio", round, echo(nioClient, data), data);
                    check("socket", round, echo(socketClient, data), data);
                    check("async", round, echo(asyncClient, data), data);
                    if (round == 1) {
                        System.out.println("ready");
                        Thread.sleep(TimeUnit.SECONDS.toMillis(holdSeconds));
                    }
                }
            }
            socketServer.join(TimeUnit.SECONDS.toMillis(STEP_SECONDS));
        }
        System.out.println("done");
    }

    private static void listener(String route, int port) {
        System.out.println("listener route=" + route + " port=" + port);
    }

    private static void connection(String route, int local, int remote) {
        System.out.println("connection route=" + route + " local=" + local + " remote="
                + remote);
    }

    private static int port(java.net.SocketAddress address) {
        return ((InetSocketAddress) address).getPort();
    }

    private static void check(String route, int round, byte[] back, byte[] sent)
            throws IOException {
        if (!Arrays.equals(sent, back)) {
            throw new IOException(route + ": the echo of round " + round + " differs");
        }
        System.out.println("echo route=" + route + " round=" + round + " bytes=" + back.length
                + " ok");
    }

    // ---- NIO: a blocking client, a selector-driven server -----------------------------------

    private static byte[] echo(SocketChannel c, byte[] data) throws IOException {
        ByteBuffer out = ByteBuffer.wrap(data);
        ByteBuffer in = ByteBuffer.allocate(data.length);
        // The echo server answers while we write: write in slices, reading between them, so
        // that neither side's buffers fill up with the other waiting.
        while (out.hasRemaining()) {
            ByteBuffer slice = out.slice();
            slice.limit(Math.min(slice.remaining(), 16 * 1024));
            while (slice.hasRemaining()) {
                c.write(slice);
            }
            out.position(out.position() + slice.limit());
            while (in.position() < out.position()) {
                if (c.read(in) < 0) {
                    throw new IOException("nio: the server closed the connection");
                }
            }
        }
        return in.array();
    }

    /** An echo server: one thread, one selector, non-blocking channels. */
    private static final class NioEcho implements AutoCloseable {
        private final ServerSocketChannel server = ServerSocketChannel.open();
        private final Selector selector = Selector.open();
        private final Thread thread = new Thread(this::loop, "nio-echo");
        private volatile boolean stop;

        NioEcho(InetSocketAddress bind) throws IOException {
            server.bind(bind);
            server.configureBlocking(false);
            server.register(selector, SelectionKey.OP_ACCEPT);
            thread.setDaemon(true);
            thread.start();
        }

        InetSocketAddress address() throws IOException {
            return (InetSocketAddress) server.getLocalAddress();
        }

        private void loop() {
            ByteBuffer buf = ByteBuffer.allocate(64 * 1024);
            try {
                while (!stop) {
                    selector.select();
                    Iterator<SelectionKey> it = selector.selectedKeys().iterator();
                    while (it.hasNext()) {
                        SelectionKey key = it.next();
                        it.remove();
                        if (key.isAcceptable()) {
                            SocketChannel ch = server.accept();
                            if (ch != null) {
                                ch.configureBlocking(false);
                                ch.register(selector, SelectionKey.OP_READ);
                            }
                        } else if (key.isReadable()) {
                            SocketChannel ch = (SocketChannel) key.channel();
                            buf.clear();
                            if (ch.read(buf) < 0) {
                                ch.close();
                                continue;
                            }
                            buf.flip();
                            // Small slices from the client: the reply fits the send buffer,
                            // and a full one just waits here a moment.
                            while (buf.hasRemaining()) {
                                ch.write(buf);
                            }
                        }
                    }
                }
            } catch (IOException e) {
                if (!stop) {
                    System.out.println("nio echo server failed: " + e);
                }
            }
        }

        @Override
        public void close() throws IOException {
            stop = true;
            selector.wakeup();
            try {
                thread.join(TimeUnit.SECONDS.toMillis(STEP_SECONDS));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            for (SelectionKey key : selector.keys()) {
                key.channel().close();
            }
            selector.close();
            server.close();
        }
    }

    // ---- java.net.Socket: a blocking client, a server thread --------------------------------

    private static byte[] echo(Socket s, byte[] data) throws IOException {
        OutputStream out = s.getOutputStream();
        InputStream in = s.getInputStream();
        byte[] back = new byte[data.length];
        int read = 0;
        for (int off = 0; off < data.length; ) {
            int n = Math.min(16 * 1024, data.length - off);
            out.write(data, off, n);
            off += n;
            while (read < off) {
                int r = in.read(back, read, off - read);
                if (r < 0) {
                    throw new IOException("socket: the server closed the connection");
                }
                read += r;
            }
        }
        return back;
    }

    private static Thread socketEchoServer(ServerSocket listener) {
        Thread t = new Thread(() -> {
            try (Socket s = listener.accept()) {
                InputStream in = s.getInputStream();
                OutputStream out = s.getOutputStream();
                byte[] buf = new byte[64 * 1024];
                for (int n; (n = in.read(buf)) >= 0; ) {
                    out.write(buf, 0, n);
                }
            } catch (IOException e) {
                System.out.println("socket echo server failed: " + e);
            }
        }, "socket-echo");
        t.setDaemon(true);
        t.start();
        return t;
    }

    // ---- NIO.2: futures on the client, completion handlers on the server --------------------

    private static byte[] echo(AsynchronousSocketChannel c, byte[] data) throws Exception {
        ByteBuffer out = ByteBuffer.wrap(data);
        ByteBuffer in = ByteBuffer.allocate(data.length);
        while (out.hasRemaining()) {
            ByteBuffer slice = out.slice();
            slice.limit(Math.min(slice.remaining(), 16 * 1024));
            while (slice.hasRemaining()) {
                c.write(slice).get(STEP_SECONDS, TimeUnit.SECONDS);
            }
            out.position(out.position() + slice.limit());
            while (in.position() < out.position()) {
                if (c.read(in).get(STEP_SECONDS, TimeUnit.SECONDS) < 0) {
                    throw new IOException("async: the server closed the connection");
                }
            }
        }
        return in.array();
    }

    /** Accepts one connection and echoes it: read, write it all back, read again. */
    private static final class AsyncAccept
            implements CompletionHandler<AsynchronousSocketChannel, Void> {
        private final AsynchronousServerSocketChannel listener;

        AsyncAccept(AsynchronousServerSocketChannel listener) {
            this.listener = listener;
        }

        @Override
        public void completed(AsynchronousSocketChannel ch, Void att) {
            ByteBuffer buf = ByteBuffer.allocate(64 * 1024);
            ch.read(buf, null, new CompletionHandler<Integer, Void>() {
                @Override
                public void completed(Integer n, Void a) {
                    if (n < 0) {
                        close(ch);
                        return;
                    }
                    buf.flip();
                    CompletionHandler<Integer, Void> reader = this;
                    ch.write(buf, null, new CompletionHandler<Integer, Void>() {
                        @Override
                        public void completed(Integer w, Void b) {
                            if (buf.hasRemaining()) {
                                ch.write(buf, null, this);
                            } else {
                                buf.clear();
                                ch.read(buf, null, reader);
                            }
                        }

                        @Override
                        public void failed(Throwable exc, Void b) {
                            close(ch);
                        }
                    });
                }

                @Override
                public void failed(Throwable exc, Void a) {
                    close(ch);
                }
            });
        }

        @Override
        public void failed(Throwable exc, Void att) {
            if (listener.isOpen()) {
                System.out.println("async accept failed: " + exc);
            }
        }

        private static void close(AsynchronousSocketChannel ch) {
            try {
                ch.close();
            } catch (IOException ignore) {
                // Closing after the client left: nothing to report.
            }
        }
    }
}
