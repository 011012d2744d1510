package io.mptcp.nio.internal.pm;

import io.mptcp.ffi.Errno;
import io.mptcp.ffi.ErrnoException;
import io.mptcp.ffi.LinuxSyscalls;
import io.mptcp.ffi.LinuxUapi;
import io.mptcp.ffi.NetlinkUapi;
import io.mptcp.nio.MptcpToken;
import io.mptcp.nio.internal.fd.NioExceptions;
import io.mptcp.nio.internal.netlink.GenlFamily;
import io.mptcp.nio.internal.netlink.GenlMessage;
import io.mptcp.nio.internal.netlink.MptcpPm;
import io.mptcp.nio.internal.netlink.NetlinkError;
import io.mptcp.nio.internal.netlink.NetlinkMessage;
import io.mptcp.nio.internal.netlink.PmEvent;
import io.mptcp.nio.internal.netlink.Reply;
import io.mptcp.nio.internal.netlink.RtAddress;
import io.mptcp.nio.internal.netlink.RtLink;
import io.mptcp.nio.internal.netlink.RtNetlink;
import io.mptcp.nio.internal.netlink.SockDestroy;
import io.mptcp.nio.pm.EventSource;
import io.mptcp.nio.pm.MptcpEvent;
import io.mptcp.nio.pm.PathControl;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The userspace path manager of one network namespace as subflow control uses it: a command
 * socket, an rtnetlink socket for address checks, and a subscription to
 * {@code mptcp_pm_events} read by a daemon thread that hands each event to the
 * {@link SubflowControl} of its token. One session per namespace, shared by every channel of
 * the namespace that used subflow control, and kept until the last of them closes.
 *
 * <p>The subscription is also what lets the namespace accept joins at all: a userspace-PM
 * namespace rejects every incoming MP_JOIN and drops every ADD_ADDR while nobody listens to
 * the events (reference §5.1, §11 item 17), and accepts them without limit while somebody
 * does.
 */
final class PmSession {
    private static final String GROUP = MptcpPm.MPTCP_PM_EV_GRP_NAME;
    /** Events of a busy namespace must not overrun while a join is awaited. */
    private static final int RECEIVE_BUFFER_BYTES = 1 << 20;

    // netns cookie -> session; guarded by itself, with every session's users count
    private static final Map<Long, PmSession> SESSIONS = new HashMap<>();

    private final long netns;
    private final LinuxSyscalls sys;
    // guarded by itself: netlink sockets are not thread-safe, commands are serialised
    private final PmClient client;
    // guarded by client (the same serialisation; used for address checks only)
    private final NetlinkSocket route;
    // guarded by client: SOCK_DESTROY of one subflow (an abortive close)
    private final NetlinkSocket diag;
    private final NetlinkSocket events;
    // Link and address notifications for path policies; its groups are joined with the first
    // policy (opened here because a netlink socket belongs to its creator's namespace). Read
    // by the reader thread only.
    private final NetlinkSocket routeEvents;
    // guarded by runners (the join happens once)
    private boolean routeJoined;
    private final Map<MptcpToken, PolicyRunner> runners = new ConcurrentHashMap<>();
    /**
     * Peer-address events of connections without a policy yet, oldest connection dropped
     * first: a profile's connection subscribes before connect and registers its policy after,
     * and the peer's ADD_ADDR comes in between. Guarded by runners.
     */
    private final Map<MptcpToken, List<MptcpEvent>> unclaimed =
            new LinkedHashMap<>(16, 0.75f, false) {
                private static final long serialVersionUID = 1L;

                @Override
                protected boolean removeEldestEntry(Map.Entry<MptcpToken, List<MptcpEvent>> e) {
                    return size() > UNCLAIMED_CONNECTIONS;
                }
            };
    /** Connections whose early peer-address events are kept (others' too: all of the netns). */
    private static final int UNCLAIMED_CONNECTIONS = 64;
    private final int pmFamily;
    private final int wakeFd;
    private final Thread reader;
    private final Map<MptcpToken, SubflowControl> controls = new ConcurrentHashMap<>();
    private volatile boolean stopping;
    private volatile Exception failure;
    // guarded by SESSIONS
    private int users;

