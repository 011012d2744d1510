package io.mptcp.nio.pm;

/**
 * A path policy the library runs for a connection, chosen per socket with
 * {@link io.mptcp.nio.MptcpSocketOptions#PATH_PROFILE} before connect, or for every socket of
 * the JVM with the system property {@value #SYSTEM_PROPERTY} (a profile's name in any case:
 * {@link #choices()} lists them).
 *
 * <p>A profile other than {@link #NONE} steers the connection's subflows with the commands of
 * subflow control, so it needs what they need: a connection created while its namespace's path
 * manager was {@code userspace} ({@code net.mptcp.path_manager}), and {@code CAP_NET_ADMIN}.
 * Where either is missing the connection works as without a profile, and the reason is logged
 * (logger {@code io.mptcp.nio.pm.PathProfile}, level WARNING) when the connection is made.
 */
public enum PathProfile {
    /** No policy: the namespace's path manager alone decides (the default). */
    NONE,
    /** {@link HandoverPolicy} with its default timeouts. */
    HANDOVER,
    /** {@link AggregatePolicy} with its default settings: every path at once. */
    AGGREGATE,
    /** {@link InteractivePolicy} with its default settings. */
    INTERACTIVE;

    /** The system property that sets the default profile of every socket of the JVM. */
    public static final String SYSTEM_PROPERTY = "io.mptcp.nio.pathProfile";

    /**
     * The JVM's default: {@value #SYSTEM_PROPERTY} if set, else {@link #NONE}.
     *
     * @return the profile a new socket starts with
     * @throws IllegalArgumentException if the property names no profile
     */
    public static PathProfile jvmDefault() {
        String v = System.getProperty(SYSTEM_PROPERTY);
        if (v == null || v.isBlank()) {
            return NONE;
        }
        for (PathProfile p : values()) {
            if (p.name().equalsIgnoreCase(v.trim())) {
                return p;
            }
        }
        throw new IllegalArgumentException("-D" + SYSTEM_PROPERTY + "=" + v
                + " names no path profile; use one of " + choices());
    }

    /**
     * {@return the profiles' names as the system property takes them} lower case, separated
     * by commas, in declaration order ("none, handover, …"), for error messages.
     */
    public static String choices() {
        StringBuilder b = new StringBuilder();
        for (PathProfile p : values()) {
            if (b.length() > 0) {
                b.append(", ");
            }
            b.append(p.name().toLowerCase(java.util.Locale.ROOT));
        }
        return b.toString();
    }

    /**
     * A new policy for one connection, or none for {@link #NONE}.
     *
     * @return the policy that implements this profile; null for {@link #NONE}
     */
    public PathPolicy newPolicy() {
        return switch (this) {
            case NONE -> null;
            case HANDOVER -> HandoverPolicy.create();
            case AGGREGATE -> AggregatePolicy.create();
            case INTERACTIVE -> InteractivePolicy.create();
        };
    }
}
