package io.mptcp.it.http;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * The JDK's {@code java.net.http.HttpClient} (NIO {@code SocketChannel}s and a selector),
 * HTTP/1.1 with its kept-alive connection pool, running {@link HttpBodies#exchanges} against
 * the port given as the argument.
 */
public final class JdkHttpClientMain {
    private static final Duration STEP = Duration.ofSeconds(60);

    private JdkHttpClientMain() {
    }

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        HttpBodies.printProviders();
        // HTTP/1.1: the default (HTTP/2) would first offer an h2c upgrade on plain http.
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(STEP).build();
        HttpBodies.exchanges(new HttpBodies.Fetcher() {
            @Override
            public byte[] get(String pathAndQuery) throws Exception {
                return check(client.send(HttpRequest.newBuilder(HttpBodies.uri(port,
                        pathAndQuery)).timeout(STEP).build(),
                        HttpResponse.BodyHandlers.ofByteArray()));
            }

            @Override
            public byte[] post(String path, byte[] body) throws Exception {
                return check(client.send(HttpRequest.newBuilder(HttpBodies.uri(port, path))
                        .timeout(STEP).POST(HttpRequest.BodyPublishers.ofByteArray(body))
                        .build(), HttpResponse.BodyHandlers.ofByteArray()));
            }
        });
        System.out.println("DONE");
    }

    private static byte[] check(HttpResponse<byte[]> response) {
        if (response.statusCode() != 200) {
            throw new IllegalStateException("status " + response.statusCode() + " for "
                    + response.uri());
        }
        return response.body();
    }
}
