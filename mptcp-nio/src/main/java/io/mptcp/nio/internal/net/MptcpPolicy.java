package io.mptcp.nio.internal.net;

import java.util.Locale;
import java.util.Objects;

/**
 * Which stream sockets are opened as MPTCP, and whether a refusal falls back to TCP.
 *
 * @param mode which sockets ask for MPTCP
 * @param strict fail instead of falling back to TCP, and let a socket option the kernel refuses
 *     on an MPTCP socket throw instead of being skipped
 */
public record MptcpPolicy(Mode mode, boolean strict) {

    /** System property choosing the {@link Mode}; default {@code all}. */
    public static final String MODE_PROPERTY = "io.mptcp.nio.mode";
    /** System property enabling strict mode; default {@code false}. */
    public static final String STRICT_PROPERTY = "io.mptcp.nio.strict";

    /** Which sockets ask for MPTCP. */
    public enum Mode {
        /** Client and listening sockets. */
        ALL,
        /** Listening sockets only; client sockets are plain TCP. */
        SERVER,
        /** Client sockets only; listening sockets are plain TCP. */
        CLIENT,
        /** Plain TCP everywhere: the provider behaves like the JDK's. */
        OFF
    }

    public MptcpPolicy {
        Objects.requireNonNull(mode, "mode");
    }

    /** Reads {@value #MODE_PROPERTY} and {@value #STRICT_PROPERTY}. */
    public static MptcpPolicy fromSystemProperties() {
        return parse(System.getProperty(MODE_PROPERTY), System.getProperty(STRICT_PROPERTY));
    }

    /**
     * Parses the two property values ({@code null} means unset).
     *
     * @throws IllegalArgumentException naming the property, the value and the accepted values
     */
    public static MptcpPolicy parse(String mode, String strict) {
        return new MptcpPolicy(parseMode(mode), parseStrict(strict));
    }

    private static Mode parseMode(String value) {
        if (value == null || value.isBlank()) {
            return Mode.ALL;
        }
        try {
            return Mode.valueOf(value.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("System property " + MODE_PROPERTY + "='" + value
                    + "' is not valid: use all, server, client or off", e);
        }
    }

    private static boolean parseStrict(String value) {
        if (value == null || value.isBlank()) {
            return false;
        }
        return switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new IllegalArgumentException("System property " + STRICT_PROPERTY
                    + "='" + value + "' is not valid: use true or false");
        };
    }

    /** Whether client (connecting) sockets ask for MPTCP. */
    public boolean mptcpForClients() {
        return mode == Mode.ALL || mode == Mode.CLIENT;
    }

    /** Whether listening sockets ask for MPTCP. */
    public boolean mptcpForServers() {
        return mode == Mode.ALL || mode == Mode.SERVER;
    }
}