    private PmSession(long netns, LinuxSyscalls sys, PmClient client, NetlinkSocket route,
            NetlinkSocket diag, NetlinkSocket events, NetlinkSocket routeEvents, int pmFamily,
            int wakeFd) {
        this.routeEvents = routeEvents;
        this.netns = netns;
        this.sys = sys;
        this.client = client;
        this.route = route;
        this.diag = diag;
        this.events = events;
        this.pmFamily = pmFamily;
        this.wakeFd = wakeFd;
        this.reader = new Thread(this::readLoop, "mptcp-nio-subflow-events");
        this.reader.setDaemon(true);
    }

    /**
     * The session of the namespace with cookie {@code netns} (a socket's), opened by the
     * calling thread if there is none yet (which must then be in that namespace: netlink
     * sockets belong to their creator's namespace).
     *
     * @param call the public method, for messages
     */
    static PmSession acquire(LinuxSyscalls sys, long netns, String call) throws IOException {
        synchronized (SESSIONS) {
            PmSession s = SESSIONS.get(netns);
            if (s == null) {
                s = open(sys, netns, call);
                SESSIONS.put(netns, s);
                s.reader.start();
            }
            s.users++;
            return s;
        }
    }

    /** Gives back what {@link #acquire} took; the last user stops the subscription. */
    void release() {
        synchronized (SESSIONS) {
            if (--users > 0) {
                return;
            }
            SESSIONS.remove(netns, this);
        }
        stopping = true;
        try {
            sys.eventfdWrite(wakeFd, 1);
        } catch (ErrnoException e) {
            // The reader then stays until the process ends; nothing else depends on it.
        }
    }

    /**
     * Asks the kernel, without privileges, whether the connection {@code token} has the
     * userspace path manager ({@link PmClient#localAddresses}); a refusal is thrown as the
     * kernel gave it. Where the answer cannot be had here (no family, the calling thread in
     * another namespace), returns: {@link #acquire} then says why.
     */
    static void probePathManager(LinuxSyscalls sys, long netns, long token) throws IOException {
        try (PmClient c = PmClient.open(sys)) {
            if (c.features().whyUnavailable(PmFeatures.Feature.FAMILY).isPresent()
                    || netns != 0 && netnsCookie(sys, c.fd()) != netns) {
                return;
            }
            c.localAddresses(token);
        }
    }

    private static PmSession open(LinuxSyscalls sys, long netns, String call)
            throws IOException {
        PmClient client = PmClient.open(sys);
        NetlinkSocket route = null;
        NetlinkSocket diag = null;
        NetlinkSocket events = null;
        NetlinkSocket routeEvents = null;
        int wakeFd = -1;
        try {
            Optional<String> why = client.features()
                    .whyUnavailable(PmFeatures.Feature.EVENTS);
            if (why.isPresent()) {
                throw new UnsupportedOperationException(call + ": " + why.get());
            }
            if (netns != 0 && netnsCookie(sys, client.fd()) != netns) {
                throw new IOException(call + ": the calling thread is in another network"
                        + " namespace than the socket; call it from a thread of the socket's"
                        + " namespace (the path manager is per namespace)");
            }
            GenlFamily family = client.family();
            events = NetlinkSocket.open(sys, NetlinkUapi.NETLINK_GENERIC, GROUP);
            try {
                events.join(family.group(GROUP).getAsInt());
            } catch (ErrnoException e) {
                throw PmClient.failure(GROUP + " subscription", e);
            }
            events.receiveBuffer(RECEIVE_BUFFER_BYTES);
            route = NetlinkSocket.open(sys, NetlinkUapi.NETLINK_ROUTE, "rtnetlink");
            diag = NetlinkSocket.open(sys, NetlinkUapi.NETLINK_SOCK_DIAG, "sock_diag");
            routeEvents = NetlinkSocket.open(sys, NetlinkUapi.NETLINK_ROUTE, "rtnetlink events");
            wakeFd = sys.eventfd(0, LinuxUapi.EFD_NONBLOCK | LinuxUapi.EFD_CLOEXEC);
            return new PmSession(netns, sys, client, route, diag, events, routeEvents,
                    family.id(), wakeFd);
        } catch (ErrnoException e) {
            IOException mapped = NioExceptions.socket(e);
            closeAll(sys, client, route, diag, events, routeEvents, wakeFd, mapped);
            throw mapped;
        } catch (IOException | RuntimeException e) {
            closeAll(sys, client, route, diag, events, routeEvents, wakeFd, e);
            throw e;
        }
    }

