package io.mptcp.nio.internal.pm;

import io.mptcp.ffi.Errno;
import io.mptcp.ffi.ErrnoException;
import io.mptcp.ffi.LinuxSyscalls;
import io.mptcp.ffi.LinuxUapi;
import io.mptcp.ffi.NetlinkUapi;
import io.mptcp.nio.MptcpSelectorProvider;
import io.mptcp.nio.MptcpToken;
import io.mptcp.nio.internal.ChannelFactory;
import io.mptcp.nio.internal.OwnedConnections;
import io.mptcp.nio.internal.fd.ChannelOwner;
import io.mptcp.nio.internal.fd.Descriptor;
import io.mptcp.nio.internal.fd.NioExceptions;
import io.mptcp.nio.internal.netlink.GenlFamily;
import io.mptcp.nio.internal.netlink.GenlMessage;
import io.mptcp.nio.internal.netlink.MptcpPm;
import io.mptcp.nio.internal.netlink.NetlinkMessage;
import io.mptcp.nio.internal.netlink.PmEvent;
import io.mptcp.nio.internal.netlink.RtAddress;
import io.mptcp.nio.internal.netlink.RtLink;
import io.mptcp.nio.internal.netlink.RtNetlink;
import io.mptcp.nio.internal.select.NativeChannel;
import io.mptcp.nio.pm.EventSource;
import io.mptcp.nio.pm.MptcpEvent;
import io.mptcp.nio.pm.MptcpEventChannel;

import java.io.IOException;
import java.nio.channels.SelectionKey;
import java.nio.channels.spi.SelectorProvider;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

import static io.mptcp.ffi.LinuxUapi.EPOLLERR;
import static io.mptcp.ffi.LinuxUapi.EPOLLHUP;
import static io.mptcp.ffi.LinuxUapi.EPOLLIN;
import static io.mptcp.ffi.LinuxUapi.POLLIN;

/**
 * The event channel. Its descriptor, the one selectors and blocking receives wait on, is an
 * epoll set of its own holding up to three descriptors: the {@code mptcp_pm_events}
 * subscription, the rtnetlink subscription, and an eventfd that is readable while decoded
 * events wait in {@link #queue} (a datagram can hold several; the snapshot thread adds its
 * own). An epoll descriptor is readable exactly when one of its members is, so the channel's
 * readiness reflects every source with one descriptor, which is what a
 * {@code SelectableChannel} has.
 *
 * <p>Life cycle as the pipe's ({@link Descriptor}); the member descriptors are closed when the
 * epoll descriptor is released ({@link Descriptor.CloseSteps#released}), never while a
 * receive may still use them.
 */
public final class EventChannelImpl extends MptcpEventChannel implements NativeChannel {
    private static final String PM_GROUP = MptcpPm.MPTCP_PM_EV_GRP_NAME;
    private static final String ROUTE_GROUP = "rtnetlink";
    private static final int MAX_DRAIN = 10_000;

    private final LinuxSyscalls sys;
    private final Options options;
    private final Descriptor descriptor;
    private final EventSource source;
    private final IOException refusal;
    private final int pmFamily;

    // members of the epoll set; null when not used. Used under the read lock only.
    private final NetlinkSocket pmEvents;
    private final NetlinkSocket routeEvents;
    private final NetlinkSocket routeDumps;
    private final int wakeFd;

    // decoded events not yet received; the snapshot thread adds to it too
    private final ConcurrentLinkedQueue<MptcpEvent> queue = new ConcurrentLinkedQueue<>();
    // whether wakeFd may be signalled (see signal/unsignal)
    private final AtomicBoolean signalled = new AtomicBoolean();
    // guards wakeFd against the snapshot thread writing to it after release
    private final Object wakeLock = new Object();
    private boolean wakeClosed;

    // what the application was told; guarded by stateOf (the receiver or the snapshot thread)
    private final ConnectionState connections = new ConnectionState();
    private final RouteState routes = new RouteState();
    private final Object stateOf = new Object();

    private final Thread snapshots;
    private volatile boolean stopping;

