package io.mptcp.nio.pm;

import io.mptcp.ffi.LinuxSyscalls;
import io.mptcp.nio.MptcpSelectorProvider;
import io.mptcp.nio.internal.ChannelFactory;
import io.mptcp.nio.internal.pm.PmClient;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The in-kernel path manager of one network namespace, as {@code ip mptcp endpoint} and
 * {@code ip mptcp limits} see it: its endpoints (the local addresses it uses and announces)
 * and its limits. Everything here is namespace-wide and applies to every MPTCP connection in
 * the namespace, new and existing.
 *
 * <p>The namespace is the one of the thread that opens the path manager (a netlink socket
 * belongs to its creator's namespace for life). Reading ({@link #endpoints()},
 * {@link #limits()}) needs no privilege; changing needs {@code CAP_NET_ADMIN} in the user
 * namespace that owns the network namespace, and a refusal is a
 * {@link PathManagerException} that says so. Every refusal carries the kernel's own
 * explanation where it gives one.
 *
 * <p>Thread-safe (calls are serialised); close it to release its socket.
 */
public final class PathManager implements AutoCloseable {
    private static final Path PATH_MANAGER = Path.of("/proc/sys/net/mptcp/path_manager");
    private static final Path PM_TYPE = Path.of("/proc/sys/net/mptcp/pm_type");

    /** Which path manager new connections of a namespace get. */
    public enum Type {
        /** The in-kernel path manager: endpoints and limits, this class. */
        KERNEL,
        /** The userspace path manager: a privileged program decides per connection. */
        USERSPACE
    }

    private final PmClient client;

    private PathManager(PmClient client) {
        this.client = client;
    }

    /**
     * The path manager of the calling thread's network namespace.
     *
     * @return a new path manager, with its own netlink socket; close it when done
     * @throws UnsupportedOperationException if the kernel has no {@code mptcp_pm} family
     *     (older than 5.7, or MPTCP not built), with that reason
     * @throws IOException if native access or the netlink socket cannot be set up
     */
    public static PathManager open() throws IOException {
        return open(LinuxSyscalls.system());
    }

    /**
     * As {@link #open()}, through {@code provider}'s native access.
     *
     * @param provider the provider whose native access to use
     * @return a new path manager, with its own netlink socket; close it when done
     * @throws UnsupportedOperationException if the kernel has no {@code mptcp_pm} family
     *     (older than 5.7, or MPTCP not built), with that reason
     * @throws IOException if native access or the netlink socket cannot be set up, or the
     *     kernel refuses the family lookup (a {@link PathManagerException})
     */
    public static PathManager open(MptcpSelectorProvider provider) throws IOException {
        Objects.requireNonNull(provider, "provider");
        return open(ChannelFactory.of(provider).syscalls());
    }

    private static PathManager open(LinuxSyscalls sys) throws IOException {
        PmClient client = PmClient.open(sys);
        try {
            client.family();
        } catch (RuntimeException e) {
            client.close();
            throw e;
        }
        return new PathManager(client);
    }

    /**
     * The path manager new MPTCP connections of the calling thread's namespace get: sysctl
     * {@code net.mptcp.path_manager} (Linux 6.15+), else {@code net.mptcp.pm_type} (5.19+),
     * else {@link Type#KERNEL} (the only one before 5.19). A connection keeps the type it was
     * created with.
     *
     * @return the type of path manager new connections get
     * @throws IOException if the sysctl names a path manager this library does not know
     */
    public static Type type() throws IOException {
        Optional<String> name = read(PATH_MANAGER);
        if (name.isPresent()) {
            switch (name.get()) {
                case "kernel":
                    return Type.KERNEL;
                case "userspace":
                    return Type.USERSPACE;
                default:
                    throw new IOException("net.mptcp.path_manager is \"" + name.get()
                            + "\", a path manager this library does not know");
            }
        }
        Optional<String> type = read(PM_TYPE);
        if (type.isEmpty() || type.get().equals("0")) {
            return Type.KERNEL;
        }
        if (type.get().equals("1")) {
            return Type.USERSPACE;
        }
        throw new IOException("net.mptcp.pm_type is " + type.get() + ", unknown");
    }

    private static Optional<String> read(Path sysctl) throws IOException {
        try {
            return Optional.of(Files.readString(sysctl, StandardCharsets.US_ASCII).trim());
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
    }

    /**
     * The endpoints, in the kernel's order (as {@code ip mptcp endpoint show}).
     *
     * @return the endpoints, empty if there are none
     * @throws IOException if the kernel refuses (a {@link PathManagerException} with the
     *     errno and the kernel's text) or the exchange with it fails (no answer within 10 s,
     *     a malformed reply)
     */
    public synchronized List<Endpoint> endpoints() throws IOException {
        return client.endpoints();
    }

    /**
     * The endpoint {@code id}, if there is one.
     *
     * @param id the endpoint id
     * @return the endpoint, or empty if there is none of that id
     * @throws IOException if the kernel refuses (a {@link PathManagerException} with the
     *     errno and the kernel's text) or the exchange with it fails (no answer within 10 s,
     *     a malformed reply)
     */
    public synchronized Optional<Endpoint> endpoint(int id) throws IOException {
        for (Endpoint e : client.endpoints()) {
            if (e.id() == id) {
                return Optional.of(e);
            }
        }
        return Optional.empty();
    }

    /**
     * Adds {@code endpoint} ({@code ip mptcp endpoint add}); id 0 lets the kernel choose one.
     * The kernel refuses, with its reason: a port without {@link EndpointFlag#SIGNAL} or with
     * {@link EndpointFlag#SUBFLOW}, {@code SIGNAL} with {@code FULLMESH}, a ninth endpoint, an
     * address or id already in use.
     *
     * @param endpoint the endpoint to add
     * @return the endpoint as the kernel now lists it (with its id)
     * @throws PathManagerException if the kernel refuses, with the errno and its reason
     *     ({@code EPERM}: no {@code CAP_NET_ADMIN})
     * @throws IOException also if the exchange with the kernel fails (no answer within
     *     10 s, a malformed reply), or the kernel accepted the endpoint but no longer lists it
     */
    public synchronized Endpoint addEndpoint(Endpoint endpoint) throws IOException {
        Objects.requireNonNull(endpoint, "endpoint");
        client.addEndpoint(endpoint);
        for (Endpoint e : client.endpoints()) {
            if (e.address().equals(endpoint.address())
                    && (endpoint.id() == 0 || e.id() == endpoint.id())
                    && e.port().equals(endpoint.port())) {
                return e;
            }
        }
        throw new IOException("ADD_ADDR of " + endpoint + " succeeded but the endpoint is not "
                + "listed (removed meanwhile?)");
    }

    /**
     * Sets the flags of endpoint {@code id} ({@code ip mptcp endpoint change}). The kernel
     * changes only {@link EndpointFlag#BACKUP} and {@link EndpointFlag#FULLMESH} of an
     * existing endpoint; a backup change is announced (MP_PRIO) on existing subflows.
     *
     * @param id the endpoint id, 1..255
     * @param flags the endpoint's flags; of these the kernel applies backup and fullmesh
     * @throws IllegalArgumentException if {@code id} is outside 1..255
     * @throws IOException if the kernel refuses (a {@link PathManagerException} with the
     *     errno and the kernel's text) or the exchange with it fails (no answer within 10 s,
     *     a malformed reply)
     */
    public synchronized void setFlags(int id, Set<EndpointFlag> flags) throws IOException {
        checkId(id);
        client.setFlags(id, EndpointFlag.bits(flags));
    }

    /**
     * Removes endpoint {@code id} ({@code ip mptcp endpoint delete}): its subflows close and
     * peers get RM_ADDR.
     *
     * @param id the endpoint id, 1..255
     * @throws IllegalArgumentException if {@code id} is outside 1..255
     * @throws IOException if the kernel refuses (a {@link PathManagerException} with the
     *     errno and the kernel's text) or the exchange with it fails (no answer within 10 s,
     *     a malformed reply)
     */
    public synchronized void removeEndpoint(int id) throws IOException {
        checkId(id);
        client.removeEndpoint(id);
    }

    /**
     * Removes every endpoint ({@code ip mptcp endpoint flush}).
     *
     * @throws IOException if the kernel refuses (a {@link PathManagerException} with the
     *     errno and the kernel's text) or the exchange with it fails (no answer within 10 s,
     *     a malformed reply)
     */
    public synchronized void flushEndpoints() throws IOException {
        client.flushEndpoints();
    }

    /**
     * The limits ({@code ip mptcp limits}).
     *
     * @return the namespace's current limits
     * @throws IOException if the kernel refuses (a {@link PathManagerException} with the
     *     errno and the kernel's text) or the exchange with it fails (no answer within 10 s,
     *     a malformed reply)
     */
    public synchronized PathManagerLimits limits() throws IOException {
        return client.limits();
    }

    /**
     * Sets both limits ({@code ip mptcp limits set subflows N add_addr_accepted M}).
     *
     * @param limits the new limits; the kernel refuses more than its maximum
     *     ({@link PathManagerLimits#MAX} on Linux 6.18)
     * @throws IOException if the kernel refuses (a {@link PathManagerException} with the
     *     errno and the kernel's text) or the exchange with it fails (no answer within 10 s,
     *     a malformed reply)
     */
    public synchronized void setLimits(PathManagerLimits limits) throws IOException {
        client.setLimits(Objects.requireNonNull(limits, "limits"));
    }

    @Override
    public synchronized void close() throws IOException {
        client.close();
    }

    private static void checkId(int id) {
        if (id < 1 || id > 255) {
            throw new IllegalArgumentException("endpoint id " + id + " outside 1..255");
        }
    }
}
