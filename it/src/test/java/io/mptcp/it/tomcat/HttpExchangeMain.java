package io.mptcp.it.tomcat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketOption;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousSocketChannel;
import java.nio.channels.spi.AsynchronousChannelProvider;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;

/**
 * The client of {@link TomcatServerMain}: HTTP/1.1 on one kept-alive
 * {@link AsynchronousSocketChannel} (the JVM's asynchronous provider, chosen by the system
 * property): {@code GET /data} of 4 MiB and 1 byte, and a {@code POST /sha} of 2 MiB, each
 * checked against the expected bytes or checksum.
 *
 * <p>Argument: the port. Prints {@code PROVIDER <class>}, one {@code OK <what> sha256=<hex>}
 * per exchange (or {@code BAD ...}), {@code LOCAL <port>} and {@code MPTCP <value>} (the
 * channel's {@code MPTCP_ENABLED} if it has it, else {@code n/a}), then {@code HOLDING}, and
 * keeps the connection open until {@code DONE} arrives on standard input.
 */
public final class HttpExchangeMain {
    private static final long STEP_SECONDS = 60;

    private HttpExchangeMain() {
    }

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        System.out.println("PROVIDER " + AsynchronousChannelProvider.provider().getClass()
                .getName());
        try (AsynchronousSocketChannel ch = AsynchronousSocketChannel.open()) {
            ch.connect(new InetSocketAddress("127.0.0.1", port)).get(STEP_SECONDS,
                    TimeUnit.SECONDS);
            Reader reader = new Reader(ch);
            boolean ok = true;
            for (int size : new int[] {4 << 20, 1}) {
                long seed = 1000 + size;
                send(ch, "GET /data?size=" + size + "&seed=" + seed + " HTTP/1.1\r\n"
                        + "Host: localhost\r\n\r\n", new byte[0]);
                byte[] body = reader.response();
                byte[] expected = TomcatServerMain.pattern(size, seed);
                boolean same = Arrays.equals(expected, body);
                ok &= same;
                System.out.println((same ? "OK" : "BAD") + " get size=" + size + " sha256="
                        + TomcatServerMain.sha256(body));
            }
            byte[] upload = TomcatServerMain.pattern(2 << 20, 77);
            send(ch, "POST /sha HTTP/1.1\r\nHost: localhost\r\nContent-Type:"
                    + " application/octet-stream\r\nContent-Length: " + upload.length
                    + "\r\n\r\n", upload);
            String answer = new String(reader.response(), StandardCharsets.US_ASCII).strip();
            boolean same = answer.equals(TomcatServerMain.sha256(upload));
            ok &= same;
            System.out.println((same ? "OK" : "BAD") + " post sha256=" + answer);
            InetSocketAddress local = (InetSocketAddress) ch.getLocalAddress();
            System.out.println("LOCAL " + local.getPort());
            System.out.println("MPTCP " + mptcpEnabled(ch));
            System.out.println(ok ? "HOLDING" : "FAILED");
            byte[] line = new byte[64];
            while (System.in.read(line) > 0) {
                if (new String(line, StandardCharsets.US_ASCII).startsWith("DONE")) {
                    break;
                }
            }
        }
    }

    // MPTCP_ENABLED by name, so that the control run needs nothing of mptcp-nio.
    private static String mptcpEnabled(AsynchronousSocketChannel ch) throws IOException {
        for (SocketOption<?> o : ch.supportedOptions()) {
            if (o.name().equals("MPTCP_ENABLED")) {
                return String.valueOf(ch.getOption(o));
            }
        }
        return "n/a";
    }

    private static void send(AsynchronousSocketChannel ch, String head, byte[] body)
            throws Exception {
        byte[] h = head.getBytes(StandardCharsets.US_ASCII);
        ByteBuffer[] all = {ByteBuffer.wrap(h), ByteBuffer.wrap(body)};
        for (ByteBuffer b : all) {
            while (b.hasRemaining()) {
                ch.write(b).get(STEP_SECONDS, TimeUnit.SECONDS);
            }
        }
    }

    /** Reads responses with a Content-Length (what Tomcat sends here) off one connection. */
    private static final class Reader {
        private final AsynchronousSocketChannel ch;
        private final ByteBuffer buf = ByteBuffer.allocate(1 << 16);

        Reader(AsynchronousSocketChannel ch) {
            this.ch = ch;
            buf.flip();
        }

        byte[] response() throws Exception {
            ByteArrayOutputStream head = new ByteArrayOutputStream();
            while (!endsWithBlankLine(head)) {
                head.write(next());
            }
            String headers = head.toString(StandardCharsets.US_ASCII);
            if (!headers.startsWith("HTTP/1.1 200")) {
                throw new IOException("not 200: " + headers);
            }
            int length = -1;
            for (String h : headers.split("\r\n")) {
                if (h.toLowerCase().startsWith("content-length:")) {
                    length = Integer.parseInt(h.substring(15).trim());
                }
            }
            if (length < 0) {
                throw new IOException("no Content-Length: " + headers);
            }
            byte[] body = new byte[length];
            for (int i = 0; i < length; i++) {
                body[i] = next();
            }
            return body;
        }

        private byte next() throws Exception {
            if (!buf.hasRemaining()) {
                buf.clear();
                int n = ch.read(buf).get(STEP_SECONDS, TimeUnit.SECONDS);
                buf.flip();
                if (n < 0) {
                    throw new IOException("end of stream");
                }
            }
            return buf.get();
        }

        private static boolean endsWithBlankLine(ByteArrayOutputStream out) {
            byte[] b = out.toByteArray();
            int n = b.length;
            return n >= 4 && b[n - 4] == '\r' && b[n - 3] == '\n' && b[n - 2] == '\r'
                    && b[n - 1] == '\n';
        }
    }
}
