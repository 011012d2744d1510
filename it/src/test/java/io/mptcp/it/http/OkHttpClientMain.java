package io.mptcp.it.http;

import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;

import java.io.IOException;
import java.net.Socket;
import java.net.SocketOption;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * An unmodified OkHttp client (blocking {@code java.net.Socket}s from the JVM's default
 * {@code SocketFactory}) running {@link HttpBodies#exchanges} against the port given as the
 * argument, HTTP/1.1 over its kept-alive connection pool. A network interceptor (OkHttp's own
 * API) notes each connection's socket; at the end the client prints {@code SOCKETS <n>} and
 * {@code MPTCP <value>}: the socket's {@code MPTCP_ENABLED} option, looked up by name so that
 * the control run needs nothing of mptcp-nio, or {@code n/a} where the socket has none.
 */
public final class OkHttpClientMain {
    private static final Duration STEP = Duration.ofSeconds(60);

    private OkHttpClientMain() {
    }

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        HttpBodies.printProviders();
        Set<Socket> sockets = ConcurrentHashMap.newKeySet();
        OkHttpClient client = new OkHttpClient.Builder()
                .connectTimeout(STEP).readTimeout(STEP).writeTimeout(STEP)
                .addNetworkInterceptor(chain -> {
                    sockets.add(chain.connection().socket());
                    return chain.proceed(chain.request());
                })
                .build();
        HttpBodies.exchanges(new HttpBodies.Fetcher() {
            @Override
            public byte[] get(String pathAndQuery) throws Exception {
                return call(client, new Request.Builder()
                        .url(HttpBodies.uri(port, pathAndQuery).toString()).build());
            }

            @Override
            public byte[] post(String path, byte[] body) throws Exception {
                return call(client, new Request.Builder()
                        .url(HttpBodies.uri(port, path).toString())
                        .post(RequestBody.create(body,
                                MediaType.get("application/octet-stream"))).build());
            }
        });
        System.out.println("SOCKETS " + sockets.size());
        for (Socket s : sockets) {
            System.out.println("MPTCP " + mptcpEnabled(s));
        }
        client.dispatcher().executorService().shutdown();
        client.connectionPool().evictAll();
        System.out.println("DONE");
    }

    private static byte[] call(OkHttpClient client, Request request) throws IOException {
        try (Response response = client.newCall(request).execute()) {
            if (response.code() != 200) {
                throw new IOException("status " + response.code() + " for " + request.url());
            }
            return response.body().bytes();
        }
    }

    private static String mptcpEnabled(Socket s) throws IOException {
        for (SocketOption<?> o : s.supportedOptions()) {
            if (o.name().equals("MPTCP_ENABLED")) {
                return String.valueOf(s.getOption(o));
            }
        }
        return "n/a";
    }
}
