package io.mptcp.nio.pm;

/**
 * The in-kernel path manager's limits in a network namespace, as {@code ip mptcp limits}
 * shows them. Linux 6.18 accepts 0..{@value #MAX} for each, and says so when refusing more.
 *
 * @param subflows the most additional subflows per connection
 * @param addAddrAccepted the most ADD_ADDR announcements accepted per connection
 */
public record PathManagerLimits(int subflows, int addAddrAccepted) {
    /** Linux 6.18's maximum for either limit ({@code MPTCP_PM_ADDR_MAX}). */
    public static final int MAX = 8;

    /**
     * Checks that neither limit is negative. Limits above {@link #MAX} are not checked here:
     * the kernel refuses them, with its reason, when they are set.
     *
     * @param subflows the most additional subflows per connection, 0 or more
     * @param addAddrAccepted the most ADD_ADDR announcements accepted per connection, 0 or
     *     more
     * @throws IllegalArgumentException if either limit is negative
     */
    public PathManagerLimits {
        check("subflows", subflows);
        check("addAddrAccepted", addAddrAccepted);
    }

    private static void check(String name, int value) {
        if (value < 0) {
            throw new IllegalArgumentException(name + " " + value + " is negative");
        }
    }
}
