package io.mptcp.it.support;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A program other than a JVM (the Python peer) run as a child process, usually through
 * {@code ip netns exec}. Its output (stdout and stderr merged) is kept for failure messages and
 * offered line by line. {@link #close()} kills it if it still runs.
 */
public final class ChildProcess implements AutoCloseable {

    // A line that cannot come from the child: marks the end of its output in the queue.
    private static final String EOF = new String("<eof>");

    private final List<String> command;
    private final Process process;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final StringBuffer transcript = new StringBuffer();

    private ChildProcess(List<String> command) throws IOException {
        this.command = List.copyOf(command);
        this.process = new ProcessBuilder(command).redirectErrorStream(true).start();
        process.getOutputStream().close();
        Thread pump = new Thread(this::pump, "child-output-" + process.pid());
        pump.setDaemon(true);
        pump.start();
    }

    /** Starts {@code command}; its stdin is closed at once. */
    public static ChildProcess start(List<String> command) throws IOException {
        return new ChildProcess(command);
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
        return "--- command: " + String.join(" ", command) + "\n--- output:\n" + transcript
                + "--- end of output";
    }

    @Override
    public void close() throws InterruptedException {
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
