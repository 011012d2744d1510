package io.mptcp.agent;

import io.mptcp.ffi.LinuxSyscalls;
import io.mptcp.nio.MptcpSelectorProvider;
import io.mptcp.nio.MptcpSockets;

import java.io.PrintStream;
import java.lang.instrument.Instrumentation;
import java.nio.channels.spi.SelectorProvider;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code java -javaagent:mptcp-nio-agent.jar[=OPTIONS] -jar app.jar}: installs mptcp-nio
 * before the application's {@code main} runs: the {@code SelectorProvider} (every NIO channel),
 * the {@code Socket}/{@code ServerSocket} factories (the classic socket API), and the
 * {@code AsynchronousChannelProvider} where this build has one. See {@link AgentOptions}.
 *
 * <p>The agent never stops the JVM from starting: whatever fails is reported on one line of
 * standard error, prefixed {@code mptcp-nio-agent:}, and that route keeps the JDK's default.
 * The system properties a user set on the command line win over the agent's options.
 */
public final class MptcpAgent {

    static final String SELECTOR_PROPERTY = "java.nio.channels.spi.SelectorProvider";
    static final String ASYNC_PROPERTY = "java.nio.channels.spi.AsynchronousChannelProvider";
    /** The asynchronous provider's class, written on another branch: used if present. */
    static final String ASYNC_PROVIDER = "io.mptcp.nio.MptcpAsynchronousChannelProvider";
    private static final String PREFIX = "mptcp-nio-agent: ";

    private MptcpAgent() {
    }

    /** The {@code -javaagent} entry point. */
    public static void premain(String args, Instrumentation inst) {
        premain(args);
    }

    /** The entry point when the JVM passes no {@code Instrumentation}. */
    public static void premain(String args) {
        run(args, System.err);
    }

    /** An executable jar's {@code Launcher-Agent-Class}: the same, with no options. */
    public static void agentmain(String args, Instrumentation inst) {
        run(args, System.err);
    }

    /** Installs what {@code args} asks for; returns the routes installed (for tests). */
    static List<AgentOptions.Route> run(String args, PrintStream err) {
        List<AgentOptions.Route> installed = new ArrayList<>();
        try {
            AgentOptions options = AgentOptions.parse(args);
            setIfAbsent("io.mptcp.nio.mode", options.mode());
            setIfAbsent("io.mptcp.nio.strict", options.strict());
            if (options.routes().contains(AgentOptions.Route.NIO)
                    || options.routes().contains(AgentOptions.Route.SOCKET)) {
                // Fail here, once, rather than at the application's first socket.
                LinuxSyscalls.system();
            }
            for (AgentOptions.Route route : options.routes()) {
                String failure = install(route, options.explicitRoutes());
                if (failure == null) {
                    installed.add(route);
                } else if (!failure.isEmpty()) {
                    err.println(PREFIX + failure);
                }
            }
            if (options.verbose()) {
                err.println(PREFIX + "installed " + installed + " (mode "
                        + System.getProperty("io.mptcp.nio.mode", "all") + ")");
            }
        } catch (Throwable t) {
            err.println(PREFIX + "not installed, JDK defaults kept: " + describe(t));
        }
        return installed;
    }

    /** @return null when installed, "" when skipped silently, else why it failed */
    private static String install(AgentOptions.Route route, boolean explicit) {
        try {
            return switch (route) {
                case NIO -> installSelectorProvider();
                case SOCKET -> {
                    MptcpSockets.install();
                    yield null;
                }
                case ASYNC -> installAsync(explicit);
            };
        } catch (Throwable t) {
            return route.name().toLowerCase(java.util.Locale.ROOT)
                    + ": not installed, JDK default kept: " + describe(t);
        }
    }

    private static String installSelectorProvider() {
        String wanted = MptcpSelectorProvider.class.getName();
        String set = System.getProperty(SELECTOR_PROPERTY);
        if (set != null && !set.equals(wanted)) {
            return "nio: not installed: -D" + SELECTOR_PROPERTY + "=" + set
                    + " is set on the command line, and it wins";
        }
        System.setProperty(SELECTOR_PROPERTY, wanted);
        // The JDK reads the property once, at the first SelectorProvider.provider(); asking now
        // checks that this is that first time (nothing before the agent used NIO).
        String actual = SelectorProvider.provider().getClass().getName();
        if (!actual.equals(wanted)) {
            return "nio: not installed: the JVM initialised SelectorProvider (" + actual
                    + ") before the agent ran";
        }
        return null;
    }

    private static String installAsync(boolean explicit) {
        try {
            Class.forName(ASYNC_PROVIDER, false, ClassLoader.getSystemClassLoader());
        } catch (ClassNotFoundException e) {
            return explicit ? "async: not installed: this build has no " + ASYNC_PROVIDER : "";
        }
        String set = System.getProperty(ASYNC_PROPERTY);
        if (set != null && !set.equals(ASYNC_PROVIDER)) {
            return "async: not installed: -D" + ASYNC_PROPERTY + "=" + set
                    + " is set on the command line, and it wins";
        }
        System.setProperty(ASYNC_PROPERTY, ASYNC_PROVIDER);
        return null;
    }

    private static void setIfAbsent(String key, String value) {
        if (value != null && System.getProperty(key) == null) {
            System.setProperty(key, value);
        }
    }

    private static String describe(Throwable t) {
        String message = t.getMessage();
        String text = message == null ? t.getClass().getName() : message;
        // One line, whatever the message holds.
        return text.replace('\n', ' ');
    }
}