    private EventChannelImpl(SelectorProvider provider, LinuxSyscalls sys, Options options,
            int epfd, Members m) {
        super(provider);
        this.sys = sys;
        this.options = options;
        this.source = m.source;
        this.refusal = m.refusal;
        this.pmFamily = m.pmFamily;
        this.pmEvents = m.pmEvents;
        this.routeEvents = m.routeEvents;
        this.routeDumps = m.routeDumps;
        this.wakeFd = m.wakeFd;
        this.descriptor = new Descriptor(new ChannelOwner(this, this::begin, this::end), sys,
                epfd, new Steps());
        this.snapshots = source == EventSource.SNAPSHOT ? new Thread(this::snapshotLoop,
                "mptcp-nio-event-snapshots") : null;
    }

    /** What open() assembles before the channel exists (closed by it on failure). */
    private static final class Members {
        EventSource source = EventSource.NETLINK;
        IOException refusal;
        int pmFamily = -1;
        NetlinkSocket pmEvents;
        NetlinkSocket routeEvents;
        NetlinkSocket routeDumps;
        int wakeFd = -1;

        void close(LinuxSyscalls sys, Throwable failure) {
            for (NetlinkSocket s : new NetlinkSocket[] {pmEvents, routeEvents, routeDumps}) {
                if (s != null) {
                    try {
                        s.close();
                    } catch (IOException e) {
                        failure.addSuppressed(e);
                    }
                }
            }
            if (wakeFd >= 0) {
                closeFd(sys, wakeFd, failure);
            }
        }
    }

