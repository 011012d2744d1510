package io.mptcp.it.support;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Two hosts joined by two paths, built from network namespaces: the test bed of the multipath
 * integration tests.
 *
 * <pre>
 *   client namespace mpnio-PID-N-c                     server namespace mpnio-PID-N-s
 *     mp1  10.250.1.1/24  &lt;==== veth, link 1 ====&gt;  mp1  10.250.1.2/24
 *     mp2  10.250.2.1/24  &lt;==== veth, link 2 ====&gt;  mp2  10.250.2.2/24
 * </pre>
 *
 * <p>Both veth ends are created directly inside the namespaces: nothing is added to the root
 * namespace and no packet leaves the two. Reverse-path filtering is off. The client routes by
 * source address (table 101 for 10.250.1.1 via link 1, table 102 for 10.250.2.1 via link 2), so
 * a subflow leaves through the link of its source address even towards the server's link-1
 * address. The server has only its connected routes: its replies go back on the link where the
 * client's address lives (with source routing on the server too, a client subflow bound to
 * {@code mp2} would get replies it does not accept on {@code mp1}).
 *
 * <p>MPTCP: {@code net.mptcp.enabled=1} and the in-kernel path manager in both namespaces, both
 * with limits {@code subflows 2 add_addr_accepted 2} (checked after setting), except that the
 * userspace-PM modes ({@link PathManager#CLIENT_USERSPACE}, {@link PathManager#SERVER_USERSPACE})
 * switch one namespace to the userspace path manager. Where the second subflow comes from is
 * the {@link PathManager} mode: by default {@link PathManager#SIGNAL}, the
 * server announces 10.250.2.2 and the client opens 10.250.2.1 → 10.250.2.2; each subflow then
 * runs between the two addresses of one link, the same for any MPTCP peer on either side. With
 * signal mode the server must listen on the wildcard address ({@link #serverBindAddress}): a
 * join is looked up like a SYN, and a listener bound to 10.250.1.2 does not get one sent to
 * 10.250.2.2.
 *
 * <p>Java code runs in a namespace on its {@link NamespaceThread} ({@link NetNamespace#call}):
 * one JVM drives both ends, and a channel opened there can then be used from any thread. Foreign
 * programs run with {@code ip netns exec} ({@link NetNamespace#start}).
 *
 * <p>Clean-up: {@link #close()} stops the namespace threads, kills the processes still running
 * in the namespaces, and deletes both namespaces (their veth links go with them). It also runs
 * when setting up fails half-way, and from a shutdown hook for test beds still open at JVM exit.
 * The first test bed of a JVM also deletes namespaces named {@code mpnio-PID-…} whose process
 * {@code PID} is no longer alive (left by a JVM that was killed).
 */
public final class TwoPathTestBed implements AutoCloseable {

    /** How the in-kernel path manager gets the connection its second subflow. */
    public enum PathManager {
        /**
         * The server's namespace has endpoint {@code 10.250.2.2 dev mp2 signal}: it announces
         * that address (ADD_ADDR) on each new connection, and the client's path manager opens a
         * subflow 10.250.2.1 → 10.250.2.2 over link 2.
         */
        SIGNAL,
        /**
         * The client's namespace has endpoint {@code 10.250.2.1 dev mp2 subflow}: it opens a
         * subflow 10.250.2.1 → the server address of the connection (10.250.1.2), over link 2
         * thanks to the client's source routing.
         */
        SUBFLOW,
        /**
         * The client's namespace runs the userspace path manager ({@code net.mptcp.path_manager
         * userspace}, or {@code pm_type 1} before Linux 6.15), set before any socket is made
         * there, since a connection keeps the type of its creation: no subflow appears by
         * itself, the application opens them (subflow control). The server keeps the in-kernel
         * path manager, without endpoints, accepting joins and ADD_ADDRs up to the limits.
         */
        CLIENT_USERSPACE,
        /**
         * The mirror of {@link #CLIENT_USERSPACE}: the server's namespace runs the userspace
         * path manager, and the client's in-kernel one, without endpoints, accepts the
         * addresses the server announces and joins them (from the client address the route to
         * the announced address picks, so an announced 10.250.2.2 is joined over link 2).
         */
        SERVER_USERSPACE
    }

    /**
     * One of the two paths: a veth pair named {@code device} at both ends.
     *
     * @param number 1 or 2
     * @param device the interface name, the same in both namespaces
     */
    public record Link(int number, String device, InetAddress clientAddress,
            InetAddress serverAddress) {
        @Override
        public String toString() {
            return "link " + number + " (" + device + " " + clientAddress.getHostAddress()
                    + " <-> " + serverAddress.getHostAddress() + ")";
        }
    }

    /** The in-kernel path manager's limits, set in both namespaces. */
    public static final int LIMIT_SUBFLOWS = 2;
    public static final int LIMIT_ADD_ADDR_ACCEPTED = 2;

    private static final String PREFIX = "mpnio-";
    private static final Pattern OWN_NAME = Pattern.compile("mpnio-(\\d+)-\\d+-[cs]");
    private static final long PID = ProcessHandle.current().pid();
    private static final AtomicInteger SEQUENCE = new AtomicInteger();
    // Test beds not yet closed, for the shutdown hook.
    private static final Set<TwoPathTestBed> OPEN = ConcurrentHashMap.newKeySet();
    private static final AtomicBoolean INITIALISED = new AtomicBoolean();

    private final PathManager pathManager;
    private final NetNamespace client;
    private final NetNamespace server;
    private final List<Link> links;
    // Namespaces that "ip netns add" created: only these are deleted. Guarded by "this".
    private final List<NetNamespace> created = new ArrayList<>();
    private final AtomicBoolean closed = new AtomicBoolean();

    private TwoPathTestBed(String base, PathManager pathManager) {
        this.pathManager = pathManager;
        this.client = new NetNamespace(base + "-c");
        this.server = new NetNamespace(base + "-s");
        this.links = List.of(newLink(1), newLink(2));
    }

    /** Builds a test bed with {@link PathManager#SIGNAL}. */
    public static TwoPathTestBed start() throws IOException {
        return start(PathManager.SIGNAL);
    }

    /** Builds a test bed; on failure, whatever was created is deleted again. */
    public static TwoPathTestBed start(PathManager pathManager) throws IOException {
        return start(pathManager, () -> { });
    }

    /**
     * For the harness's own test: {@code midSetUp} runs once the namespaces and links exist, so
     * that a failure there shows what is cleaned up.
     */
    static TwoPathTestBed start(PathManager pathManager, Runnable midSetUp) throws IOException {
        initialiseOnce();
        TwoPathTestBed bed = new TwoPathTestBed(
                PREFIX + PID + "-" + SEQUENCE.incrementAndGet(), pathManager);
        OPEN.add(bed);
        try {
            bed.setUp(midSetUp);
            return bed;
        } catch (IOException | RuntimeException | Error e) {
            try {
                bed.close();
            } catch (RuntimeException c) {
                e.addSuppressed(c);
            }
            throw e;
        }
    }

    public NetNamespace client() {
        return client;
    }

    public NetNamespace server() {
        return server;
    }

    public PathManager pathManager() {
        return pathManager;
    }

    /** The namespace whose path manager is {@code userspace} in this mode, if any. */
    public java.util.Optional<NetNamespace> userspacePathManager() {
        return switch (pathManager) {
            case CLIENT_USERSPACE -> java.util.Optional.of(client);
            case SERVER_USERSPACE -> java.util.Optional.of(server);
            case SIGNAL, SUBFLOW -> java.util.Optional.empty();
        };
    }

    /** Link 1 or 2. */
    public Link link(int number) {
        if (number != 1 && number != 2) {
            throw new IllegalArgumentException("link " + number + ": there are links 1 and 2");
        }
        return links.get(number - 1);
    }

    public List<Link> links() {
        return links;
    }

    /**
     * Where the server should listen: the wildcard address, so that it also gets the joins sent
     * to its link-2 address in {@link PathManager#SIGNAL} mode.
     */
    public InetSocketAddress serverBindAddress(int port) {
        return new InetSocketAddress(address("0.0.0.0"), port);
    }

    /** The address clients connect to: the server's address on link 1. */
    public InetSocketAddress serverAddress(int port) {
        return new InetSocketAddress(link(1).serverAddress(), port);
    }

    /**
     * The server address the second subflow goes to: the connection's own (link-1) address in
     * {@link PathManager#SUBFLOW} mode, else the server's link-2 address (announced in
     * {@link PathManager#SIGNAL} mode; what the userspace-PM tests open or announce).
     */
    public InetAddress secondSubflowServerAddress() {
        return pathManager == PathManager.SUBFLOW ? link(1).serverAddress()
                : link(2).serverAddress();
    }

    /**
     * Limits the rate of {@code link} to {@code megabitsPerSecond} in both directions: a
     * {@code tbf} qdisc (burst 64 KiB, at most 50 ms of queue) on the device at each end.
     */
    public void limitRate(Link link, int megabitsPerSecond) {
        for (NetNamespace ns : List.of(client, server)) {
            ns.tc("qdisc", "replace", "dev", link.device(), "root", "tbf",
                    "rate", megabitsPerSecond + "mbit", "burst", "64kb", "latency", "50ms");
        }
    }

    /** Removes the rate limit of {@code link}. */
    public void removeRateLimit(Link link) {
        for (NetNamespace ns : List.of(client, server)) {
            ns.tc("qdisc", "del", "dev", link.device(), "root");
        }
    }

    /**
     * Sets {@code link} administratively up or down at both ends ({@code ip link set DEV up|down}
     * in each namespace). Down removes the routes through the link; addresses and MPTCP
     * endpoints stay, and the in-kernel path manager does not react by itself. Up puts the
     * client's source route of the link back (the kernel restores only the connected route).
     */
    public void setLinkUp(Link link, boolean up) {
        for (NetNamespace ns : List.of(client, server)) {
            ns.ip("link", "set", link.device(), up ? "up" : "down");
        }
        if (up) {
            client.ip("route", "replace", "default", "via",
                    link.serverAddress().getHostAddress(), "dev", link.device(), "table",
                    Integer.toString(100 + link.number()));
        }
    }

    /** The client end's byte counters of {@code link}. */
    public NetNamespace.InterfaceCounters counters(Link link) {
        return client.counters(link.device());
    }

    /**
     * For failure messages: what {@code ip mptcp limits show} and {@code endpoint show} print
     * in each namespace, and its MPTCP counters that are not zero ({@code nstat}: joins,
     * ADD_ADDRs, fallbacks… since the namespace was created).
     */
    public String describeMptcp() {
        StringBuilder b = new StringBuilder();
        for (NetNamespace ns : List.of(client, server)) {
            b.append(ns).append(": limits ").append(ns.ip("mptcp", "limits", "show").strip())
                    .append("; endpoints ").append(ns.ip("mptcp", "endpoint", "show").strip()
                            .replace('\n', ';'));
            Commands.Result mib = Commands.attempt(ns.execCommand("nstat", "-a", "-s"));
            b.append("; counters");
            for (String line : mib.output().split("\n")) {
                if (line.startsWith("MPTcp")) {
                    String[] w = line.trim().split("\\s+");
                    b.append(' ').append(w[0].substring("MPTcpExt".length())).append('=')
                            .append(w[1]);
                }
            }
            b.append('\n');
        }
        return b.toString();
    }

    /**
     * Deletes everything this test bed created; idempotent. Throws, after trying everything, if
     * something could not be deleted.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        List<RuntimeException> failures = new ArrayList<>();
        for (NetNamespace ns : List.of(client, server)) {
            NamespaceThread t = ns.detach();
            if (t != null) {
                t.close();
            }
        }
        List<NetNamespace> toDelete;
        synchronized (this) {
            toDelete = List.copyOf(created);
        }
        for (NetNamespace ns : toDelete) {
            try {
                delete(ns.name());
            } catch (RuntimeException e) {
                failures.add(e);
            }
        }
        OPEN.remove(this);
        if (!failures.isEmpty()) {
            IllegalStateException e = new IllegalStateException(
                    "could not delete every namespace of the test bed " + client + "/" + server);
            failures.forEach(e::addSuppressed);
            throw e;
        }
    }

    @Override
    public String toString() {
        return "two-path test bed " + client + " / " + server + " (" + pathManager + ")";
    }

    // ---- set-up --------------------------------------------------------------------------

    private void setUp(Runnable midSetUp) throws IOException {
        for (NetNamespace ns : List.of(client, server)) {
            synchronized (this) {
                // A shutdown hook may close the bed meanwhile; it then misses what comes next.
                if (closed.get()) {
                    throw new IllegalStateException(this + " was closed during set-up");
                }
                // Recorded first: a failing "add" that created the namespace anyway is cleaned.
                created.add(ns);
            }
            Commands.run("ip", "netns", "add", ns.name());
            ns.ip("link", "set", "lo", "up");
        }
        for (Link l : links) {
            // Both ends created in their namespaces at once: nothing ever exists in the root ns.
            client.ip("link", "add", l.device(), "type", "veth", "peer", "name", l.device(),
                    "netns", server.name());
        }
        midSetUp.run();
        for (NetNamespace ns : List.of(client, server)) {
            ns.setSysctl("net.mptcp.enabled=1",
                    "net.ipv4.conf.all.rp_filter=0", "net.ipv4.conf.default.rp_filter=0",
                    "net.ipv4.conf.mp1.rp_filter=0", "net.ipv4.conf.mp2.rp_filter=0");
        }
        for (Link l : links) {
            client.ip("addr", "add", l.clientAddress().getHostAddress() + "/24",
                    "dev", l.device());
            server.ip("addr", "add", l.serverAddress().getHostAddress() + "/24",
                    "dev", l.device());
            client.ip("link", "set", l.device(), "up");
            server.ip("link", "set", l.device(), "up");
            String table = Integer.toString(100 + l.number());
            client.ip("route", "add", "default", "via", l.serverAddress().getHostAddress(),
                    "dev", l.device(), "table", table);
            client.ip("rule", "add", "pref", Integer.toString(1000 + l.number()),
                    "from", l.clientAddress().getHostAddress(), "lookup", table);
        }
        configurePathManager();
        for (NetNamespace ns : List.of(client, server)) {
            ns.attach(NamespaceThread.enter(ns.name()));
        }
    }

    private void configurePathManager() {
        for (NetNamespace ns : List.of(client, server)) {
            ns.ip("mptcp", "limits", "set", "subflows", Integer.toString(LIMIT_SUBFLOWS),
                    "add_addr_accepted", Integer.toString(LIMIT_ADD_ADDR_ACCEPTED));
            String limits = ns.ip("mptcp", "limits", "show");
            if (!limits.contains("subflows " + LIMIT_SUBFLOWS)
                    || !limits.contains("add_addr_accepted " + LIMIT_ADD_ADDR_ACCEPTED)) {
                throw new IllegalStateException(ns + ": limits are '" + limits.strip()
                        + "' after setting subflows " + LIMIT_SUBFLOWS + " add_addr_accepted "
                        + LIMIT_ADD_ADDR_ACCEPTED);
            }
        }
        Link second = link(2);
        switch (pathManager) {
            case SIGNAL -> server.ip("mptcp", "endpoint", "add",
                    second.serverAddress().getHostAddress(), "dev", second.device(), "signal");
            case SUBFLOW -> client.ip("mptcp", "endpoint", "add",
                    second.clientAddress().getHostAddress(), "dev", second.device(), "subflow");
            case CLIENT_USERSPACE -> useUserspacePathManager(client);
            case SERVER_USERSPACE -> useUserspacePathManager(server);
        }
    }

    /**
     * Switches {@code ns} to the userspace path manager: {@code net.mptcp.path_manager} where it
     * exists (Linux 6.15+), else {@code net.mptcp.pm_type=1} (5.19+); both are read back.
     */
    private static void useUserspacePathManager(NetNamespace ns) {
        if (Commands.attempt(ns.execCommand("sysctl", "-n", "net.mptcp.path_manager"))
                .succeeded()) {
            ns.setSysctl("net.mptcp.path_manager=userspace");
        } else {
            ns.setSysctl("net.mptcp.pm_type=1");
        }
    }

    private static Link newLink(int number) {
        return new Link(number, "mp" + number, address("10.250." + number + ".1"),
                address("10.250." + number + ".2"));
    }

    private static InetAddress address(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(literal, e);
        }
    }

    // ---- clean-up ------------------------------------------------------------------------

    private static void initialiseOnce() {
        if (INITIALISED.compareAndSet(false, true)) {
            Runtime.getRuntime().addShutdownHook(
                    new Thread(TwoPathTestBed::closeAllAtExit, "two-path-test-bed-cleanup"));
            sweepStale();
        }
    }

    private static void closeAllAtExit() {
        for (TwoPathTestBed bed : OPEN) {
            try {
                bed.close();
            } catch (RuntimeException e) {
                System.err.println("[two-path test bed] at exit: " + e);
            }
        }
    }

    /**
     * Deletes namespaces of this harness's naming whose owning process is dead. A namespace
     * whose PID belongs to a live process is kept, even if the PID was reused: a leak is better
     * than deleting a namespace another run still uses.
     *
     * @return the names deleted
     */
    public static List<String> sweepStale() {
        List<String> deleted = new ArrayList<>();
        for (String name : namespaces()) {
            Matcher m = OWN_NAME.matcher(name);
            if (!m.matches()) {
                continue;
            }
            long owner = Long.parseLong(m.group(1));
            if (owner == PID || ProcessHandle.of(owner).map(ProcessHandle::isAlive).orElse(false)) {
                continue;
            }
            delete(name);
            deleted.add(name);
        }
        return deleted;
    }

    /** The names {@code ip netns list} shows. */
    public static List<String> namespaces() {
        List<String> names = new ArrayList<>();
        for (String line : Commands.run("ip", "netns", "list").split("\n")) {
            if (!line.isBlank()) {
                names.add(line.strip().split("\\s+")[0]);
            }
        }
        return names;
    }

    private static void kill(ProcessHandle p) {
        p.destroyForcibly();
        try {
            p.onExit().get(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            // "ip netns del" below still unmounts the name; the namespace dies with the process.
        }
    }

    /** Kills what still runs in namespace {@code name}, then deletes it. */
    private static void delete(String name) {
        Commands.Result pids = Commands.attempt("ip", "netns", "pids", name);
        if (pids.succeeded()) {
            for (String pid : pids.output().strip().split("\\s+")) {
                if (!pid.isEmpty() && Long.parseLong(pid) != PID) {
                    ProcessHandle.of(Long.parseLong(pid)).ifPresent(TwoPathTestBed::kill);
                }
            }
        }
        Commands.Result del = Commands.attempt("ip", "netns", "del", name);
        if (!del.succeeded() && namespaces().contains(name)) {
            throw new IllegalStateException("could not delete network namespace " + name + ": "
                    + del);
        }
    }
}
