package io.mptcp.it.http;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.channels.spi.AsynchronousChannelProvider;
import java.nio.channels.spi.SelectorProvider;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the servers and clients of these tests agree on, so that every answer can be checked:
 * {@code GET /data?size=N&seed=S} answers N bytes of {@link #pattern}, {@code POST /sha} the
 * SHA-256 of the request body in hex, {@code GET /peer} the client's port as the server sees
 * it. And the lines the programs print: {@code PROVIDERS <selector> <async>} first; the server
 * then {@code LISTENING <port>}, the client one {@code OK ...} or {@code BAD ...} per exchange,
 * {@code LOCAL <first> <last>} (its port by {@code /peer} before and after the transfers: the
 * same port means they ran on one kept-alive connection), {@code HOLDING}; both wait for a line
 * on standard input ({@code STOP}, {@code DONE}) before they end.
 */
final class HttpBodies {
    /** The downloads: a large body that crosses many reads, and a one-byte one. */
    static final int[] SIZES = {8 << 20, 1};
    /** The upload. */
    static final int UPLOAD = 2 << 20;

    private HttpBodies() {
    }

    /** One client's HTTP library, used by {@link #exchanges}. */
    interface Fetcher {
        /** The body of a 200 response to {@code GET pathAndQuery}; anything else throws. */
        byte[] get(String pathAndQuery) throws Exception;

        /** The body of a 200 response to {@code POST path} with {@code body}. */
        byte[] post(String path, byte[] body) throws Exception;
    }

    /** Byte i of a seeded xorshift stream: a body whose every byte is known to both ends. */
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

    /** The query parameters of {@code uri} (no escaping: the tests send digits only). */
    static Map<String, String> query(String rawQuery) {
        Map<String, String> q = new TreeMap<>();
        if (rawQuery != null) {
            for (String pair : rawQuery.split("&")) {
                int eq = pair.indexOf('=');
                q.put(pair.substring(0, eq), pair.substring(eq + 1));
            }
        }
        return q;
    }

    /** The body of {@code /data} for a request URI's query. */
    static byte[] data(String rawQuery) {
        Map<String, String> q = query(rawQuery);
        return pattern(Integer.parseInt(q.get("size")), Long.parseLong(q.get("seed")));
    }

    /** The line naming this JVM's providers, printed first by every program. */
    static void printProviders() {
        System.out.println("PROVIDERS " + SelectorProvider.provider().getClass().getName() + " "
                + AsynchronousChannelProvider.provider().getClass().getName());
    }

    /**
     * The client's part: {@code /peer}, the downloads, the upload, {@code /peer} again, each
     * checked and printed; then {@code HOLDING} until {@code DONE} on standard input, with the
     * connection kept alive for the test to look at.
     */
    static void exchanges(Fetcher f) throws Exception {
        String first = new String(f.get("/peer"), StandardCharsets.US_ASCII).strip();
        boolean ok = true;
        for (int size : SIZES) {
            long seed = 1000 + size;
            byte[] body = f.get("/data?size=" + size + "&seed=" + seed);
            boolean same = Arrays.equals(pattern(size, seed), body);
            ok &= same;
            System.out.println((same ? "OK" : "BAD") + " get size=" + size + " sha256="
                    + sha256(body));
        }
        byte[] upload = pattern(UPLOAD, 77);
        String answer = new String(f.post("/sha", upload), StandardCharsets.US_ASCII).strip();
        boolean same = answer.equals(sha256(upload));
        ok &= same;
        System.out.println((same ? "OK" : "BAD") + " post sha256=" + answer);
        String last = new String(f.get("/peer"), StandardCharsets.US_ASCII).strip();
        System.out.println("LOCAL " + first + " " + last);
        System.out.println(ok ? "HOLDING" : "FAILED");
        awaitLine("DONE");
    }

    /** Blocks until {@code line} (or end of input) on standard input. */
    static void awaitLine(String line) throws Exception {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in,
                StandardCharsets.UTF_8));
        for (String l; (l = in.readLine()) != null; ) {
            if (l.equals(line)) {
                return;
            }
        }
    }

    /** {@code http://127.0.0.1:port} + path. */
    static URI uri(int port, String pathAndQuery) {
        return URI.create("http://127.0.0.1:" + port + pathAndQuery);
    }
}
