package io.mptcp.agent;

import java.util.Collections;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/**
 * The agent's options, {@code -javaagent:mptcp-nio-agent.jar=OPTIONS}: a comma-separated list
 * of the routes to install ({@code nio}, {@code socket}, {@code async}; all three when none is
 * named) and settings ({@code mode=all|server|client|off}, {@code strict=true|false},
 * {@code verbose}).
 *
 * @param routes the routes to install
 * @param explicitRoutes whether the routes were named (then a missing one is reported)
 * @param mode {@code io.mptcp.nio.mode}, or null to leave it
 * @param strict {@code io.mptcp.nio.strict}, or null to leave it
 * @param verbose whether to print one line of what was installed
 */
record AgentOptions(Set<Route> routes, boolean explicitRoutes, String mode, String strict,
        boolean verbose) {

    /** What the agent can install. */
    enum Route {
        /** The {@code SelectorProvider}: every NIO channel and selector. */
        NIO,
        /** The {@code Socket}/{@code ServerSocket} factories. */
        SOCKET,
        /** The {@code AsynchronousChannelProvider}, where this build has one. */
        ASYNC
    }

    private static final Set<String> MODES = Set.of("all", "server", "client", "off");

    AgentOptions {
        // In the enum's order, so that the routes install and print in a fixed order.
        routes = routes.isEmpty() ? Set.of()
                : Collections.unmodifiableSet(EnumSet.copyOf(routes));
    }

    /**
     * Parses the agent argument (null or empty: the defaults).
     *
     * @throws IllegalArgumentException naming the first option it does not understand
     */
    static AgentOptions parse(String args) {
        Set<Route> routes = EnumSet.noneOf(Route.class);
        String mode = null;
        String strict = null;
        boolean verbose = false;
        if (args != null) {
            for (String raw : args.split(",")) {
                String option = raw.trim();
                if (option.isEmpty()) {
                    continue;
                }
                String lower = option.toLowerCase(Locale.ROOT);
                if (lower.startsWith("mode=")) {
                    mode = lower.substring("mode=".length());
                    if (!MODES.contains(mode)) {
                        throw new IllegalArgumentException("option '" + option
                                + "': mode is all, server, client or off");
                    }
                } else if (lower.startsWith("strict=")) {
                    strict = lower.substring("strict=".length());
                    if (!strict.equals("true") && !strict.equals("false")) {
                        throw new IllegalArgumentException("option '" + option
                                + "': strict is true or false");
                    }
                } else if (lower.equals("verbose")) {
                    verbose = true;
                } else {
                    routes.add(route(option, lower));
                }
            }
        }
        boolean explicit = !routes.isEmpty();
        if (!explicit) {
            routes = EnumSet.allOf(Route.class);
        }
        return new AgentOptions(routes, explicit, mode, strict, verbose);
    }

    private static Route route(String option, String lower) {
        return switch (lower) {
            case "nio" -> Route.NIO;
            case "socket" -> Route.SOCKET;
            case "async" -> Route.ASYNC;
            default -> throw new IllegalArgumentException("unknown option '" + option
                    + "' (known: nio, socket, async, mode=..., strict=..., verbose)");
        };
    }
}
