package io.mptcp.it.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs short system commands ({@code ip}, {@code tc}, {@code sysctl}) to completion, with a
 * time limit, and fails with the command, its exit status and its output when it goes wrong.
 */
public final class Commands {

    /** Generous: {@code ip} and {@code tc} take milliseconds, but the machine may be busy. */
    public static final Duration TIMEOUT = Duration.ofSeconds(30);

    private Commands() {
    }

    /** The result of a command that ran to its end. */
    public record Result(List<String> command, int exitCode, String output) {
        public boolean succeeded() {
            return exitCode == 0;
        }

        @Override
        public String toString() {
            return String.join(" ", command) + " -> exit " + exitCode
                    + (output.isBlank() ? "" : ": " + output.strip());
        }
    }

    /** Runs {@code command}; its output (stdout and stderr) if it exits 0, else a failure. */
    public static String run(String... command) {
        return run(List.of(command));
    }

    /** Runs {@code command}; its output (stdout and stderr) if it exits 0, else a failure. */
    public static String run(List<String> command) {
        Result r = attempt(command);
        if (!r.succeeded()) {
            throw new IllegalStateException("command failed: " + r);
        }
        return r.output();
    }

    /** Runs {@code command} and returns what happened, whatever its exit status. */
    public static Result attempt(String... command) {
        return attempt(List.of(command));
    }

    /** Runs {@code command} and returns what happened, whatever its exit status. */
    public static Result attempt(List<String> command) {
        List<String> cmd = List.copyOf(command);
        Path out = null;
        try {
            out = Files.createTempFile("mpnio-cmd-", ".txt");
            // To a file, not a pipe: nothing to pump, and no deadlock on large output.
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                    .redirectOutput(out.toFile()).start();
            if (!p.waitFor(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                throw new IllegalStateException(String.join(" ", cmd) + ": no exit within "
                        + TIMEOUT);
            }
            return new Result(cmd, p.exitValue(), Files.readString(out, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(String.join(" ", cmd), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(String.join(" ", cmd) + ": interrupted", e);
        } finally {
            if (out != null) {
                out.toFile().delete();
            }
        }
    }
}