    private static void closeAll(LinuxSyscalls sys, PmClient client, NetlinkSocket route,
            NetlinkSocket diag, NetlinkSocket events, NetlinkSocket routeEvents, int wakeFd,
            Throwable failure) {
        for (AutoCloseable c : new AutoCloseable[] {client, route, diag, events, routeEvents}) {
            if (c != null) {
                try {
                    c.close();
                } catch (Exception e) {
                    failure.addSuppressed(e);
                }
            }
        }
        if (wakeFd >= 0) {
            try {
                sys.close(wakeFd);
            } catch (ErrnoException e) {
                failure.addSuppressed(e);
            }
        }
    }

    /**
     * {@code SO_NETNS_COOKIE} of {@code fd} (Linux 5.14), or 0 where the kernel does not have
     * it (then every socket is taken to be in the calling thread's namespace).
     */
    static long netnsCookie(LinuxSyscalls sys, int fd) throws IOException {
        ByteBuffer b = ByteBuffer.allocateDirect(Long.BYTES).order(ByteOrder.nativeOrder());
        try {
            sys.getsockopt(fd, LinuxUapi.SOL_SOCKET, LinuxUapi.SO_NETNS_COOKIE, b);
        } catch (ErrnoException e) {
            if (e.errno() == Errno.ENOPROTOOPT) {
                return 0;
            }
            throw NioExceptions.socket(e);
        }
        return b.getLong(0);
    }

    /** Why the subscription stopped delivering events, if it did. */
    Optional<Exception> failure() {
        return Optional.ofNullable(failure);
    }

    // ---- commands --------------------------------------------------------------------------

    /** A command on the shared client. */
    interface Command<T> {
        T run(PmClient client) throws IOException;
    }

    <T> T command(Command<T> c) throws IOException {
        synchronized (client) {
            return c.run(client);
        }
    }

    /** Whether {@code address} is an address of an interface of this namespace. */
    boolean isLocal(InetAddress address) throws IOException {
        List<RtAddress> all;
        synchronized (client) {
            all = PmClient.dumpAddresses(route);
        }
        for (RtAddress a : all) {
            if (a.localAddress().map(address::equals).orElse(false)) {
                return true;
            }
        }
        return false;
    }

    /** The namespace's addresses with their links' state, from rtnetlink dumps. */
    List<PathControl.LocalAddress> localAddresses() throws IOException {
        List<RtLink> links;
        List<RtAddress> addresses;
        synchronized (client) {
            links = PmClient.dumpLinks(route);
            addresses = PmClient.dumpAddresses(route);
        }
        Map<Integer, Boolean> up = new HashMap<>();
        for (RtLink l : links) {
            up.put(l.index(), l.isUp());
        }
        List<PathControl.LocalAddress> out = new ArrayList<>();
        for (RtAddress a : addresses) {
            if (a.localAddress().isPresent()) {
                out.add(new PathControl.LocalAddress(a.index(), a.localAddress().get(),
                        up.getOrDefault(a.index(), false)));
            }
        }
        return out;
    }

