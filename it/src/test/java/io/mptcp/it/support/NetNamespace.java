package io.mptcp.it.support;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.Future;

/**
 * One network namespace of a {@link TwoPathTestBed}: commands run in it with
 * {@code ip -n NAME …} and {@code ip netns exec NAME …}, and Java code runs in it on its
 * {@link NamespaceThread}.
 */
public final class NetNamespace {

    private final String name;
    // Set once by the test bed after the namespace is configured; read by test threads.
    private volatile NamespaceThread thread;

    NetNamespace(String name) {
        this.name = name;
    }

    /** The name {@code ip netns} knows it by. */
    public String name() {
        return name;
    }

    /**
     * Runs {@code task} on the namespace's own thread, so that the sockets and channels it
     * opens live in this namespace (see {@link NamespaceThread} for what a task must not do).
     */
    public <T> T call(Callable<T> task) throws Exception {
        return thread().call(task);
    }

    /** Queues {@code task} on the namespace's own thread. */
    public <T> Future<T> submit(Callable<T> task) {
        return thread().submit(task);
    }

    /** {@code ip -n NAME ARGS…}; its output. */
    public String ip(String... args) {
        return Commands.run(concat(List.of("ip", "-n", name), args));
    }

    /** {@code tc -n NAME ARGS…}; its output. */
    public String tc(String... args) {
        return Commands.run(concat(List.of("tc", "-n", name), args));
    }

    /** {@code ip netns exec NAME COMMAND…}: runs a command inside; its output. */
    public String exec(String... command) {
        return Commands.run(execCommand(command));
    }

    /** The command line that runs {@code command} inside the namespace. */
    public List<String> execCommand(String... command) {
        return concat(List.of("ip", "netns", "exec", name), command);
    }

    /** Starts {@code command} inside the namespace, as a child process. */
    public ChildProcess start(String... command) throws IOException {
        return ChildProcess.start(execCommand(command));
    }

    /** Sets sysctls of this namespace ({@code "net.ipv4.tcp_retries2=3"}, …) and checks them. */
    public void setSysctl(String... assignments) {
        List<String> keys = new ArrayList<>();
        List<String> wanted = new ArrayList<>();
        for (String a : assignments) {
            int eq = a.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("not KEY=VALUE: " + a);
            }
            keys.add(a.substring(0, eq));
            wanted.add(a.substring(eq + 1));
        }
        Commands.run(execCommand(concat(List.of("sysctl", "-q", "-w"), assignments)
                .toArray(String[]::new)));
        List<String> got = Arrays.asList(exec(concat(List.of("sysctl", "-n"),
                keys.toArray(String[]::new)).toArray(String[]::new)).strip().split("\n"));
        if (!got.equals(wanted)) {
            throw new IllegalStateException(name + ": " + keys + " read " + got
                    + " after setting " + wanted);
        }
    }

    /** The value of one sysctl in this namespace. */
    public String sysctl(String key) {
        return exec("sysctl", "-n", key).strip();
    }

    /** Byte counters of interface {@code device} now, as this namespace's kernel counts them. */
    public InterfaceCounters counters(String device) {
        // ip netns exec mounts this namespace's sysfs over /sys for the command it runs.
        String dir = "/sys/class/net/" + device + "/statistics/";
        String[] v = exec("cat", dir + "tx_bytes", dir + "rx_bytes").strip().split("\\s+");
        return new InterfaceCounters(Long.parseLong(v[0]), Long.parseLong(v[1]));
    }

    /** The ids of the processes that run in this namespace ({@code ip netns pids}). */
    public List<Long> pids() {
        String out = Commands.run("ip", "netns", "pids", name).strip();
        return out.isEmpty() ? List.of()
                : Arrays.stream(out.split("\\s+")).map(Long::valueOf).toList();
    }

    @Override
    public String toString() {
        return name;
    }

    void attach(NamespaceThread t) {
        thread = t;
    }

    NamespaceThread detach() {
        NamespaceThread t = thread;
        thread = null;
        return t;
    }

    private NamespaceThread thread() {
        NamespaceThread t = thread;
        if (t == null) {
            throw new IllegalStateException("namespace " + name + " has no thread (closed?)");
        }
        return t;
    }

    private static List<String> concat(List<String> head, String... tail) {
        List<String> all = new ArrayList<>(head);
        all.addAll(Arrays.asList(tail));
        return all;
    }

    /** An interface's byte counters ({@code /sys/class/net/DEV/statistics}). */
    public record InterfaceCounters(long txBytes, long rxBytes) {
        /** What was counted since {@code earlier}. */
        public InterfaceCounters since(InterfaceCounters earlier) {
            return new InterfaceCounters(txBytes - earlier.txBytes, rxBytes - earlier.rxBytes);
        }
    }
}
