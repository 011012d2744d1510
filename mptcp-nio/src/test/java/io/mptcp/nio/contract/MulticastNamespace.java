package io.mptcp.nio.contract;

import java.io.IOException;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.nio.charset.StandardCharsets;
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
 * A network namespace made for multicast and IPv6 link-local tests, so that nothing touches the
 * root namespace and no packet leaves the host. Public for the tests of other packages that
 * need a link-local address on an interface of their own.
 *
 * <ul>
 *   <li>IPv4: {@code lo} up, with the multicast flag and a route for 224.0.0.0/4.</li>
 *   <li>IPv6: a veth pair {@code mc0}/{@code mc1} inside the namespace, with the link-local
 *       addresses {@link #V6_SOURCE} and {@link #V6_OTHER} on {@code mc0} (no duplicate address
 *       detection, so they are usable at once), and 192.0.2.1/24 so that the JDK's
 *       {@code NetworkInterface} finds it (see {@link #create}). Linux (6.18 here) does not deliver IPv6
 *       multicast sent over {@code lo} back to local sockets; over {@code mc0} the local copy
 *       ({@code IPV6_MULTICAST_LOOP}) arrives.</li>
 * </ul>
 *
 * <p>Sockets belong to the namespace of the thread that creates them, and
 * {@code NetworkInterface} looks interfaces up in the calling thread's namespace: tests run
 * their whole body on the namespace's own thread with {@link #call}. Needs root and
 * {@code ip} (iproute2); without them the test is skipped visibly, and fails when
 * {@code CI=true}.
 */
public final class MulticastNamespace implements AutoCloseable {
    public static final String V6_DEVICE = "mc0";
    public static final String V6_SOURCE = "fe80::1";
    public static final String V6_OTHER = "fe80::2";

    private static final AtomicInteger COUNTER = new AtomicInteger();

    private final String name;
    private final ExecutorService thread;

    private MulticastNamespace(String name) {
        this.name = name;
        this.thread = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "netns-" + name);
            t.setDaemon(true);
            return t;
        });
    }

    /** Creates and configures the namespace, or skips the test (fails it under CI=true). */
    public static MulticastNamespace create() throws Exception {
        String name = "mptcp-nio-dgram-" + ProcessHandle.current().pid() + "-"
                + COUNTER.incrementAndGet();
        require(isRoot(), "multicast tests need root to create a network namespace");
        require(run(List.of("ip", "-V")).ok(), "multicast tests need ip (iproute2)");
        Result add = run(List.of("ip", "netns", "add", name));
        require(add.ok(), "ip netns add failed: " + add.output());
        MulticastNamespace ns = new MulticastNamespace(name);
        try {
            ns.ip("link", "set", "lo", "multicast", "on");
            ns.ip("link", "set", "lo", "up");
            ns.ip("route", "add", "224.0.0.0/4", "dev", "lo");
            ns.ip("link", "add", V6_DEVICE, "type", "veth", "peer", "name", "mc1");
            ns.ip("link", "set", V6_DEVICE, "addrgenmode", "none");
            ns.ip("link", "set", "mc1", "addrgenmode", "none");
            ns.ip("-6", "addr", "add", V6_SOURCE + "/64", "dev", V6_DEVICE, "nodad");
            ns.ip("-6", "addr", "add", V6_OTHER + "/64", "dev", V6_DEVICE, "nodad");
            // The JDK finds interfaces for NetworkInterface by their IPv4 addresses (ioctl on
            // a socket, in the calling thread's namespace) and by /proc/net/if_inet6, which is
            // the namespace of the process, not of the thread: without an IPv4 address,
            // mc0 would not exist for NetworkInterface on the namespace's thread.
            ns.ip("addr", "add", "192.0.2.1/24", "dev", V6_DEVICE);
            ns.ip("link", "set", V6_DEVICE, "up");
            ns.ip("link", "set", "mc1", "up");
            ns.awaitIpv6Routes();
            ns.enter();
            return ns;
        } catch (Exception | AssertionError e) {
            ns.close();
            throw e;
        }
    }

    private static boolean isRoot() {
        try {
            String status = new String(java.nio.file.Files.readAllBytes(
                    java.nio.file.Path.of("/proc/self/status")), StandardCharsets.US_ASCII);
            return status.lines().anyMatch(l -> l.startsWith("Uid:") && l.split("\\s+")[1]
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

    private void ip(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("ip", "-n", name));
        cmd.addAll(List.of(args));
        Result r = run(cmd);
        if (!r.ok()) {
            throw new IOException(String.join(" ", cmd) + " failed: " + r.output());
        }
    }

    /**
     * Waits until the kernel has set up IPv6 on {@code mc0}. It adds the link-local and the
     * multicast route only once the veth pair has carrier, which it learns asynchronously
     * (linkwatch): a datagram sent before finds no route (ENETUNREACH). And it adds the local
     * route of each address when the address's duplicate address detection completes, in a
     * work queue, even with {@code nodad}: the address can already be bound while a datagram
     * to it still goes out on the wire and is lost (neighbour discovery fails).
     */
    private void awaitIpv6Routes() throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        String routes = "";
        while (System.nanoTime() < deadline) {
            routes = run(List.of("ip", "-n", name, "-6", "route", "show", "table", "all", "dev",
                    V6_DEVICE)).output();
            if (routes.contains("fe80::/64") && routes.contains("multicast ff00::/8")
                    && routes.contains("local " + V6_SOURCE + " ")
                    && routes.contains("local " + V6_OTHER + " ")) {
                return;
            }
            Thread.sleep(20);
        }
        throw new IOException("no IPv6 routes on " + V6_DEVICE + " within 10 s: " + routes);
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
    public <T> T call(Callable<T> body) throws Exception {
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

    /** {@code lo}, looked up inside the namespace. */
    NetworkInterface loopback() throws Exception {
        return call(() -> NetworkInterface.getByName("lo"));
    }

    /** {@link #V6_DEVICE}, looked up inside the namespace. */
    public NetworkInterface v6Device() throws Exception {
        return call(() -> NetworkInterface.getByName(V6_DEVICE));
    }

    /**
     * {@code address} scoped to {@link #V6_DEVICE}, for binding a sender to it. The scope is
     * the index: {@code NetworkInterface} does not know the device's IPv6 addresses here
     * (see {@link #create}), which a scope by interface would need.
     */
    public InetAddress onV6Device(String address) throws Exception {
        NetworkInterface device = v6Device();
        return java.net.Inet6Address.getByAddress(null,
                InetAddress.getByName(address).getAddress(), device.getIndex());
    }

    @Override
    public void close() throws Exception {
        thread.shutdownNow();
        thread.awaitTermination(10, TimeUnit.SECONDS);
        Result del = run(List.of("ip", "netns", "del", name));
        if (!del.ok()) {
            throw new IOException("ip netns del " + name + " failed: " + del.output());
        }
    }

    private record Result(int exit, String output) {
        boolean ok() {
            return exit == 0;
        }
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
