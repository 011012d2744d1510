package io.mptcp.it.support;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * How a child JVM running an unmodified program gets mptcp-nio, or does not: the routes a user
 * has, each started here exactly as the README tells a user to, and the JDK's defaults as the
 * control. The program's own class path is this JVM's without mptcp-nio and its dependencies;
 * the routes that need mptcp-nio on the class path put them back.
 */
public enum Route {
    /** {@code -javaagent:mptcp-nio-agent.jar}, the one flag; the class path is the program's. */
    AGENT,
    /**
     * mptcp-nio on the class path and the two system properties that install the
     * {@code SelectorProvider} and the {@code AsynchronousChannelProvider}: NIO and NIO.2 only
     * ({@code java.net.Socket} stays the JDK's: no property can install its factory).
     */
    PROPERTIES,
    /**
     * mptcp-nio on the class path and {@code MptcpSockets.install()} before the program's main
     * ({@link InstallThenMain}): {@code java.net.Socket} and {@code ServerSocket} only.
     */
    CLASS_PATH,
    /** The JDK's defaults: the control. */
    JDK;

    /** What the agent prints (option {@code verbose}) once it has installed all three routes. */
    public static final String AGENT_INSTALLED = "mptcp-nio-agent: installed [NIO, SOCKET, ASYNC]";

    /** The asynchronous-channel provider property of {@link #PROPERTIES}. */
    public static final String ASYNC_PROPERTY =
            "java.nio.channels.spi.AsynchronousChannelProvider";
    /** Ours, by name: the agent route must not need mptcp-nio on the class path. */
    public static final String ASYNC_CLASS = "io.mptcp.nio.MptcpAsynchronousChannelProvider";

    /** Whether this route gives the child mptcp-nio (all but the JDK's defaults). */
    public boolean ours() {
        return this != JDK;
    }

    /** The JVM options of this route (the agent, or the two properties, or none). */
    public List<String> jvmArgs() {
        return switch (this) {
            case AGENT -> List.of("-javaagent:" + agentJar() + "=verbose");
            case PROPERTIES -> List.of(
                    "-D" + ChildJvm.PROVIDER_PROPERTY + "=" + ChildJvm.PROVIDER_CLASS,
                    "-D" + ASYNC_PROPERTY + "=" + ASYNC_CLASS);
            case CLASS_PATH, JDK -> List.of();
        };
    }

    /** The child's class path: this JVM's, less mptcp-nio for the agent and the JDK. */
    public String classPath() {
        List<String> all = Arrays.asList(
                System.getProperty("java.class.path").split(File.pathSeparator));
        if (this == PROPERTIES || this == CLASS_PATH) {
            return String.join(File.pathSeparator, all);
        }
        return String.join(File.pathSeparator,
                all.stream().filter(e -> !isMptcpNio(e)).toList());
    }

    /** The agent jar the build made (failsafe passes its path); skips or fails without it. */
    public static Path agentJar() {
        String path = System.getProperty("mptcp.it.agent.jar", "");
        Prerequisites.require(!path.isEmpty() && Files.isRegularFile(Path.of(path)),
                "the agent jar is missing (" + path + "): build with"
                        + " mvn -pl it -am verify, which packages mptcp-nio-agent");
        return Path.of(path);
    }

    /**
     * Starts {@code mainClass} with {@code args} in a child JVM of {@code java} on this route;
     * {@code jvmArgs} (heap size, properties of the program) come first.
     */
    public ChildJvm start(Path java, List<String> jvmArgs, String mainClass, String... args)
            throws IOException {
        List<String> options = new ArrayList<>(jvmArgs);
        options.addAll(jvmArgs());
        List<String> mainAndArgs = new ArrayList<>(List.of(mainClass));
        mainAndArgs.addAll(Arrays.asList(args));
        if (this == CLASS_PATH) {
            mainAndArgs.add(0, InstallThenMain.class.getName());
        }
        ChildJvm child = ChildJvm.startWithClassPath(java, List.of(), options, classPath(),
                mainAndArgs.get(0),
                mainAndArgs.subList(1, mainAndArgs.size()).toArray(String[]::new));
        if (this == AGENT) {
            awaitAgent(child);
        }
        return child;
    }

    // The agent prints its line (installed, or why not) before main runs: a test that goes on
    // without all three routes would blame the program for the agent's failure.
    private static void awaitAgent(ChildJvm child) throws IOException {
        try {
            String line = child.awaitLine(l -> l.startsWith("mptcp-nio-agent: installed ")
                    || l.startsWith("mptcp-nio-agent: not installed"), Duration.ofSeconds(60),
                    "the agent's line");
            if (!line.startsWith(AGENT_INSTALLED)) {
                child.close();
                throw new AssertionError("the agent did not install all routes\n"
                        + child.describe());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("waiting for the agent's line");
        }
    }

    /** As {@link #start(Path, List, String, String...)}, with no JVM options of the program. */
    public ChildJvm start(Path java, String mainClass, String... args) throws IOException {
        return start(java, List.of(), mainClass, args);
    }

    /** As {@link #start(List, String, String...)}, with no JVM options of the program. */
    public ChildJvm start(String mainClass, String... args) throws IOException {
        return start(List.of(), mainClass, args);
    }

    /** As {@link #start(Path, List, String, String...)}, on this JVM's {@code java}. */
    public ChildJvm start(List<String> jvmArgs, String mainClass, String... args)
            throws IOException {
        return start(Path.of(System.getProperty("java.home"), "bin", "java"), jvmArgs,
                mainClass, args);
    }

    /**
     * Checks what the child printed about the route once it has ended or is running: with the
     * agent, its {@code installed} line; on no route a {@code not installed} line.
     */
    public void checkTranscript(String transcript) {
        if (this == AGENT && !transcript.contains(AGENT_INSTALLED)) {
            throw new AssertionError("the agent did not say " + AGENT_INSTALLED + "\n"
                    + transcript);
        }
        if (transcript.contains("not installed")) {
            throw new AssertionError("a route was not installed\n" + transcript);
        }
    }

    /**
     * A class-path entry of mptcp-nio or of the libraries the agent jar carries shaded: the
     * library and its native seam (a module's {@code target/classes} in the reactor, a jar from
     * a repository) and jnr/jffi/asm. By name, not by a substring of the whole path: the
     * checkout itself may sit in a directory called mptcp-nio.
     */
    public static boolean isMptcpNio(String entry) {
        Path p = Path.of(entry);
        String name = p.getFileName() == null ? "" : p.getFileName().toString();
        if ((name.equals("classes") || name.equals("test-classes")) && p.getParent() != null
                && p.getParent().getParent() != null) {
            String module = p.getParent().getParent().getFileName().toString();
            return module.equals("mptcp-nio") || module.equals("mptcp-nio-native");
        }
        String path = entry.replace(File.separatorChar, '/');
        return name.startsWith("mptcp-nio-") && name.endsWith(".jar")
                || path.contains("/com/github/jnr/") || path.contains("/org/ow2/asm/");
    }
}
