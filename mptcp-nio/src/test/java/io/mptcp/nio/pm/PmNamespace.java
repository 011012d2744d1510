package io.mptcp.nio.pm;

import io.mptcp.ffi.LinuxSyscalls;
import io.mptcp.ffi.LinuxUapi;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * A network namespace of its own for the event and path-manager tests ({@code lo} up, MPTCP
 * on), so that the events of other programs on the host never reach them and their endpoints
 * and limits change nothing outside. One thread lives inside it: sockets (netlink ones too)
 * belong to the namespace of the thread that creates them, so channels are opened with
 * {@link #call}. Needs root and {@code ip}; without them the test is skipped visibly, and
 * fails when {@code CI=true}.
 */
final class PmNamespace implements AutoCloseable {
    private static final AtomicInteger COUNTER = new AtomicInteger();

    private final String name;
    private final ExecutorService thread;

    private PmNamespace(String name) {
        this.name = name;
        this.thread = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "netns-" + name);
            t.setDaemon(true);
            return t;
        });
    }

    static PmNamespace create() throws Exception {
        String name = "mptcp-nio-pm-" + ProcessHandle.current().pid() + "-"
                + COUNTER.incrementAndGet();
        require(isRoot(), "event and path-manager tests need root for a network namespace");
        require(run(List.of("ip", "-V")).exit == 0, "event tests need ip (iproute2)");
        Result add = run(List.of("ip", "netns", "add", name));
        require(add.exit == 0, "ip netns add failed: " + add.output);
        PmNamespace ns = new PmNamespace(name);
        try {
            ns.ip("link", "set", "lo", "up");
            ns.exec("sysctl", "-q", "-w", "net.mptcp.enabled=1");
            ns.call(() -> {
                LinuxSyscalls sys = LinuxSyscalls.system();
                int fd = sys.open("/run/netns/" + name, LinuxUapi.O_RDONLY | LinuxUapi.O_CLOEXEC);
                try {
                    sys.setns(fd, LinuxUapi.CLONE_NEWNET);
                } finally {
                    sys.close(fd);
                }
                return null;
            });
            return ns;
        } catch (Exception | AssertionError e) {
            ns.close();
            throw e;
        }
    }

    String name() {
        return name;
    }

    /** {@code ip -n NAME args...}; its output, or an exception with it. */
    String ip(String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("ip", "-n", name));
        cmd.addAll(List.of(args));
        return check(cmd);
    }

    /** {@code command} inside the namespace ({@code ip netns exec}). */
    String exec(String... command) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", name));
        cmd.addAll(List.of(command));
        return check(cmd);
    }

    private static String check(List<String> cmd) throws IOException {
        Result r = run(cmd);
        if (r.exit != 0) {
            throw new IOException(String.join(" ", cmd) + " failed: " + r.output);
        }
        return r.output;
    }

    <T> T call(Callable<T> body) throws Exception {
        Future<T> f = thread.submit(body);
        try {
            return f.get(60, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof Exception x) {
                throw x;
            }
            if (cause instanceof Error x) {
                throw x;
            }
            throw e;
        }
    }

    @Override
    public void close() throws IOException {
        thread.shutdownNow();
        try {
            thread.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Result del = run(List.of("ip", "netns", "del", name));
        if (del.exit != 0) {
            throw new IOException("ip netns del " + name + " failed: " + del.output);
        }
    }

    static boolean isRoot() {
        try {
            return Files.readAllLines(Path.of("/proc/self/status"), StandardCharsets.US_ASCII)
                    .stream().anyMatch(l -> l.startsWith("Uid:")
                            && l.split("\\s+")[1].equals("0"));
        } catch (IOException e) {
            return false;
        }
    }

    private static void require(boolean present, String missing) {
        if (present) {
            return;
        }
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            Assertions.fail(missing + " (CI=true: the CI machine must allow it)");
        }
        Assumptions.abort(missing);
    }

    private record Result(int exit, String output) {
    }

    private static Result run(List<String> cmd) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return new Result(-1, String.join(" ", cmd) + " timed out");
            }
            return new Result(p.exitValue(), out.trim());
        } catch (IOException e) {
            return new Result(-1, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Result(-1, "interrupted");
        }
    }
}
