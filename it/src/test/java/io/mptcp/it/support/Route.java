package io.mptcp.it.support;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
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

    private static final String ASYNC_PROPERTY =
            "java.nio.channels.spi.AsynchronousChannelProvider";
    private static final String ASYNC_CLASS = "io.mptcp.nio.MptcpAsynchronousChannelProvider";

    /** Whether the program's connections are to be MPTCP on this route (all but the JDK's). */
    public boolean mptcp() {
        return this != JDK;
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
        List<String> all = Arrays.asList(
                System.getProperty("java.class.path").split(File.pathSeparator));
        List<String> options = new ArrayList<>(jvmArgs);
        List<String> cp = new ArrayList<>();
        List<String> mainAndArgs = new ArrayList<>(List.of(mainClass));
        mainAndArgs.addAll(Arrays.asList(args));
        switch (this) {
            case AGENT -> {
                options.add("-javaagent:" + agentJar() + "=verbose");
                all.stream().filter(e -> !isMptcpNio(e)).forEach(cp::add);
            }
            case PROPERTIES -> {
                options.add("-D" + ChildJvm.PROVIDER_PROPERTY + "=" + ChildJvm.PROVIDER_CLASS);
                options.add("-D" + ASYNC_PROPERTY + "=" + ASYNC_CLASS);
                cp.addAll(all);
            }
            case CLASS_PATH -> {
                cp.addAll(all);
                mainAndArgs.add(0, InstallThenMain.class.getName());
            }
            case JDK -> all.stream().filter(e -> !isMptcpNio(e)).forEach(cp::add);
        }
        return ChildJvm.startWithClassPath(java, List.of(), options,
                String.join(File.pathSeparator, cp), mainAndArgs.get(0),
                mainAndArgs.subList(1, mainAndArgs.size()).toArray(String[]::new));
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

    // mptcp-nio and its native seam (a module's target/classes in the reactor, a jar from a
    // repository) and jnr/jffi/asm (from the repository). By name, not by a substring of the
    // whole path: the checkout itself may sit in a directory called mptcp-nio.
    private static boolean isMptcpNio(String entry) {
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
