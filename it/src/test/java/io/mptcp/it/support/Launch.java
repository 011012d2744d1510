package io.mptcp.it.support;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * How an unmodified program in a child JVM gets mptcp-nio, or does not: the one flag
 * ({@code -javaagent:mptcp-nio-agent.jar}), the two system properties with mptcp-nio on the
 * class path, or nothing (the JDK's defaults, the control). {@link #start} starts the child
 * accordingly and, for the agent, checks its one line of what it installed.
 */
public enum Launch {
    /**
     * {@code -javaagent:mptcp-nio-agent.jar=verbose}, the one flag; the class path is the
     * application's alone (this JVM's without mptcp-nio and its dependencies), so that every
     * class of ours comes from the agent jar.
     */
    AGENT,
    /**
     * {@code -Djava.nio.channels.spi.SelectorProvider} and
     * {@code -Djava.nio.channels.spi.AsynchronousChannelProvider} naming ours, mptcp-nio on the
     * class path. (No system property reaches {@code java.net.Socket}: that takes the agent or
     * {@code MptcpSockets.install()}.)
     */
    PROPERTIES,
    /** Nothing of mptcp-nio: the JDK's providers and sockets. */
    JDK;

    /** The asynchronous-channel provider property of {@link #PROPERTIES}. */
    public static final String ASYNC_PROPERTY =
            "java.nio.channels.spi.AsynchronousChannelProvider";
    /** Ours, by name: the agent route must not need mptcp-nio on the class path. */
    public static final String ASYNC_CLASS = "io.mptcp.nio.MptcpAsynchronousChannelProvider";
    /** What the agent prints with {@code verbose} once all three routes are in. */
    public static final String AGENT_INSTALLED =
            "mptcp-nio-agent: installed [NIO, SOCKET, ASYNC]";

    /** Whether this route gives the child mptcp-nio. */
    public boolean ours() {
        return this != JDK;
    }

    /** The JVM options of this route. */
    public List<String> jvmArgs() {
        return switch (this) {
            case AGENT -> List.of("-javaagent:" + agentJar() + "=verbose");
            case PROPERTIES -> List.of(
                    "-D" + ChildJvm.PROVIDER_PROPERTY + "=" + ChildJvm.PROVIDER_CLASS,
                    "-D" + ASYNC_PROPERTY + "=" + ASYNC_CLASS);
            case JDK -> List.of();
        };
    }

    /** The child's class path: this JVM's, less mptcp-nio for the agent. */
    public String classPath() {
        String all = System.getProperty("java.class.path");
        if (this != AGENT) {
            return all;
        }
        List<String> app = new ArrayList<>();
        for (String entry : all.split(File.pathSeparator)) {
            if (!isMptcpNio(entry)) {
                app.add(entry);
            }
        }
        return String.join(File.pathSeparator, app);
    }

    /**
     * Starts {@code mainClass} on {@code java} by this route; for the agent, waits for its
     * line saying all three routes are installed (it fails the test otherwise).
     */
    public ChildJvm start(Path java, String mainClass, String... args) throws Exception {
        ChildJvm child = ChildJvm.startWithClassPath(java, List.of(), jvmArgs(), classPath(),
                mainClass, args);
        if (this == AGENT) {
            // The verbose line, or the one saying why nothing was installed, comes last.
            String line = child.awaitLine(l -> l.startsWith("mptcp-nio-agent: installed ")
                    || l.startsWith("mptcp-nio-agent: not installed"), Duration.ofSeconds(60),
                    "the agent's line");
            if (!line.startsWith(AGENT_INSTALLED)) {
                child.close();
                throw new AssertionError("the agent did not install all routes\n"
                        + child.describe());
            }
        }
        return child;
    }

    /** As {@link #start(Path, String, String...)} on this JVM's {@code java}. */
    public ChildJvm start(String mainClass, String... args) throws Exception {
        return start(Path.of(System.getProperty("java.home"), "bin", "java"), mainClass, args);
    }

    /** The agent jar the build made (failsafe passes its path as {@code mptcp.it.agent.jar}). */
    public static Path agentJar() {
        String path = System.getProperty("mptcp.it.agent.jar", "");
        Prerequisites.require(!path.isEmpty() && Files.isRegularFile(Path.of(path)),
                "the agent jar is missing (" + path + "): build with"
                        + " mvn -pl it -am verify, which packages mptcp-nio-agent");
        return Path.of(path);
    }

    /** A class-path entry of mptcp-nio or of the libraries the agent jar carries shaded. */
    public static boolean isMptcpNio(String entry) {
        String p = entry.replace(File.separatorChar, '/');
        return p.contains("/mptcp-nio") || p.contains("/io/mptcp/mptcp-nio")
                || p.contains("/com/github/jnr/") || p.contains("/org/ow2/asm/");
    }
}
