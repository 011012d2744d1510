package io.mptcp.it.tomcat;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.apache.catalina.Context;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.startup.Tomcat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.channels.spi.AsynchronousChannelProvider;
import java.nio.channels.spi.SelectorProvider;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * An unmodified embedded Tomcat with one HTTP/1.1 connector on 127.0.0.1, port chosen by the
 * kernel: {@code nio2} ({@code Http11Nio2Protocol}: {@code AsynchronousServerSocketChannel} in
 * an {@code AsynchronousChannelGroup}) or {@code nio} ({@code Http11NioProtocol}: a
 * {@code ServerSocketChannel} and selectors). Which provider serves it is the JVM's business
 * (the system properties); nothing here names mptcp-nio.
 *
 * <p>{@code GET /data?size=N&seed=S} answers N bytes of {@link #pattern}; {@code POST /sha}
 * answers the SHA-256 of the request body in hex. Prints {@code PROVIDERS <selector> <async>},
 * {@code LISTENING <port>}, then serves until a line {@code STOP} on standard input, and
 * prints {@code STOPPED}.
 */
public final class TomcatServerMain {
    private TomcatServerMain() {
    }

    /** The body of {@code /data}: byte i of a seeded xorshift stream, shared with the client. */
    static byte[] pattern(int size, long seed) {
        byte[] b = new byte[size];
        long x = seed | 1;
        for (int i = 0; i < size; i++) {
            x ^= x << 13;
            x ^= x >>> 7;
            x ^= x << 17;
            b[i] = (byte) x;
        }
        return b;
    }

    static String sha256(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The two routes of the test. */
    private static final class Routes extends HttpServlet {
        private static final long serialVersionUID = 1L;

        @Override
        protected void doGet(HttpServletRequest req, HttpServletResponse resp)
                throws IOException {
            int size = Integer.parseInt(req.getParameter("size"));
            long seed = Long.parseLong(req.getParameter("seed"));
            byte[] body = pattern(size, seed);
            resp.setContentType("application/octet-stream");
            resp.setContentLength(body.length);
            try (OutputStream out = resp.getOutputStream()) {
                out.write(body);
            }
        }

        @Override
        protected void doPost(HttpServletRequest req, HttpServletResponse resp)
                throws IOException {
            byte[] body;
            try (InputStream in = req.getInputStream()) {
                body = in.readAllBytes();
            }
            byte[] answer = (sha256(body) + "\n").getBytes(StandardCharsets.US_ASCII);
            resp.setContentType("text/plain");
            resp.setContentLength(answer.length);
            resp.getOutputStream().write(answer);
        }
    }

    // addServletMappingDecoded(String, String): deprecated in Tomcat 11, but the one form
    // every Tomcat from 9 on has; the test runs Tomcat unmodified, as its users embed it.
    @SuppressWarnings("deprecation")
    public static void main(String[] args) throws Exception {
        String protocol = switch (args[0]) {
            case "nio2" -> "org.apache.coyote.http11.Http11Nio2Protocol";
            case "nio" -> "org.apache.coyote.http11.Http11NioProtocol";
            default -> throw new IllegalArgumentException("nio or nio2: " + args[0]);
        };
        System.out.println("PROVIDERS " + SelectorProvider.provider().getClass().getName() + " "
                + AsynchronousChannelProvider.provider().getClass().getName());
        Path base = Files.createTempDirectory("tomcat-it");
        Tomcat tomcat = new Tomcat();
        tomcat.setBaseDir(base.toString());
        Connector connector = new Connector(protocol);
        connector.setPort(0);
        connector.setProperty("address", "127.0.0.1");
        tomcat.getService().addConnector(connector);
        tomcat.setConnector(connector);
        Context ctx = tomcat.addContext("", base.toString());
        Tomcat.addServlet(ctx, "routes", new Routes());
        ctx.addServletMappingDecoded("/*", "routes");
        tomcat.start();
        System.out.println("LISTENING " + connector.getLocalPort());

        BufferedReader in = new BufferedReader(new InputStreamReader(System.in,
                StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null && !line.equals("STOP")) {
            // Only STOP means anything.
        }
        tomcat.stop();
        tomcat.destroy();
        System.out.println("STOPPED");
    }
}