    /** {@code MptcpEventChannel.open(provider, options)}. */
    public static EventChannelImpl open(MptcpSelectorProvider provider, Options options)
            throws IOException {
        ChannelFactory factory = ChannelFactory.of(provider);
        LinuxSyscalls sys = factory.syscalls();
        Members m = new Members();
        int epfd = -1;
        try {
            epfd = sys.epollCreate();
            m.wakeFd = sys.eventfd(0, LinuxUapi.EFD_NONBLOCK | LinuxUapi.EFD_CLOEXEC);
            sys.epollCtl(epfd, LinuxUapi.EPOLL_CTL_ADD, m.wakeFd, EPOLLIN);
            subscribePm(sys, options, m);
            if (options.localEvents()) {
                m.routeEvents = NetlinkSocket.open(sys, NetlinkUapi.NETLINK_ROUTE, ROUTE_GROUP);
                m.routeEvents.join(NetlinkUapi.RTNLGRP_LINK);
                m.routeEvents.join(NetlinkUapi.RTNLGRP_IPV4_IFADDR);
                m.routeEvents.join(NetlinkUapi.RTNLGRP_IPV6_IFADDR);
                bufferSize(m.routeEvents, options);
                m.routeDumps = NetlinkSocket.open(sys, NetlinkUapi.NETLINK_ROUTE, ROUTE_GROUP);
                sys.epollCtl(epfd, LinuxUapi.EPOLL_CTL_ADD, m.routeEvents.fd(), EPOLLIN);
            }
            if (m.pmEvents != null) {
                sys.epollCtl(epfd, LinuxUapi.EPOLL_CTL_ADD, m.pmEvents.fd(), EPOLLIN);
            }
        } catch (ErrnoException e) {
            IOException mapped = NioExceptions.socket(e);
            fail(sys, m, epfd, mapped);
            throw mapped;
        } catch (IOException | RuntimeException | Error e) {
            fail(sys, m, epfd, e);
            throw e;
        }
        EventChannelImpl ch = new EventChannelImpl(provider, sys, options, epfd, m);
        try {
            ch.seed();
        } catch (IOException | RuntimeException e) {
            try {
                ch.close();
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
        if (ch.snapshots != null) {
            ch.snapshots.setDaemon(true);
            ch.snapshots.start();
        }
        return ch;
    }

    private static void fail(LinuxSyscalls sys, Members m, int epfd, Throwable failure) {
        m.close(sys, failure);
        if (epfd >= 0) {
            closeFd(sys, epfd, failure);
        }
    }

    /**
     * Subscribes to {@code mptcp_pm_events} unless the options ask for snapshots; where the
     * kernel refuses or lacks the group, falls back to snapshots (or fails, if the options
     * insist on netlink).
     */
    private static void subscribePm(LinuxSyscalls sys, Options options, Members m)
            throws IOException {
        if (options.source().equals(Optional.of(EventSource.SNAPSHOT))) {
            m.source = EventSource.SNAPSHOT;
            return;
        }
        boolean insist = options.source().isPresent();
        PmFeatures features;
        try (PmClient client = PmClient.open(sys)) {
            features = client.features();
        }
        Optional<String> why = features.whyUnavailable(PmFeatures.Feature.EVENTS);
        if (why.isPresent()) {
            if (insist) {
                throw new UnsupportedOperationException(why.get());
            }
            m.source = EventSource.SNAPSHOT;
            m.refusal = new IOException(why.get());
            return;
        }
        GenlFamily family = features.family().orElseThrow();
        m.pmFamily = family.id();
        m.pmEvents = NetlinkSocket.open(sys, NetlinkUapi.NETLINK_GENERIC, PM_GROUP);
        try {
            m.pmEvents.join(family.group(PM_GROUP).getAsInt());
        } catch (ErrnoException e) {
            IOException refused = PmClient.failure(PM_GROUP + " subscription", e);
            m.pmEvents.close();
            m.pmEvents = null;
            if (insist || e.errno() != Errno.EPERM) {
                throw refused;
            }
            m.source = EventSource.SNAPSHOT;
            m.refusal = refused;
            return;
        }
        bufferSize(m.pmEvents, options);
    }

    private static void bufferSize(NetlinkSocket s, Options options) throws ErrnoException {
        if (options.receiveBufferBytes() > 0) {
            s.receiveBuffer(options.receiveBufferBytes());
        }
    }

    /** What the application knows at the start: nothing new, but the baseline for recovery. */
    private void seed() throws IOException {
        synchronized (stateOf) {
            connections.diff(ConnectionState.take(OwnedConnections.snapshot()));
            if (routeDumps != null) {
                routes.diff(PmClient.dumpLinks(routeDumps), PmClient.dumpAddresses(routeDumps));
            }
        }
    }

    // ---- the public side --------------------------------------------------------------------

    @Override
    public EventSource source() {
        return source;
    }

    @Override
    public Optional<IOException> netlinkRefusal() {
        return Optional.ofNullable(refusal);
    }

    @Override
    public Options options() {
        return options;
    }

    @Override
    public MptcpEvent receive() throws IOException {
        descriptor.lockRead();
        try {
            descriptor.ensureOpen();
            boolean blocking = isBlocking();
            MptcpEvent e = null;
            try {
                if (blocking) {
                    descriptor.begin(Descriptor.Op.READ, true);
                }
                e = receiveOnce();
                while (blocking && e == null && isOpen()) {
                    descriptor.parkRaw(POLLIN, 0);
                    e = receiveOnce();
                }
            } catch (ErrnoException x) {
                throw NioExceptions.io(x);
            } finally {
                descriptor.end(Descriptor.Op.READ, blocking, e != null);
            }
            return e;
        } finally {
            descriptor.unlockRead();
        }
    }

    /** The next queued event, reading what the kernel has queued when there is none. */
    private MptcpEvent receiveOnce() throws IOException {
        MptcpEvent e = queue.poll();
        while (e == null) {
            boolean read = false;
            if (pmEvents != null) {
                read |= drain(pmEvents, PM_GROUP);
            }
            if (routeEvents != null) {
                read |= drain(routeEvents, ROUTE_GROUP);
            }
            e = queue.poll();
            if (!read) {
                break;
            }
        }
        if (queue.isEmpty()) {
            unsignal();
        } else {
            signal();
        }
        return e;
    }

    /**
     * Receives one datagram of {@code s} into the queue, or on overrun the loss and what the
     * recovery found.
     *
     * @return whether there was a datagram (or an overrun)
     */
    private boolean drain(NetlinkSocket s, String group) throws IOException {
        List<NetlinkMessage> datagram;
        try {
            datagram = s.receive();
        } catch (ErrnoException x) {
            if (x.errno() != Errno.ENOBUFS) {
                throw x;
            }
            recover(s, group);
            return true;
        }
        if (datagram == null) {
            return false;
        }
        deliver(s, datagram);
        return true;
    }

    private void deliver(NetlinkSocket s, List<NetlinkMessage> datagram) throws IOException {
        for (NetlinkMessage m : datagram) {
            MptcpEvent e = decode(s == pmEvents, m);
            if (e != null) {
                synchronized (stateOf) {
                    connections.apply(e);
                    routes.apply(e);
                }
                offer(e);
            }
        }
    }

    /**
     * After an overrun of {@code group}: say so, deliver what is still queued (it predates
     * the state read next), then compare the present state with what was delivered.
     */
    private void recover(NetlinkSocket s, String group) throws IOException {
        offer(new MptcpEvent.EventsLost(EventSource.NETLINK, group));
        // Bounded, in case a flood keeps the queue from ever emptying: the state read below
        // covers whatever is left.
        for (int i = 0; i < MAX_DRAIN; i++) {
            List<NetlinkMessage> datagram;
            try {
                datagram = s.receive();
            } catch (ErrnoException x) {
                if (x.errno() != Errno.ENOBUFS) {
                    throw x;
                }
                continue;
            }
            if (datagram == null) {
                break;
            }
            deliver(s, datagram);
        }
        List<MptcpEvent> found;
        synchronized (stateOf) {
            if (group.equals(ROUTE_GROUP)) {
                found = routes.diff(PmClient.dumpLinks(routeDumps),
                        PmClient.dumpAddresses(routeDumps));
            } else {
                found = connections.diff(ConnectionState.take(OwnedConnections.snapshot()));
            }
        }
        for (MptcpEvent e : found) {
            offer(e);
        }
    }

    /** The event of {@code m}, or null for what is no event (a NOOP, a foreign family). */
    private MptcpEvent decode(boolean pm, NetlinkMessage m) throws IOException {
        int type = m.header().type();
        if (pm) {
            if (type != pmFamily) {
                return null;
            }
            return MptcpEvents.fromPm(PmEvent.decode(GenlMessage.decode(m)), EventSource.NETLINK);
        }
        // Dispatch by socket: RTM_NEWLINK (16) is also the generic controller's id.
        switch (type) {
            case RtNetlink.RTM_NEWLINK, RtNetlink.RTM_DELLINK:
                return MptcpEvents.fromLink(RtLink.decode(m), EventSource.NETLINK);
            case RtNetlink.RTM_NEWADDR, RtNetlink.RTM_DELADDR:
                return MptcpEvents.fromAddress(RtAddress.decode(m), EventSource.NETLINK)
                        .orElse(null);
            default:
                // NLMSG_NOOP and anything else a subscription may carry: no event.
                return null;
        }
    }

    /** Queues {@code e} if the channel's filter lets it through. */
    private void offer(MptcpEvent e) {
        if (passes(e)) {
            queue.add(e);
        }
    }

    private boolean passes(MptcpEvent e) {
        Optional<MptcpToken> only = options.connection();
        if (only.isEmpty() || e instanceof MptcpEvent.EventsLost) {
            return true;
        }
        return token(e).map(only.get()::equals).orElse(false);
    }

    /** The connection an event is about, if it is about one. */
    static Optional<MptcpToken> token(MptcpEvent e) {
        if (e instanceof MptcpEvent.ConnectionCreated c) {
            return Optional.of(c.token());
        } else if (e instanceof MptcpEvent.ConnectionEstablished c) {
            return Optional.of(c.token());
        } else if (e instanceof MptcpEvent.ConnectionClosed c) {
            return Optional.of(c.token());
        } else if (e instanceof MptcpEvent.AddressAnnounced a) {
            return Optional.of(a.token());
        } else if (e instanceof MptcpEvent.AddressRemoved a) {
            return Optional.of(a.token());
        } else if (e instanceof MptcpEvent.SubflowEstablished s) {
            return Optional.of(s.token());
        } else if (e instanceof MptcpEvent.SubflowClosed s) {
            return Optional.of(s.token());
        } else if (e instanceof MptcpEvent.SubflowPriority s) {
            return Optional.of(s.token());
        }
        return Optional.empty();
    }

    // The eventfd is signalled whenever the queue may be non-empty: producers add, then
    // signal; the receiver, finding the queue empty, resets it and looks again.

    private void signal() throws IOException {
        if (signalled.compareAndSet(false, true)) {
            synchronized (wakeLock) {
                if (!wakeClosed) {
                    sys.eventfdWrite(wakeFd, 1);
                }
            }
        }
    }

    private void unsignal() throws IOException {
        if (signalled.get()) {
            signalled.set(false);
            synchronized (wakeLock) {
                if (!wakeClosed) {
                    sys.eventfdRead(wakeFd);
                }
            }
            if (!queue.isEmpty()) {
                signal();
            }
        }
    }

    // ---- the snapshot source ----------------------------------------------------------------

    private void snapshotLoop() {
        long interval = options.snapshotInterval().toNanos();
        while (!stopping) {
            try {
                List<MptcpEvent> found;
                synchronized (stateOf) {
                    found = connections.diff(ConnectionState.take(OwnedConnections.snapshot()));
                }
                boolean any = false;
                for (MptcpEvent e : found) {
                    if (passes(e)) {
                        queue.add(e);
                        any = true;
                    }
                }
                if (any) {
                    signal();
                }
                LockSupport.parkNanos(this, interval);
            } catch (IOException | RuntimeException e) {
                if (stopping) {
                    return;
                }
                // The next round tries again; a snapshot cannot fail for good.
                LockSupport.parkNanos(this, interval);
            }
        }
    }

    // ---- selector and close -----------------------------------------------------------------

    private final class Steps implements Descriptor.CloseSteps {
        @Override
        public void closing() {
            stopping = true;
            if (snapshots != null) {
                LockSupport.unpark(snapshots);
            }
        }

        @Override
        public void released() {
            synchronized (wakeLock) {
                wakeClosed = true;
            }
            for (NetlinkSocket s : new NetlinkSocket[] {pmEvents, routeEvents, routeDumps}) {
                if (s != null) {
                    try {
                        s.close();
                    } catch (IOException ignore) {
                        // Released anyway (close(2) frees the descriptor even when it fails).
                    }
                }
            }
            closeFd(sys, wakeFd, null);
        }
    }

    private static void closeFd(LinuxSyscalls sys, int fd, Throwable failure) {
        try {
            sys.close(fd);
        } catch (ErrnoException e) {
            if (failure != null) {
                failure.addSuppressed(e);
            }
        }
    }

    @Override
    protected void implConfigureBlocking(boolean block) throws IOException {
        // Every member stays non-blocking; only wait for an operation in progress.
        descriptor.withAllLocks(() -> null);
    }

    @Override
    protected void implCloseSelectableChannel() throws IOException {
        descriptor.close();
    }

    @Override
    public void kill() throws IOException {
        descriptor.kill();
    }

    @Override
    public int fdVal() {
        return descriptor.fd();
    }

    @Override
    public int translateInterestOps(int ops) {
        return (ops & SelectionKey.OP_READ) != 0 ? EPOLLIN : 0;
    }

    @Override
    public int translateReadyOps(int events, int interestOps) {
        if ((events & (EPOLLERR | EPOLLHUP)) != 0) {
            return interestOps;
        }
        return (events & EPOLLIN) != 0 ? interestOps & SelectionKey.OP_READ : 0;
    }

    @Override
    public String toString() {
        return "MptcpEventChannel[" + source + (options.connection().isPresent()
                ? ", connection " + options.connection().get() : "") + ", fd "
                + descriptor.fd() + (isOpen() ? "" : ", closed") + "]";
    }
}
