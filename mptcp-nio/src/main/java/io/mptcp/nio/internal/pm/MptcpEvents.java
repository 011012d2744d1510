package io.mptcp.nio.internal.pm;

import io.mptcp.nio.MptcpToken;
import io.mptcp.nio.internal.netlink.MptcpPm;
import io.mptcp.nio.internal.netlink.NlAttr;
import io.mptcp.nio.internal.netlink.PmEvent;
import io.mptcp.nio.internal.netlink.RtAddress;
import io.mptcp.nio.internal.netlink.RtLink;
import io.mptcp.nio.internal.netlink.RtNetlink;
import io.mptcp.nio.pm.EventSource;
import io.mptcp.nio.pm.MptcpEvent;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * Maps decoded netlink messages to {@link MptcpEvent}s. Never throws for what the kernel sent:
 * an event type it does not know, or a known type that lacks an attribute the record needs,
 * becomes {@link MptcpEvent.Unknown} with every raw attribute.
 */
public final class MptcpEvents {
    private static final int ABSENT = PmEvent.ABSENT;

    private MptcpEvents() {
    }

    /** The event for one message of the {@code mptcp_pm_events} group. */
    public static MptcpEvent fromPm(PmEvent e, EventSource source) {
        MptcpEvent mapped = switch (e.type()) {
            case MptcpPm.MPTCP_EVENT_CREATED, MptcpPm.MPTCP_EVENT_ESTABLISHED -> connection(e,
                    source);
            case MptcpPm.MPTCP_EVENT_CLOSED -> e.token() == ABSENT ? null
                    : new MptcpEvent.ConnectionClosed(source, new MptcpToken(e.token()));
            case MptcpPm.MPTCP_EVENT_ANNOUNCED -> announced(e, source);
            case MptcpPm.MPTCP_EVENT_REMOVED -> e.token() == ABSENT || e.remoteId() == ABSENT
                    ? null
                    : new MptcpEvent.AddressRemoved(source, new MptcpToken(e.token()),
                            e.remoteId());
            case MptcpPm.MPTCP_EVENT_SUB_ESTABLISHED, MptcpPm.MPTCP_EVENT_SUB_CLOSED,
                    MptcpPm.MPTCP_EVENT_SUB_PRIORITY -> subflow(e, source);
            case MptcpPm.MPTCP_EVENT_LISTENER_CREATED, MptcpPm.MPTCP_EVENT_LISTENER_CLOSED ->
                    listener(e, source);
            default -> null;
        };
        return mapped != null ? mapped : unknown(e, source);
    }

    /**
     * The event for an {@code RTM_NEWADDR}/{@code RTM_DELADDR}, or empty when it carries no
     * address (the kernel always sends one).
     */
    public static Optional<MptcpEvent> fromAddress(RtAddress a, EventSource source) {
        Optional<InetAddress> address = a.localAddress();
        if (address.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(a.type() == RtNetlink.RTM_NEWADDR
                ? new MptcpEvent.LocalAddressAdded(source, a.index(), address.get(),
                        a.prefixLength(), a.label())
                : new MptcpEvent.LocalAddressRemoved(source, a.index(), address.get(),
                        a.prefixLength(), a.label()));
    }

    /**
     * The event for an {@code RTM_NEWLINK}/{@code RTM_DELLINK}: {@link MptcpEvent.LinkUp} when
     * up, running and with carrier, else {@link MptcpEvent.LinkDown}. The kernel sends
     * RTM_NEWLINK for other changes too, so consecutive events may repeat a state.
     */
    public static MptcpEvent fromLink(RtLink l, EventSource source) {
        return l.isUp() ? new MptcpEvent.LinkUp(source, l.index(), l.name())
                : new MptcpEvent.LinkDown(source, l.index(), l.name());
    }

    private static MptcpEvent connection(PmEvent e, EventSource source) {
        InetSocketAddress local = socket(e.source(), e.sourcePort());
        InetSocketAddress remote = socket(e.destination(), e.destinationPort());
        if (e.token() == ABSENT || local == null || remote == null) {
            return null;
        }
        // SERVER_SIDE (5.19, deprecated) or the FLAGS bit that replaced it (6.18).
        boolean server = e.serverSide() == 1
                || e.flags() != ABSENT && (e.flags() & MptcpPm.MPTCP_PM_EV_FLAG_SERVER_SIDE) != 0;
        MptcpToken token = new MptcpToken(e.token());
        return e.type() == MptcpPm.MPTCP_EVENT_CREATED
                ? new MptcpEvent.ConnectionCreated(source, token, local, remote, server)
                : new MptcpEvent.ConnectionEstablished(source, token, local, remote, server);
    }

    private static MptcpEvent announced(PmEvent e, EventSource source) {
        InetSocketAddress address = socket(e.destination(),
                e.destinationPort() == ABSENT ? 0 : e.destinationPort());
        if (e.token() == ABSENT || e.remoteId() == ABSENT || address == null) {
            return null;
        }
        return new MptcpEvent.AddressAnnounced(source, new MptcpToken(e.token()), e.remoteId(),
                address);
    }

    private static MptcpEvent subflow(PmEvent e, EventSource source) {
        InetSocketAddress local = socket(e.source(), e.sourcePort());
        InetSocketAddress remote = socket(e.destination(), e.destinationPort());
        if (e.token() == ABSENT || local == null || remote == null || e.localId() == ABSENT
                || e.remoteId() == ABSENT) {
            return null;
        }
        MptcpToken token = new MptcpToken(e.token());
        boolean backup = e.backup() > 0;
        OptionalInt ifIndex = optional(e.ifIndex());
        return switch (e.type()) {
            case MptcpPm.MPTCP_EVENT_SUB_ESTABLISHED -> new MptcpEvent.SubflowEstablished(source,
                    token, local, remote, e.localId(), e.remoteId(), backup, ifIndex);
            case MptcpPm.MPTCP_EVENT_SUB_PRIORITY -> new MptcpEvent.SubflowPriority(source,
                    token, local, remote, e.localId(), e.remoteId(), backup, ifIndex);
            default -> new MptcpEvent.SubflowClosed(source, token, local, remote, e.localId(),
                    e.remoteId(), backup, ifIndex, optional(e.error()),
                    optional(e.resetReason()), optional(e.resetFlags()));
        };
    }

    private static MptcpEvent listener(PmEvent e, EventSource source) {
        InetSocketAddress address = socket(e.source(), e.sourcePort());
        if (address == null) {
            return null;
        }
        return e.type() == MptcpPm.MPTCP_EVENT_LISTENER_CREATED
                ? new MptcpEvent.ListenerCreated(source, address)
                : new MptcpEvent.ListenerClosed(source, address);
    }

    private static MptcpEvent.Unknown unknown(PmEvent e, EventSource source) {
        List<MptcpEvent.Unknown.Attribute> raw = new ArrayList<>();
        for (NlAttr a : e.attributes().all()) {
            raw.add(new MptcpEvent.Unknown.Attribute(a.type(), a.isNested(),
                    ByteBuffer.wrap(a.bytes())));
        }
        return new MptcpEvent.Unknown(source, e.type(), raw);
    }

    /** The socket address, or null without an address or port. */
    private static InetSocketAddress socket(Optional<InetAddress> address, int port) {
        return address.isEmpty() || port == ABSENT ? null
                : new InetSocketAddress(address.get(), port);
    }

    private static OptionalInt optional(int value) {
        return value == ABSENT ? OptionalInt.empty() : OptionalInt.of(value);
    }

    private static OptionalLong optional(long value) {
        return value == ABSENT ? OptionalLong.empty() : OptionalLong.of(value);
    }
}
