package io.mptcp.it.http;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * An unmodified Vert.x HTTP server (Netty NIO underneath: Vert.x's default transport, and no
 * native transport on the class path) serving {@link HttpBodies}' routes on 127.0.0.1, port
 * chosen by the kernel, until {@code STOP} on standard input. Prints {@code NATIVE <whether
 * Vert.x uses a native transport>} after the providers; nothing here names mptcp-nio.
 */
public final class VertxServerMain {
    private VertxServerMain() {
    }

    public static void main(String[] args) throws Exception {
        HttpBodies.printProviders();
        Vertx vertx = Vertx.vertx();
        System.out.println("NATIVE " + vertx.isNativeTransportEnabled());
        HttpServer server = vertx.createHttpServer().requestHandler(VertxServerMain::handle)
                .listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture()
                .get(60, TimeUnit.SECONDS);
        System.out.println("LISTENING " + server.actualPort());
        HttpBodies.awaitLine("STOP");
        vertx.close().toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
        System.out.println("STOPPED");
    }

    private static void handle(HttpServerRequest req) {
        String path = req.path();
        if (req.method().equals(HttpMethod.POST) && path.equals("/sha")) {
            req.body().onSuccess(body -> send(req, "text/plain", (HttpBodies.sha256(
                    body.getBytes()) + "\n").getBytes(StandardCharsets.US_ASCII)));
        } else if (path.equals("/data")) {
            send(req, "application/octet-stream", HttpBodies.data(req.query()));
        } else if (path.equals("/peer")) {
            send(req, "text/plain", (req.remoteAddress().port() + "\n")
                    .getBytes(StandardCharsets.US_ASCII));
        } else {
            req.response().setStatusCode(404).end();
        }
    }

    private static void send(HttpServerRequest req, String type, byte[] body) {
        // end(Buffer) sets Content-Length: the response is not chunked.
        req.response().putHeader("Content-Type", type).end(Buffer.buffer(body));
    }
}
