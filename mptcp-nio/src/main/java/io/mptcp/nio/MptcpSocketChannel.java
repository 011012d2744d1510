package io.mptcp.nio;

import io.mptcp.nio.pm.AnnouncedAddress;
import io.mptcp.nio.pm.PathPolicy;
import io.mptcp.nio.pm.SubflowClose;
import io.mptcp.nio.pm.SubflowRequest;

import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.net.SocketOption;
import java.nio.channels.FileChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.spi.SelectorProvider;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * A {@link SocketChannel} over a Multipath TCP socket, or over TCP where MPTCP was not
 * possible. Every channel that {@link MptcpSelectorProvider#openSocketChannel()} returns, and
 * every channel a {@link MptcpServerSocketChannel} accepts, is one.
 *
 * <p>It behaves exactly like the JDK's socket channel; the MPTCP state is read through
 * {@link #getOption} with the keys of {@link MptcpSocketOptions}.
 */
public abstract class MptcpSocketChannel extends SocketChannel {

    /**
     * For this library's implementation. Like any {@code SocketChannel} subclass, one made
     * elsewhere cannot register with this provider's selectors.
     *
     * @param provider the provider that created the channel
     */
    protected MptcpSocketChannel(SelectorProvider provider) {
        super(provider);
    }

    /**
     * Socket options that the kernel refused on this MPTCP socket and that were therefore not
     * applied, with the values asked for. An MPTCP socket refuses some options a TCP socket
     * takes (for example {@code SO_OOBINLINE} or {@code TCP_QUICKACK}); outside strict mode
     * ({@code io.mptcp.nio.strict}) setting one does not throw, so that programs written for
     * TCP keep working, and it is recorded here instead (and logged once per option). Empty
     * for a plain TCP socket, which reports refusals as exceptions like the JDK's.
     *
     * @return an unmodifiable live view
     */
    public abstract Map<SocketOption<?>, Object> unappliedOptions();

    /**
     * Opens a subflow of this connection from {@code request}'s local endpoint to its remote
     * one (draft-hesmans-mptcp-socket-03 {@code MPTCP_OPEN_SUB_TUPLE}) and waits until it
     * is usable. The connection must be MPTCP, connected, created while the network
     * namespace's path manager was {@code userspace}, and the caller needs
     * {@code CAP_NET_ADMIN} (README, "Subflow control").
     *
     * <p>The kernel accepts a subflow only once the connection is fully established (after
     * its first data exchange); until then this waits for it. "Usable" means: the kernel
     * reported the join established for this address pair, the subflow list shows it, and
     * still shows it two round trips later (a join the peer rejects is first reported
     * established). A refusal by the peer arrives after the request, as the failure of this
     * call with the kernel's errno (ECONNREFUSED when nothing listens there).
     *
     * <p>Subflow control of a namespace goes through a subscription to its path-manager
     * events, opened by the first call on a channel of that namespace (the calling thread
     * must then be in the socket's network namespace) and kept while any channel that used
     * subflow control is open. While it exists, the namespace accepts incoming joins of
     * userspace-PM connections without limit.
     *
     * @param request the endpoints and flags of the new subflow
     * @param timeout how long to wait for the subflow; the kernel may still complete the join
     *     after it
     * @return the new subflow, as {@link MptcpSocketOptions#MPTCP_SUBFLOWS} lists it
     * @throws java.net.SocketTimeoutException if the subflow is not usable within the timeout
     * @throws io.mptcp.nio.pm.PathManagerException if the kernel refused the request or the
     *     join failed, with the kernel's errno and reason
     * @throws IOException for the precondition failures listed in the README
     */
    public abstract Subflow openSubflow(SubflowRequest request,
            Duration timeout) throws IOException;

    /**
     * Opens a subflow like {@link #openSubflow(SubflowRequest,
     * Duration)} without blocking: the stage completes with the usable subflow, or
     * exceptionally with the exception the blocking form would throw (a failed precondition
     * too). There is no timeout: add one with {@code orTimeout}. Completion runs on a
     * library thread (the events reader or its timer): hand long work to another executor.
     *
     * @param request the endpoints and flags of the new subflow
     * @return a stage that completes when the subflow is usable or has failed
     */
    public abstract CompletableFuture<Subflow> openSubflowAsync(
            SubflowRequest request);

    /**
     * Closes one subflow of this connection (draft {@code MPTCP_CLOSE_SUB_ID}); the connection
     * goes on over its other subflows.
     *
     * @param subflow a subflow as {@link MptcpSocketOptions#MPTCP_SUBFLOWS} listed it
     * @param how FIN or RST
     * @throws IOException if the subflow is unknown or the kernel refused
     */
    public abstract void closeSubflow(Subflow subflow, SubflowClose how)
            throws IOException;

    /**
     * Sets or clears the backup priority of one subflow (MP_PRIO to the peer).
     *
     * @param subflow a subflow as {@link MptcpSocketOptions#MPTCP_SUBFLOWS} listed it
     * @param backup true to make it a backup path
     * @throws IOException if the subflow is unknown or the kernel refused
     */
    public abstract void setSubflowBackup(Subflow subflow, boolean backup) throws IOException;

    /**
     * Announces a local address to the peer (RFC 6897 {@code TCP_MULTIPATH_ADD}, MPTCP
     * {@code ADD_ADDR}), with an address id the library allocates for this connection.
     *
     * @param address a local address of this host; port 0 announces no port
     * @return the announcement, to {@link #withdraw} later
     * @throws IOException if the kernel refused
     */
    public abstract AnnouncedAddress announce(InetSocketAddress address)
            throws IOException;

    /**
     * Withdraws an address this connection announced (RFC 6897 {@code TCP_MULTIPATH_REMOVE},
     * MPTCP {@code REMOVE_ADDR}); the peer closes its subflows to it.
     *
     * @param announced what {@link #announce} returned on this channel
     * @throws IOException if the kernel refused
     */
    public abstract void withdraw(AnnouncedAddress announced) throws IOException;

    /**
     * Runs an application's own path manager for this connection until the channel closes,
     * as {@link MptcpSocketOptions#PATH_PROFILE} runs the library's: on the namespace's
     * path-manager thread, fed with the connection's events, the namespace's link and address
     * changes and a periodic tick (see {@link PathPolicy}). Works on connected and on accepted
     * channels. The policy's commands need what subflow control needs (the userspace path
     * manager and {@code CAP_NET_ADMIN}); a refusal of its first command stops it and is
     * logged at WARNING on {@code io.mptcp.nio.pm.PathProfile}, and the connection goes on
     * without it.
     *
     * @param policy a policy instance for this connection only
     * @throws java.nio.channels.NotYetConnectedException if the channel is not connected
     * @throws IllegalStateException if a policy or a profile already runs for this connection
     * @throws IOException if the connection cannot take one: not MPTCP, or no path-manager
     *         session can be made for its namespace (the first one of a namespace is made
     *         from a thread in that namespace)
     */
    public abstract void runPathPolicy(PathPolicy policy) throws IOException;

    /**
     * Would set a socket option on one subflow only (draft-hesmans-mptcp-socket-03
     * {@code MPTCP_SUB_SETSOCKOPT}). Upstream Linux has no such call: an option set on the
     * MPTCP socket is applied by the kernel to every subflow, and per-subflow values are
     * possible only from an eBPF program attached to the subflows' TCP sockets
     * ({@code Documentation/networking/mptcp.rst}). Always throws.
     *
     * @param <T> the option's type
     * @param subflow the subflow
     * @param name the option
     * @param value its value
     * @throws UnsupportedOperationException always, saying why and what to use instead
     */
    public <T> void setSubflowOption(Subflow subflow, SocketOption<T> name, T value) {
        throw new UnsupportedOperationException("setSubflowOption(" + name + "): Linux has no"
                + " per-subflow socket options (draft MPTCP_SUB_SETSOCKOPT): the kernel applies"
                + " an option set on the MPTCP socket to every subflow. Use setOption for all"
                + " subflows, or an eBPF program on the subflows' TCP sockets for per-subflow"
                + " values");
    }

    /**
     * Would give one subflow an IPv6 segment routing header (draft-hesmans-mptcp-socket-03
     * §3.6). Upstream Linux cannot: {@code IPV6_RTHDR} on the MPTCP socket is not passed to
     * subflows, and there is no per-subflow variant. Always throws.
     *
     * @param subflow the subflow
     * @param segments the segment list
     * @throws UnsupportedOperationException always, saying why and what to use instead
     */
    public void setSubflowSegmentRouting(Subflow subflow, List<Inet6Address> segments) {
        throw new UnsupportedOperationException("setSubflowSegmentRouting: Linux cannot set an"
                + " SRv6 routing header on one subflow (draft-hesmans-mptcp-socket-03 §3.6;"
                + " IPV6_RTHDR is not passed to subflows). Steer by route instead: a seg6"
                + " route (ip route add ... encap seg6 mode encap segs ...) for the subflow's"
                + " source address (ip rule from ...), then open the subflow from that"
                + " address with openSubflow");
    }

    /**
     * Sends bytes of {@code file} to this channel without copying them through the JVM, with
     * sendfile(2): what {@code FileChannel.transferTo} does for the JDK's own socket channels
     * but cannot do for this one. {@code FileChannel.transferTo(position, count, thisChannel)}
     * works too, but it copies 8 KiB at a time through a heap buffer (README, "sendfile /
     * transferTo", has the figures).
     *
     * <p>The file is opened read-only for the call and closed after it. In blocking mode the
     * call returns once {@code count} bytes are sent or the end of the file is reached; in
     * non-blocking mode it sends what the socket takes now, possibly nothing. Close and
     * interrupt end a blocked call as they end a blocked {@code write}. A file on another file
     * system than the default one is sent through {@link FileChannel#transferTo}.
     *
     * @param file the file to send
     * @param position where in the file to start; the end of the file sends nothing
     * @param count the most bytes to send
     * @return the bytes sent
     * @throws IllegalArgumentException if {@code position} or {@code count} is negative
     * @throws java.nio.file.NoSuchFileException if the file does not exist (other
     *     {@link java.nio.file.FileSystemException}s for other failures to open it)
     * @throws java.nio.channels.NotYetConnectedException if this channel is not connected
     * @throws java.nio.channels.ClosedChannelException if this channel is closed or its output
     *     shut down
     * @throws IOException as {@code write} throws it
     */
    public long transferFrom(Path file, long position, long count) throws IOException {
        checkTransfer(file, position, count);
        try (FileChannel src = FileChannel.open(file, StandardOpenOption.READ)) {
            return src.transferTo(position, count, this);
        }
    }

    /**
     * For this library's implementation: checks the arguments of
     * {@link #transferFrom(Path, long, long)} as this class's own implementation does, so that
     * an overriding one rejects the same calls with the same exceptions.
     *
     * @param file the file to send
     * @param position where in the file to start
     * @param count the most bytes to send
     * @throws NullPointerException if {@code file} is null
     * @throws IllegalArgumentException if {@code position} or {@code count} is negative
     */
    protected static void checkTransfer(Path file, long position, long count) {
        java.util.Objects.requireNonNull(file, "file");
        if (position < 0) {
            throw new IllegalArgumentException("transferFrom: position " + position
                    + " is negative");
        }
        if (count < 0) {
            throw new IllegalArgumentException("transferFrom: count " + count + " is negative");
        }
    }
}