    /**
     * Aborts the TCP subflow {@code local} - {@code remote} with {@code SOCK_DESTROY}: the
     * kernel's {@code tcp_abort} sends a RST on it; the connection goes on over the others.
     * {@code ifIndex}: the device the subflow is bound to, 0 for none (the lookup matches it
     * exactly).
     */
    void abort(InetSocketAddress local, InetSocketAddress remote, int ifIndex)
            throws IOException {
        synchronized (client) {
            int seq = diag.nextSequence();
            Reply r = diag.transact(seq, SockDestroy.request(seq, local, remote, ifIndex));
            Optional<NetlinkError> error = r.error();
            if (error.isEmpty()) {
                return;
            }
            int errno = -error.get().error();
            String text = error.get().message().orElse(null);
            if (errno == Errno.EOPNOTSUPP) {
                throw new UnsupportedOperationException("closeSubflow(ABORT): this kernel"
                        + " cannot destroy sockets (SOCK_DESTROY answered EOPNOTSUPP: built"
                        + " without CONFIG_INET_DIAG_DESTROY); use SubflowClose.GRACEFUL");
            }
            if (errno == Errno.ENOENT) {
                throw new IOException("closeSubflow(ABORT): " + local + " -> " + remote
                        + " is gone (SOCK_DESTROY found no such TCP socket)");
            }
            throw NioExceptions.pathManager("SOCK_DESTROY", errno, text,
                    (int) error.get().missingType());
        }
    }

    // ---- events ----------------------------------------------------------------------------

    void register(MptcpToken token, SubflowControl control) {
        controls.put(token, control);
    }

    void unregister(MptcpToken token, SubflowControl control) {
        controls.remove(token, control);
        runners.remove(token);
    }

    /**
     * Runs {@code runner}'s policy on the reader thread from now on, with the namespace's link
     * and address notifications (rtnetlink groups joined on the first).
     */
    void addRunner(PolicyRunner runner) throws IOException {
        synchronized (runners) {
            if (!routeJoined) {
                try {
                    routeEvents.join(NetlinkUapi.RTNLGRP_LINK);
                    routeEvents.join(NetlinkUapi.RTNLGRP_IPV4_IFADDR);
                    routeEvents.join(NetlinkUapi.RTNLGRP_IPV6_IFADDR);
                } catch (ErrnoException e) {
                    throw NioExceptions.socket(e);
                }
                routeJoined = true;
            }
            List<MptcpEvent> early = unclaimed.remove(runner.token());
            if (early != null) {
                early.forEach(runner::keepUntilStart);
            }
            runners.put(runner.token(), runner);
        }
        try {
            sys.eventfdWrite(wakeFd, 1);
        } catch (ErrnoException e) {
            throw NioExceptions.socket(e);
        }
    }

    private void readLoop() {
        try {
            while (!stopping) {
                if (runners.isEmpty()) {
                    sys.poll(events.fd(), LinuxUapi.POLLIN, wakeFd, -1);
                } else {
                    // Woken by either subscription, or for the next tick; a stop is seen at
                    // the latest one tick late.
                    long wait = Math.max(1, (tick() - System.nanoTime()) / 1_000_000);
                    sys.poll(events.fd(), LinuxUapi.POLLIN, routeEvents.fd(),
                            (int) Math.min(wait, 1000));
                    drainRoute();
                }
                // A wake from addRunner or release, consumed so that the next wait waits.
                sys.eventfdRead(wakeFd);
                drain();
            }
        } catch (IOException | RuntimeException e) {
            // The subscription is broken: nothing more will arrive. Waiters learn it now,
            // later opens from failure(), and new users of the namespace get a new session.
            failure = e;
            synchronized (SESSIONS) {
                SESSIONS.remove(netns, this);
            }
            for (SubflowControl c : controls.values()) {
                c.eventsFailed(e);
            }
        } finally {
            closeAll(sys, client, route, diag, events, routeEvents, wakeFd,
                    new IOException("close"));
        }
    }

