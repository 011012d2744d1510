package io.mptcp.it.http;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;

import java.util.concurrent.TimeUnit;

/**
 * An unmodified Vert.x HTTP client (Netty NIO underneath) running {@link HttpBodies#exchanges}
 * against the port given as the argument, HTTP/1.1 with keep-alive and a pool of one
 * connection per server. Prints {@code NATIVE <whether Vert.x uses a native transport>} after
 * the providers.
 */
public final class VertxClientMain {
    private static final long STEP_SECONDS = 60;

    private VertxClientMain() {
    }

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        HttpBodies.printProviders();
        Vertx vertx = Vertx.vertx();
        System.out.println("NATIVE " + vertx.isNativeTransportEnabled());
        HttpClientAgent client = vertx.createHttpClient(new HttpClientOptions()
                .setKeepAlive(true), new PoolOptions().setHttp1MaxSize(1));
        HttpBodies.exchanges(new HttpBodies.Fetcher() {
            @Override
            public byte[] get(String pathAndQuery) throws Exception {
                return await(client.request(HttpMethod.GET, port, "127.0.0.1", pathAndQuery)
                        .compose(req -> req.send().compose(VertxClientMain::body)));
            }

            @Override
            public byte[] post(String path, byte[] body) throws Exception {
                return await(client.request(HttpMethod.POST, port, "127.0.0.1", path)
                        .compose(req -> req.send(Buffer.buffer(body))
                                .compose(VertxClientMain::body)));
            }
        });
        vertx.close().toCompletionStage().toCompletableFuture().get(STEP_SECONDS,
                TimeUnit.SECONDS);
        System.out.println("DONE");
    }

    private static Future<Buffer> body(HttpClientResponse resp) {
        return resp.statusCode() == 200 ? resp.body()
                : Future.failedFuture("status " + resp.statusCode());
    }

    private static byte[] await(Future<Buffer> f) throws Exception {
        return f.toCompletionStage().toCompletableFuture().get(STEP_SECONDS, TimeUnit.SECONDS)
                .getBytes();
    }
}
