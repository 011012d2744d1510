package io.mptcp.examples;

import io.mptcp.nio.MptcpSelectorProvider;
import io.mptcp.nio.MptcpToken;
import io.mptcp.nio.pm.EventSource;
import io.mptcp.nio.pm.MptcpEvent;
import io.mptcp.nio.pm.MptcpEventChannel;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.spi.SelectorProvider;
import java.time.Duration;
import java.util.Locale;

/**
 * {@code ip mptcp monitor} in Java: prints every MPTCP event of this network namespace, and
 * link and local-address changes, from an event channel served by a selector loop, one line
 * per event in {@code ip mptcp monitor}'s words.
 *
 * <pre>
 * EventMonitor [--snapshot] [--token HEX] [--count N]
 *   --snapshot   use snapshots of this JVM's own connections, as an unprivileged process must
 *   --token HEX  only the events of that connection (as ss -M or MPTCP_TOKEN print it)
 *   --count N    exit after N events
 * </pre>
 *
 * Run it with {@code -Djava.nio.channels.spi.SelectorProvider=io.mptcp.nio.MptcpSelectorProvider};
 * under another provider it says so and exits with status 2. Without {@code CAP_NET_ADMIN} it
 * says why and falls back to snapshots (which see only this JVM's connections).
 */
public final class EventMonitor {
    private EventMonitor() {
    }

