package io.mptcp.examples.demo;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The demo's two paths: a client and a server network namespace joined by two veth links on
 * separate subnets, built and deleted with {@code ip}, {@code sysctl} and {@code tc}.
 *
 * <pre>
 *   client namespace mpdemo-PID-c              server namespace mpdemo-PID-s
 *     mp1  10.250.1.1/24  <==== link 1 ====>  mp1  10.250.1.2/24
 *     mp2  10.250.2.1/24  <==== link 2 ====>  mp2  10.250.2.2/24
 * </pre>
 *
 * <p>The client routes by source address (tables 101 and 102), so a subflow bound to a link's
 * address leaves on that link. With {@link PathManager#KERNEL} the server announces
 * 10.250.2.2 and the client's in-kernel path manager joins it; with
 * {@link PathManager#CLIENT_USERSPACE} the client's namespace runs the userspace path manager
 * and only the application (its path profile) opens subflows.
 *
 * <p>{@link #close()} deletes both namespaces, and so their links; a shutdown hook does the
 * same when the JVM ends without it (Ctrl-C). Namespaces of an earlier demo whose process is
 * gone are deleted when a new one starts. This is the examples module's own small copy of the
 * integration tests' test bed, which lives in the test sources of another module.
 */
public final class Namespaces implements AutoCloseable {

    /** Which path manager decides the subflows. */
    public enum PathManager {
        /** In-kernel path manager on both ends; the server signals its link-2 address. */
        KERNEL,
        /** Userspace path manager on the client (a path profile steers); in-kernel server. */
        CLIENT_USERSPACE
    }

    private static final String PREFIX = "mpdemo-";
    private static final Pattern OWN_NAME = Pattern.compile("^mpdemo-(\\d+)-[cs]$");
    private static final long COMMAND_TIMEOUT_SECONDS = 10;

    private final String client;
    private final String server;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Thread hook;

    private Namespaces(String client, String server) {
        this.client = client;
        this.server = server;
        this.hook = new Thread(this::deleteQuietly, "mpdemo-namespaces-cleanup");
    }

    /**
     * Builds the two namespaces and their links, each link limited to {@code megabitsPerSecond}
     * in both directions with {@code tbf}.
     *
     * @throws IOException if a command fails; what was created is deleted again
     */
    public static Namespaces create(PathManager pathManager, int megabitsPerSecond)
            throws IOException {
        if (megabitsPerSecond <= 0) {
            throw new IllegalArgumentException("rate " + megabitsPerSecond
                    + " Mbit/s: give a positive rate");
        }
        sweepStale();
        long pid = ProcessHandle.current().pid();
        Namespaces ns = new Namespaces(PREFIX + pid + "-c", PREFIX + pid + "-s");
        Runtime.getRuntime().addShutdownHook(ns.hook);
        try {
            ns.build(pathManager, megabitsPerSecond);
            return ns;
        } catch (IOException | RuntimeException e) {
            try {
                ns.close();
            } catch (RuntimeException c) {
                e.addSuppressed(c);
            }
            throw e;
        }
    }

    /** The client namespace's name, as {@code ip netns exec} takes it. */
    public String client() {
        return client;
    }

    /** The server namespace's name. */
    public String server() {
        return server;
    }

    /** The client's address on link {@code link} (1 or 2). */
    public static String clientAddress(int link) {
        return "10.250." + checkLink(link) + ".1";
    }

    /** The server's address on link {@code link} (1 or 2). */
    public static String serverAddress(int link) {
        return "10.250." + checkLink(link) + ".2";
    }

    /** The device name of link {@code link} in both namespaces. */
    public static String device(int link) {
        return "mp" + checkLink(link);
    }

    /**
     * Sets link {@code link} administratively down or up at both ends. Down removes the
     * routes through it; up puts back the client's source route, which the kernel dropped.
     */
    public void setLinkUp(int link, boolean up) throws IOException {
        String dev = device(link);
        run("ip", "-n", client, "link", "set", dev, up ? "up" : "down");
        run("ip", "-n", server, "link", "set", dev, up ? "up" : "down");
        if (up) {
            run("ip", "-n", client, "route", "replace", "default", "via", serverAddress(link),
                    "dev", dev, "table", Integer.toString(100 + link));
        }
    }

    /** The command prefix that runs a program inside namespace {@code name}. */
    public static List<String> exec(String name) {
        return List.of("ip", "netns", "exec", name);
    }

    /** Deletes both namespaces; idempotent. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // The JVM is already shutting down: the hook runs (or ran) this same clean-up.
        }
        List<String> failed = new ArrayList<>();
        for (String name : List.of(client, server)) {
            if (!delete(name)) {
                failed.add(name);
            }
        }
        if (!failed.isEmpty()) {
            throw new IllegalStateException("could not delete network namespace(s) " + failed
                    + ": delete them with 'ip netns del NAME'");
        }
    }

    private void deleteQuietly() {
        if (closed.compareAndSet(false, true)) {
            for (String name : List.of(client, server)) {
                delete(name);
            }
        }
    }

    private void build(PathManager pathManager, int rate) throws IOException {
        for (String ns : List.of(client, server)) {
            run("ip", "netns", "add", ns);
            run("ip", "-n", ns, "link", "set", "lo", "up");
            // IPv4 only: no IPv6 link-local addresses, whose events would only add noise.
            sysctl(ns, "net.ipv6.conf.all.disable_ipv6=1", "net.ipv6.conf.default.disable_ipv6=1");
        }
        for (int link = 1; link <= 2; link++) {
            // Both ends created inside the namespaces: nothing appears in the root namespace.
            run("ip", "-n", client, "link", "add", device(link), "type", "veth", "peer", "name",
                    device(link), "netns", server);
        }
        for (String ns : List.of(client, server)) {
            // rp_filter off on every device (the kernel uses the larger of "all" and the
            // device's): the server gets a link-2 join addressed to its link-1 address.
            sysctl(ns, "net.mptcp.enabled=1", "net.ipv4.conf.all.rp_filter=0",
                    "net.ipv4.conf.default.rp_filter=0", "net.ipv4.conf.mp1.rp_filter=0",
                    "net.ipv4.conf.mp2.rp_filter=0");
            run("ip", "-n", ns, "mptcp", "limits", "set", "subflows", "2",
                    "add_addr_accepted", "2");
        }
        for (int link = 1; link <= 2; link++) {
            String dev = device(link);
            run("ip", "-n", client, "addr", "add", clientAddress(link) + "/24", "dev", dev);
            run("ip", "-n", server, "addr", "add", serverAddress(link) + "/24", "dev", dev);
            for (String ns : List.of(client, server)) {
                run("ip", "-n", ns, "link", "set", dev, "up");
                run("tc", "-n", ns, "qdisc", "replace", "dev", dev, "root", "tbf", "rate",
                        rate + "mbit", "burst", "64kb", "latency", "50ms");
            }
            String table = Integer.toString(100 + link);
            run("ip", "-n", client, "route", "add", "default", "via", serverAddress(link),
                    "dev", dev, "table", table);
            run("ip", "-n", client, "rule", "add", "pref", Integer.toString(1000 + link),
                    "from", clientAddress(link), "lookup", table);
        }
        switch (pathManager) {
            case KERNEL -> run("ip", "-n", server, "mptcp", "endpoint", "add",
                    serverAddress(2), "dev", device(2), "signal");
            case CLIENT_USERSPACE -> {
                // A connection keeps the path manager its socket was created with, so this is
                // set before any program runs there. Linux 6.15 renamed pm_type (5.19).
                if (exists("/proc/sys/net/mptcp/path_manager")) {
                    sysctl(client, "net.mptcp.path_manager=userspace");
                } else {
                    sysctl(client, "net.mptcp.pm_type=1");
                }
            }
        }
    }

    private static boolean exists(String path) {
        return java.nio.file.Files.exists(java.nio.file.Path.of(path));
    }

    private static void sysctl(String ns, String... settings) throws IOException {
        List<String> cmd = new ArrayList<>(exec(ns));
        cmd.addAll(List.of("sysctl", "-q", "-w"));
        cmd.addAll(List.of(settings));
        run(cmd.toArray(String[]::new));
    }

    private static int checkLink(int link) {
        if (link != 1 && link != 2) {
            throw new IllegalArgumentException("link " + link + ": there are links 1 and 2");
        }
        return link;
    }

    /** Deletes demo namespaces whose process is gone (a demo killed with SIGKILL). */
    private static void sweepStale() throws IOException {
        for (String line : run("ip", "netns", "list").split("\n")) {
            String name = line.split("\\s+")[0];
            Matcher m = OWN_NAME.matcher(name);
            if (m.matches() && !ProcessHandle.of(Long.parseLong(m.group(1)))
                    .map(ProcessHandle::isAlive).orElse(false)) {
                delete(name);
            }
        }
    }

    /** Kills what still runs in {@code name}, then deletes it; false if it is still there. */
    private static boolean delete(String name) {
        try {
            String pids = attempt("ip", "netns", "pids", name);
            for (String pid : pids.split("\\s+")) {
                if (!pid.isEmpty()) {
                    ProcessHandle.of(Long.parseLong(pid)).ifPresent(ProcessHandle::destroyForcibly);
                }
            }
            attempt("ip", "netns", "del", name);
            return !java.nio.file.Files.exists(java.nio.file.Path.of("/var/run/netns", name));
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** Runs a command; its output, or an exception with the command, status and output. */
    static String run(String... command) throws IOException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out;
        try (InputStream in = p.getInputStream()) {
            out = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        try {
            if (!p.waitFor(COMMAND_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException("'" + String.join(" ", command) + "' did not end within "
                        + COMMAND_TIMEOUT_SECONDS + " s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while waiting for '" + String.join(" ", command)
                    + "'", e);
        }
        if (p.exitValue() != 0) {
            throw new IOException("'" + String.join(" ", command) + "' failed with status "
                    + p.exitValue() + ": " + out.strip());
        }
        return out;
    }

    /** As {@link #run}, but a failure is an empty output: clean-up goes on regardless. */
    private static String attempt(String... command) {
        try {
            return run(command);
        } catch (IOException e) {
            return "";
        }
    }
}
