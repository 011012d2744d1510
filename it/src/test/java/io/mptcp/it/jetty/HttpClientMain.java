package io.mptcp.it.jetty;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.StandardProtocolFamily;
import java.net.URI;
import java.net.UnixDomainSocketAddress;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.channels.spi.SelectorProvider;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * The clients of {@link JettyServerMain}, in a JVM of their own (so under the provider too):
 * the JDK's {@link HttpClient} over TCP (twice, on one kept-alive connection), and HTTP/1.1
 * over a UNIX-domain {@link SocketChannel} (the JDK's HttpClient has no UNIX-domain transport).
 *
 * <p>Arguments: the TCP port and the UNIX-domain path. Prints {@code PROVIDER <class>},
 * {@code TCP <n> status=<code> body=<first line>} for each HttpClient request,
 * {@code UNIX-CHANNEL <class>}, {@code UNIX status=<code> body=<first line>}, then
 * {@code HOLDING} and keeps the HttpClient's connection open until a line {@code DONE}
 * arrives on standard input, so the test can look at it in the kernel.
 */
public final class HttpClientMain {
    private HttpClientMain() {
    }

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        UnixDomainSocketAddress path = UnixDomainSocketAddress.of(args[1]);
        System.out.println("PROVIDER " + SelectorProvider.provider().getClass().getName());

        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(20)).build();
        HttpRequest request = HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + port + "/hello")).GET().build();
        for (int i = 1; i <= 2; i++) {
            HttpResponse<String> response =
                    client.send(request, HttpResponse.BodyHandlers.ofString());
            System.out.println("TCP " + i + " status=" + response.statusCode() + " body="
                    + response.body().strip());
        }

        try (SocketChannel unix = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            System.out.println("UNIX-CHANNEL " + unix.getClass().getName());
            unix.connect(path);
            String response = exchange(unix, "GET /hello HTTP/1.1\r\nHost: localhost\r\n"
                    + "Connection: close\r\n\r\n");
            int headerEnd = response.indexOf("\r\n\r\n");
            String statusLine = response.substring(0, response.indexOf("\r\n"));
            String body = headerEnd < 0 ? "" : response.substring(headerEnd + 4);
            System.out.println("UNIX status=" + statusLine.split(" ")[1] + " body="
                    + body.strip());
        }

        System.out.println("HOLDING");
        BufferedReader in = new BufferedReader(
                new InputStreamReader(System.in, StandardCharsets.UTF_8));
        for (String line; (line = in.readLine()) != null && !line.equals("DONE"); ) {
            // hold the kept-alive TCP connection open until the test has looked
        }
        System.out.println("END");
    }

    /** Writes the request and reads the response until the server closes the connection. */
    private static String exchange(SocketChannel ch, String request) throws IOException {
        ByteBuffer out = ByteBuffer.wrap(request.getBytes(StandardCharsets.US_ASCII));
        while (out.hasRemaining()) {
            ch.write(out);
        }
        StringBuilder text = new StringBuilder();
        ByteBuffer in = ByteBuffer.allocate(4096);
        while (ch.read(in) >= 0) {
            in.flip();
            text.append(StandardCharsets.UTF_8.decode(in));
            in.clear();
        }
        return text.toString();
    }
}
