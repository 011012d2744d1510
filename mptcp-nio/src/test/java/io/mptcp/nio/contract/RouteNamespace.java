package io.mptcp.nio.contract;

import java.io.IOException;
import java.net.InetAddress;
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

import io.mptcp.ffi.LinuxSyscalls;
import io.mptcp.ffi.LinuxUapi;

/**
 * A network namespace with {@code lo} up and routes that fail in known ways, so that tests
 * can make the kernel return each routing errno without sending a packet anywhere:
 * {@link #NO_ROUTE} has no route ({@code ENETUNREACH}), {@link #UNREACHABLE} a route of type
 * {@code unreachable} ({@code EHOSTUNREACH}), {@link #PROHIBITED} one of type {@code prohibit}
 * ({@code EACCES}).
 *
 * <p>Sockets belong to the namespace of the thread that creates them: tests run their body
 * on the namespace's own thread with {@link #call}. Needs root and {@code ip} (iproute2);
 * without them the test is skipped visibly, and fails when {@code CI=true}. The namespace is
 * deleted by {@link #close}.
 */
final class RouteNamespace implements AutoCloseable {
    static final InetAddress NO_ROUTE = address(10, 9, 9, 9);
    static final InetAddress UNREACHABLE = address(10, 8, 0, 1);
    static final InetAddress PROHIBITED = address(10, 7, 0, 1);

    private static final AtomicInteger COUNTER = new AtomicInteger();

    private final String name;
    private final ExecutorService thread;

    private RouteNamespace(String name) {
        this.name = name;
        this.thread = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "netns-" + name);
            t.setDaemon(true);
            return t;
        });
    }

    private static InetAddress address(int a, int b, int c, int d) {
        try {
            return InetAddress.getByAddress(new byte[] {(byte) a, (byte) b, (byte) c, (byte) d});
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    /** Creates and configures the namespace, or skips the test (fails it under CI=true). */
    static RouteNamespace create() throws Exception {
        String name = "mptcp-nio-route-" + ProcessHandle.current().pid() + "-"
                + COUNTER.incrementAndGet();
        require(isRoot(), "routing tests need root to create a network namespace");
        require(run("ip", "-V").ok(), "routing tests need ip (iproute2)");
        Result add = run("ip", "netns", "add", name);
        require(add.ok(), "ip netns add failed: " + add.output());
        RouteNamespace ns = new RouteNamespace(name);
        try {
            ns.ip("link", "set", "lo", "up");
            ns.ip("route", "add", "unreachable", "10.8.0.0/16");
            ns.ip("route", "add", "prohibit", "10.7.0.0/16");
            ns.enter();
            return ns;
        } catch (Exception | AssertionError e) {
            ns.close();
            throw e;
        }
    }

    private static boolean isRoot() {
        try {
            return Files.readAllLines(Path.of("/proc/self/status"), StandardCharsets.US_ASCII)
                    .stream().anyMatch(l -> l.startsWith("Uid:") && l.split("\\s+")[1]
                            .equals("0"));
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

    private void ip(String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("ip", "-n", name));
        cmd.addAll(List.of(args));
        Result r = run(cmd.toArray(new String[0]));
        if (!r.ok()) {
            throw new IOException(String.join(" ", cmd) + " failed: " + r.output());
        }
    }

    /**
     * Runs {@code cmd} inside the namespace ({@code ip netns exec}), an observer independent of
     * the library; returns its output, or throws with it if the command fails.
     */
    String exec(String... cmd) throws IOException {
        List<String> all = new ArrayList<>(List.of("ip", "netns", "exec", name));
        all.addAll(List.of(cmd));
        Result r = run(all.toArray(new String[0]));
        if (!r.ok()) {
            throw new IOException(String.join(" ", all) + " failed: " + r.output());
        }
        return r.output();
    }

    /** Moves the namespace's thread into it, through the library's own seam. */
    private void enter() throws Exception {
        call(() -> {
            LinuxSyscalls sys = LinuxSyscalls.system();
            int fd = sys.open("/run/netns/" + name, LinuxUapi.O_RDONLY | LinuxUapi.O_CLOEXEC);
            try {
                sys.setns(fd, LinuxUapi.CLONE_NEWNET);
            } finally {
                sys.close(fd);
            }
            return null;
        });
    }

    /** Runs {@code body} on the thread inside the namespace and returns its result. */
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
        Result del = run("ip", "netns", "del", name);
        if (!del.ok()) {
            throw new IOException("ip netns del " + name + " failed: " + del.output());
        }
    }

    private record Result(int exit, String output) {
        boolean ok() {
            return exit == 0;
        }
    }

    private static Result run(String... cmd) {
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