    private void drain() throws IOException {
        while (!stopping) {
            List<NetlinkMessage> datagram;
            try {
                datagram = events.receive();
            } catch (ErrnoException e) {
                if (e.errno() != Errno.ENOBUFS) {
                    throw e;
                }
                for (SubflowControl c : controls.values()) {
                    c.eventsLost();
                }
                continue;
            }
            if (datagram == null) {
                return;
            }
            for (NetlinkMessage m : datagram) {
                if (m.header().type() != pmFamily) {
                    continue;
                }
                MptcpEvent e = MptcpEvents.fromPm(PmEvent.decode(GenlMessage.decode(m)),
                        EventSource.NETLINK);
                MptcpToken token = token(e);
                SubflowControl c = token == null ? null : controls.get(token);
                if (c != null) {
                    c.onEvent(e);
                }
                PolicyRunner r = token == null ? null : runners.get(token);
                if (r == null && token != null) {
                    r = keepUnclaimed(token, e);
                }
                if (r != null) {
                    r.onEvent(e);
                    if (e instanceof MptcpEvent.ConnectionClosed) {
                        runners.remove(token, r);
                    }
                }
            }
        }
    }

    /**
     * Keeps {@code e}, a peer-address event, for a policy of {@code token} that may register
     * soon; returns the runner if it registered meanwhile.
     */
    private PolicyRunner keepUnclaimed(MptcpToken token, MptcpEvent e) {
        synchronized (runners) {
            PolicyRunner r = runners.get(token);
            if (r != null) {
                return r;
            }
            if (e instanceof MptcpEvent.ConnectionClosed) {
                unclaimed.remove(token);
            } else if (e instanceof MptcpEvent.AddressAnnounced
                    || e instanceof MptcpEvent.AddressRemoved) {
                List<MptcpEvent> l = unclaimed.computeIfAbsent(token, t -> new ArrayList<>());
                if (l.size() < PolicyRunner.EARLY_MAX) {
                    l.add(e);
                }
            }
            return null;
        }
    }

    /** Stops running {@code runner}'s policy. */
    void removeRunner(PolicyRunner runner) {
        runners.remove(runner.token(), runner);
    }

    /** Ticks the due policies; returns when the next tick is due. */
    private long tick() {
        long now = System.nanoTime();
        long next = now + 1_000_000_000L;
        for (PolicyRunner r : runners.values()) {
            long due = r.tick(now);
            if (due - next < 0) {
                next = due;
            }
        }
        return next;
    }

    /** Link and address notifications, to every policy of the namespace. */
    private void drainRoute() throws IOException {
        while (!stopping) {
            List<NetlinkMessage> datagram;
            try {
                datagram = routeEvents.receive();
            } catch (ErrnoException e) {
                if (e.errno() == Errno.ENOBUFS) {
                    // Lost notifications: the policies re-read the subflows on their ticks.
                    continue;
                }
                throw e;
            }
            if (datagram == null) {
                return;
            }
            for (NetlinkMessage m : datagram) {
                MptcpEvent e = switch (m.header().type()) {
                    case RtNetlink.RTM_NEWLINK, RtNetlink.RTM_DELLINK ->
                            MptcpEvents.fromLink(RtLink.decode(m), EventSource.NETLINK);
                    case RtNetlink.RTM_NEWADDR, RtNetlink.RTM_DELADDR ->
                            MptcpEvents.fromAddress(RtAddress.decode(m), EventSource.NETLINK)
                                    .orElse(null);
                    default -> null;
                };
                if (e != null) {
                    for (PolicyRunner r : runners.values()) {
                        r.onEvent(e);
                    }
                }
            }
        }
    }

    private static MptcpToken token(MptcpEvent e) {
        if (e instanceof MptcpEvent.ConnectionEstablished c) {
            return c.token();
        } else if (e instanceof MptcpEvent.ConnectionClosed c) {
            return c.token();
        } else if (e instanceof MptcpEvent.SubflowEstablished s) {
            return s.token();
        } else if (e instanceof MptcpEvent.SubflowClosed s) {
            return s.token();
        } else if (e instanceof MptcpEvent.SubflowPriority s) {
            return s.token();
        } else if (e instanceof MptcpEvent.AddressAnnounced a) {
            return a.token();
        } else if (e instanceof MptcpEvent.AddressRemoved a) {
            return a.token();
        }
        return null;
    }
}
