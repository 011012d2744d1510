package io.mptcp.nio.internal.net;

import io.mptcp.nio.pm.PathProfile;

import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

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

    private static final System.Logger LOG = System.getLogger("io.mptcp.nio");
    // "property=value" of each invalid setting already reported, so that each is reported once.
    private static final Set<String> REPORTED = ConcurrentHashMap.newKeySet();

    private static final String MODE_CHOICES = "all, server, client or off";
    private static final String STRICT_CHOICES = "true or false";

    /**
     * Reads {@value #MODE_PROPERTY} and {@value #STRICT_PROPERTY}. A value that is not valid
     * falls back to that property's default ({@code all}, {@code false}) and is reported once
     * per property and value, as a WARNING of {@code System.Logger} {@code io.mptcp.nio}.
     *
     * <p>Why not refuse: the properties are read at every socket open, so refusing would fail
     * every connection of the program, in code that cannot expect an
     * IllegalArgumentException from {@code SocketChannel.open()}, for a typo in a tuning
     * setting; the JDK treats its own networking properties the same way
     * ({@code java.net.preferIPv4Stack=yes} is false).
     */
    public static MptcpPolicy fromSystemProperties() {
        return new MptcpPolicy(
                orDefault(MODE_PROPERTY, MptcpPolicy::parseMode, Mode.ALL, MODE_CHOICES),
                orDefault(STRICT_PROPERTY, MptcpPolicy::parseStrict, false, STRICT_CHOICES));
    }

    /**
     * Reads {@value PathProfile#SYSTEM_PROPERTY}, the default {@code PATH_PROFILE} of new
     * socket channels, as the two above are read: at every open, an invalid value falling back
     * to {@code none} and reported once per value.
     */
    public static PathProfile pathProfile() {
        return orDefault(PathProfile.SYSTEM_PROPERTY, MptcpPolicy::parsePathProfile,
                PathProfile.NONE, PathProfile.choices());
    }

    private static PathProfile parsePathProfile(String value) {
        if (value == null || value.isBlank()) {
            return PathProfile.NONE;
        }
        try {
            return PathProfile.valueOf(value.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("System property " + PathProfile.SYSTEM_PROPERTY
                    + "='" + value + "' is not valid: use " + PathProfile.choices(), e);
        }
    }

    private static <T> T orDefault(String property, Function<String, T> parser, T fallback,
            String choices) {
        String value = System.getProperty(property);
        try {
            return parser.apply(value);
        } catch (IllegalArgumentException invalid) {
            if (REPORTED.add(property + '=' + value)) {
                LOG.log(System.Logger.Level.WARNING, "mptcp-nio: system property " + property
                        + "='" + value + "' is not valid (use " + choices + "); using the"
                        + " default, " + fallback.toString().toLowerCase(Locale.ROOT)
                        + ", until it is corrected");
            }
            return fallback;
        }
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
                    + "' is not valid: use " + MODE_CHOICES, e);
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
                    + "='" + value + "' is not valid: use " + STRICT_CHOICES);
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