    public static void main(String[] args) throws Exception {
        if (!(SelectorProvider.provider() instanceof MptcpSelectorProvider)) {
            System.err.println("EventMonitor needs -Djava.nio.channels.spi.SelectorProvider="
                    + MptcpSelectorProvider.class.getName());
            System.exit(2);
        }
        MptcpEventChannel.Options options = MptcpEventChannel.Options.DEFAULT;
        long count = Long.MAX_VALUE;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--snapshot" -> options = options.source(EventSource.SNAPSHOT)
                        .snapshotInterval(Duration.ofMillis(50));
                case "--token" -> options = options.connection(
                        new MptcpToken(Long.parseLong(args[++i], 16)));
                case "--count" -> count = Long.parseLong(args[++i]);
                default -> {
                    System.err.println("usage: EventMonitor [--snapshot] [--token HEX]"
                            + " [--count N]");
                    System.exit(2);
                }
            }
        }
        try (MptcpEventChannel events = MptcpEventChannel.open(options);
                Selector selector = Selector.open()) {
            events.netlinkRefusal().ifPresent(why -> System.err.println(
                    "no netlink events (" + why.getMessage() + "); using snapshots"));
            System.out.println("monitoring (source " + events.source() + ")");
            System.out.flush();
            events.configureBlocking(false);
            events.register(selector, SelectionKey.OP_READ);
            while (count > 0) {
                selector.select();
                selector.selectedKeys().clear();
                for (MptcpEvent e = events.receive(); e != null && count > 0;
                        e = events.receive()) {
                    System.out.println(format(e));
                    System.out.flush();
                    count--;
                }
            }
        }
    }

    /**
     * One event as {@code ip mptcp monitor} would print it.
     *
     * @param e the event
     * @return one line, without its end
     */
    public static String format(MptcpEvent e) {
        StringBuilder b = new StringBuilder();
        if (e instanceof MptcpEvent.ConnectionCreated c) {
            connection(name(b, "CREATED"), c.token(), c.local(), c.remote(), c.serverSide());
        } else if (e instanceof MptcpEvent.ConnectionEstablished c) {
            connection(name(b, "ESTABLISHED"), c.token(), c.local(), c.remote(),
                    c.serverSide());
        } else if (e instanceof MptcpEvent.ConnectionClosed c) {
            name(b, "CLOSED");
            b.append(" token=").append(token(c.token()));
        } else if (e instanceof MptcpEvent.AddressAnnounced a) {
            name(b, "ANNOUNCED");
            b.append(" token=").append(token(a.token())).append(" remid=").append(a.remoteId());
            address(b, "d", a.address().getAddress());
            b.append(" dport=").append(a.address().getPort());
        } else if (e instanceof MptcpEvent.AddressRemoved a) {
            name(b, "REMOVED");
            b.append(" token=").append(token(a.token())).append(" remid=").append(a.remoteId());
        } else if (e instanceof MptcpEvent.SubflowEstablished s) {
            subflow(name(b, "SF_ESTABLISHED"), s.token(), s.remoteId(), s.localId(), s.local(),
                    s.remote(), s.backup());
            s.interfaceIndex().ifPresent(i -> b.append(" ifindex=").append(i));
        } else if (e instanceof MptcpEvent.SubflowClosed s) {
            subflow(name(b, "SF_CLOSED"), s.token(), s.remoteId(), s.localId(), s.local(),
                    s.remote(), s.backup());
            s.error().ifPresent(x -> b.append(" error=").append(x));
            s.interfaceIndex().ifPresent(i -> b.append(" ifindex=").append(i));
            s.resetReason().ifPresent(r -> b.append(" reset_reason=").append(r));
            s.resetFlags().ifPresent(r -> b.append(" reset_flags=0x")
                    .append(Long.toHexString(r)));
        } else if (e instanceof MptcpEvent.SubflowPriority s) {
            subflow(name(b, "SF_PRIO"), s.token(), s.remoteId(), s.localId(), s.local(),
                    s.remote(), s.backup());
        } else if (e instanceof MptcpEvent.ListenerCreated l) {
            listener(name(b, "LISTENER_CREATED"), l.address());
        } else if (e instanceof MptcpEvent.ListenerClosed l) {
            listener(name(b, "LISTENER_CLOSED"), l.address());
        } else if (e instanceof MptcpEvent.LinkUp l) {
            name(b, "LINK_UP").append(" ifindex=").append(l.interfaceIndex())
                    .append(l.name().map(n -> " dev=" + n).orElse(""));
        } else if (e instanceof MptcpEvent.LinkDown l) {
            name(b, "LINK_DOWN").append(" ifindex=").append(l.interfaceIndex())
                    .append(l.name().map(n -> " dev=" + n).orElse(""));
        } else if (e instanceof MptcpEvent.LocalAddressAdded a) {
            name(b, "ADDR_ADDED").append(" ifindex=").append(a.interfaceIndex())
                    .append(" addr=").append(a.address().getHostAddress()).append('/')
                    .append(a.prefixLength());
        } else if (e instanceof MptcpEvent.LocalAddressRemoved a) {
            name(b, "ADDR_REMOVED").append(" ifindex=").append(a.interfaceIndex())
                    .append(" addr=").append(a.address().getHostAddress()).append('/')
                    .append(a.prefixLength());
        } else if (e instanceof MptcpEvent.EventsLost l) {
            name(b, "EVENTS_LOST").append(" group=").append(l.group());
        } else if (e instanceof MptcpEvent.Unknown u) {
            name(b, "UNKNOWN " + u.type()).append(" attributes=").append(u.attributes().size());
        }
        if (e.source() == EventSource.SNAPSHOT) {
            b.append(" (snapshot)");
        }
        return b.toString();
    }

    private static StringBuilder name(StringBuilder b, String name) {
        return b.append(String.format(Locale.ROOT, "[%14s]", name));
    }

    private static String token(MptcpToken t) {
        return String.format(Locale.ROOT, "%08x", t.value());
    }

    private static void connection(StringBuilder b, MptcpToken token, InetSocketAddress local,
            InetSocketAddress remote, boolean serverSide) {
        b.append(" token=").append(token(token)).append(" remid=0 locid=0");
        address(b, "s", local.getAddress());
        address(b, "d", remote.getAddress());
        b.append(" sport=").append(local.getPort()).append(" dport=").append(remote.getPort());
        if (serverSide) {
            b.append(" flags=2");
        }
    }

    private static void subflow(StringBuilder b, MptcpToken token, int remoteId, int localId,
            InetSocketAddress local, InetSocketAddress remote, boolean backup) {
        b.append(" token=").append(token(token)).append(" remid=").append(remoteId)
                .append(" locid=").append(localId);
        address(b, "s", local.getAddress());
        address(b, "d", remote.getAddress());
        b.append(" sport=").append(local.getPort()).append(" dport=").append(remote.getPort())
                .append(" backup=").append(backup ? 1 : 0);
    }

    private static void listener(StringBuilder b, InetSocketAddress address) {
        address(b, "s", address.getAddress());
        b.append(" sport=").append(address.getPort());
    }

    private static void address(StringBuilder b, String side, InetAddress a) {
        b.append(' ').append(side).append("addr").append(a.getAddress().length == 4 ? '4' : '6')
                .append('=').append(a.getHostAddress());
    }
}
