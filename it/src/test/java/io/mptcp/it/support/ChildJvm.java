package io.mptcp.it.support;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A {@code main} class run in a separate JVM, so that a system property read once per JVM (the
 * {@code SelectorProvider}) or an {@code LD_PRELOAD} wrapper ({@code mptcpize run}) applies to
 * it alone. Output (stdout and stderr merged) is kept for failure messages and offered line by
 * line; stdin stays open so the test can pace the child.
 */
public final class ChildJvm implements AutoCloseable {

    /** System property that installs mptcp-nio as the JVM's provider. */
    public static final String PROVIDER_PROPERTY = "java.nio.channels.spi.SelectorProvider";
    public static final String PROVIDER_CLASS = "io.mptcp.nio.MptcpSelectorProvider";

    // A line that cannot come from the child: marks the end of its output in the queue.
    private static final String EOF = new String("<eof>");

    private final List<String> command;
    private final Process process;
    private final PrintWriter stdin;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final StringBuffer transcript = new StringBuffer();

    private ChildJvm(List<String> command) throws IOException {
        this.command = List.copyOf(command);
        this.process = new ProcessBuilder(command).redirectErrorStream(true).start();
        this.stdin = new PrintWriter(process.getOutputStream(), true, StandardCharsets.UTF_8);
        Thread pump = new Thread(this::pump, "child-output-" + process.pid());
        pump.setDaemon(true);
        pump.start();
    }

    /**
     * Starts {@code mainClass} with the class path of this JVM.
     *
     * @param prefix words put before {@code java} (for example {@code mptcpize run}), or none
     * @param jvmArgs JVM options, system properties included
     */
    public static ChildJvm start(List<String> prefix, List<String> jvmArgs, String mainClass,
            String... args) throws IOException {
        return start(Path.of(System.getProperty("java.home"), "bin", "java"), prefix, jvmArgs,
                mainClass, args);
    }

    /** As {@link #start(List, List, String, String...)}, with the {@code java} launcher given. */
    public static ChildJvm start(Path java, List<String> prefix, List<String> jvmArgs,
            String mainClass, String... args) throws IOException {
        return startWithClassPath(java, prefix, jvmArgs, System.getProperty("java.class.path"),
                mainClass, args);
    }

    /** As {@link #start(Path, List, List, String, String...)}, with the class path given. */
    public static ChildJvm startWithClassPath(Path java, List<String> prefix,
            List<String> jvmArgs, String classPath, String mainClass, String... args)
            throws IOException {
        List<String> cmd = new ArrayList<>(prefix);
        cmd.add(java.toString());
        // Same flags for every child so that runs differ only in what is being compared.
        cmd.add("--enable-native-access=ALL-UNNAMED");
        cmd.addAll(jvmArgs);
        cmd.add("-cp");
        cmd.add(classPath);
        cmd.add(mainClass);
        cmd.addAll(Arrays.asList(args));
        return new ChildJvm(cmd);
    }

    /**
     * Checks that the class path this JVM passes to its children holds each class's jar or
     * directory; failsafe may run tests from a manifest-only jar, which a child could not use.
     */
    public static void requireOnClassPath(Class<?>... classes) {
        List<String> entries = Arrays.asList(
                System.getProperty("java.class.path").split(java.io.File.pathSeparator));
        for (Class<?> c : classes) {
            String where = location(c);
            if (!entries.contains(where)) {
                throw new IllegalStateException(c.getName() + " comes from " + where
                        + ", which is not on java.class.path " + entries);
            }
        }
    }

    private static String location(Class<?> c) {
        try {
            return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI())
                    .toString();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The next line matching {@code match}; lines before it are skipped (still in the log). */
    public String awaitLine(Predicate<String> match, Duration timeout, String what)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            long left = deadline - System.nanoTime();
            String line = left > 0 ? lines.poll(left, TimeUnit.NANOSECONDS) : null;
            if (line == null) {
                throw new AssertionError("child did not print " + what + " within " + timeout
                        + "\n" + describe());
            }
            if (line == EOF) {
                lines.add(EOF);
                throw new AssertionError("child ended before printing " + what + "\n"
                        + describe());
            }
            if (match.test(line)) {
                return line;
            }
        }
    }

    /** Whether the child still runs. */
    public boolean isAlive() {
        return process.isAlive();
    }

    /** The child's process id. */
    public long pid() {
        return process.pid();
    }

    /** Asks the child to end, as Ctrl-C or {@code kill} would (SIGTERM): its shutdown hooks run. */
    public void terminate() {
        process.destroy();
    }

    /** Sends one line to the child's stdin. */
    public void send(String line) {
        stdin.println(line);
    }

    /** Waits for the child to end; kills it and fails if it does not in time. */
    public int awaitExit(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            throw new AssertionError("child did not end within " + timeout + "\n" + describe());
        }
        return process.exitValue();
    }

    /** The command and everything the child printed so far, for failure messages. */
    public String describe() {
        return "--- child command: " + String.join(" ", command) + "\n--- child output:\n"
                + transcript + "--- end of child output";
    }

    @Override
    public void close() throws InterruptedException {
        stdin.close();
        if (process.isAlive()) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    private void pump() {
        try (BufferedReader r = new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                transcript.append(line).append('\n');
                lines.add(line);
            }
        } catch (IOException e) {
            transcript.append("(reading the child's output failed: ").append(e).append(")\n");
        } finally {
            lines.add(EOF);
        }
    }
}
