package io.mptcp.it.http;

import io.undertow.Undertow;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import io.undertow.util.Methods;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * An unmodified Undertow (XNIO's NIO provider underneath) serving {@link HttpBodies}' routes
 * on 127.0.0.1, port chosen by the kernel, until {@code STOP} on standard input. Which
 * provider serves it is the JVM's business (the agent or the system property); nothing here
 * names mptcp-nio.
 */
public final class UndertowServerMain {
    private UndertowServerMain() {
    }

    public static void main(String[] args) throws Exception {
        HttpBodies.printProviders();
        Undertow server = Undertow.builder()
                .addHttpListener(0, "127.0.0.1")
                .setHandler(UndertowServerMain::handle)
                .build();
        server.start();
        InetSocketAddress bound = (InetSocketAddress) server.getListenerInfo().get(0)
                .getAddress();
        System.out.println("LISTENING " + bound.getPort());
        HttpBodies.awaitLine("STOP");
        server.stop();
        System.out.println("STOPPED");
    }

    private static void handle(HttpServerExchange exchange) {
        String path = exchange.getRequestPath();
        if (exchange.getRequestMethod().equals(Methods.POST) && path.equals("/sha")) {
            // Read without blocking the I/O thread: Undertow hands over the whole body.
            exchange.getRequestReceiver().receiveFullBytes((ex, body) ->
                    send(ex, "text/plain", (HttpBodies.sha256(body) + "\n")
                            .getBytes(StandardCharsets.US_ASCII)));
        } else if (path.equals("/data")) {
            send(exchange, "application/octet-stream",
                    HttpBodies.data(exchange.getQueryString()));
        } else if (path.equals("/peer")) {
            send(exchange, "text/plain", (exchange.getSourceAddress().getPort() + "\n")
                    .getBytes(StandardCharsets.US_ASCII));
        } else {
            exchange.setStatusCode(404);
            exchange.endExchange();
        }
    }

    private static void send(HttpServerExchange exchange, String type, byte[] body) {
        exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, type);
        exchange.getResponseHeaders().put(Headers.CONTENT_LENGTH, body.length);
        exchange.getResponseSender().send(ByteBuffer.wrap(body));
    }
}
