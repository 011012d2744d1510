package io.mptcp.nio.internal.netlink;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The datagrams captured from Linux 6.18 (resource {@code kernel-6.18.txt}, made by
 * {@code src/test/netlink-capture}): sections {@code === name: description}, then hex with
 * {@code #} comments, whitespace ignored. The socket-diagnostics datagrams are apart
 * ({@code sock-diag-6.18.txt}, {@link #sockDiag()}), so that the mptcp_pm and rtnetlink tests
 * do not take them for theirs.
 */
public final class Fixtures {
    private static final Map<String, byte[]> ALL = load("kernel-6.18.txt");
    private static final Map<String, byte[]> SOCK_DIAG = load("sock-diag-6.18.txt");

    private Fixtures() {
    }

    /** Every fixture by name, in file order. */
    public static Map<String, byte[]> all() {
        return ALL;
    }

    /** The fixture {@code name}. */
    public static byte[] bytes(String name) {
        byte[] b = ALL.get(name);
        if (b == null) {
            throw new IllegalArgumentException("no fixture " + name);
        }
        return b.clone();
    }

    public static ByteBuffer buffer(String name) {
        return ByteBuffer.wrap(bytes(name));
    }

    /** Every NETLINK_SOCK_DIAG fixture by name, in file order. */
    public static Map<String, byte[]> sockDiag() {
        return SOCK_DIAG;
    }

    /** The NETLINK_SOCK_DIAG fixture {@code name}. */
    public static byte[] sockDiag(String name) {
        byte[] b = SOCK_DIAG.get(name);
        if (b == null) {
            throw new IllegalArgumentException("no sock_diag fixture " + name);
        }
        return b.clone();
    }

    private static Map<String, byte[]> load(String resource) {
        String text;
        try (InputStream in = Fixtures.class.getResourceAsStream(resource)) {
            text = new String(in.readAllBytes(), StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<String, byte[]> out = new LinkedHashMap<>();
        String name = null;
        StringBuilder hex = new StringBuilder();
        for (String line : text.split("\n", -1)) {
            if (line.startsWith("=== ")) {
                put(out, name, hex);
                name = line.substring(4, line.indexOf(':'));
                hex.setLength(0);
                continue;
            }
            int comment = line.indexOf('#');
            hex.append((comment >= 0 ? line.substring(0, comment) : line).replaceAll("\\s", ""));
        }
        put(out, name, hex);
        return Collections.unmodifiableMap(out);
    }

    private static void put(Map<String, byte[]> out, String name, StringBuilder hex) {
        if (name != null) {
            out.put(name, HexFormat.of().parseHex(hex));
        }
    }
}
