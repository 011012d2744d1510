package io.mptcp.nio.pm;

import io.mptcp.nio.MptcpToken;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * Something the path manager or the network did: a connection or subflow came or went, the
 * peer announced or removed an address, a listener opened or closed, a local address or a link
 * changed. Connection and subflow events name their connection by its local
 * {@link MptcpToken}; events are per network namespace and cover every connection in it.
 *
 * <p>Addresses of subflow events are {@code local} (this host) and {@code remote} (the peer),
 * whichever side opened the subflow. Ids are MPTCP address ids (0 for the addresses of the
 * initial subflow), not the subflow ids of {@code MPTCP_FULL_INFO}. See the package
 * documentation for how the records may grow.
 */
public sealed interface MptcpEvent {

    /**
     * How this event was obtained.
     *
     * @return the source: the kernel's netlink message, or a comparison of snapshots
     */
    EventSource source();

    /**
     * An MPTCP connection was created (SYN sent or received); {@link ConnectionEstablished}
     * follows once it is fully established.
     *
     * @param source how it was obtained
     * @param token the connection
     * @param local this host's address of the initial subflow
     * @param remote the peer's address of the initial subflow
     * @param serverSide whether this host accepted the connection (from Linux 5.19)
     */
    record ConnectionCreated(EventSource source, MptcpToken token, InetSocketAddress local,
            InetSocketAddress remote, boolean serverSide) implements MptcpEvent {
    }

    /**
     * An MPTCP connection is fully established: from now on subflows can be added.
     *
     * @param source how it was obtained
     * @param token the connection
     * @param local this host's address of the initial subflow
     * @param remote the peer's address of the initial subflow
     * @param serverSide whether this host accepted the connection (from Linux 5.19)
     */
    record ConnectionEstablished(EventSource source, MptcpToken token, InetSocketAddress local,
            InetSocketAddress remote, boolean serverSide) implements MptcpEvent {
    }

    /**
     * An MPTCP connection was closed (its subflows close without events of their own).
     *
     * @param source how it was obtained
     * @param token the connection
     */
    record ConnectionClosed(EventSource source, MptcpToken token) implements MptcpEvent {
    }

    /**
     * The peer announced an address (ADD_ADDR).
     *
     * @param source how it was obtained
     * @param token the connection
     * @param remoteId the peer's id of the address
     * @param address the address; its port is the announced one, or, when none was announced,
     *     the remote port of the subflow the announcement arrived on (as the kernel reports it)
     */
    record AddressAnnounced(EventSource source, MptcpToken token, int remoteId,
            InetSocketAddress address) implements MptcpEvent {
    }

    /**
     * The peer removed an address (RM_ADDR).
     *
     * @param source how it was obtained
     * @param token the connection
     * @param remoteId the peer's id of the removed address
     */
    record AddressRemoved(EventSource source, MptcpToken token, int remoteId)
            implements MptcpEvent {
    }

    /**
     * A subflow was established. The kernel's word for it: a subflow the peer then rejects
     * can still close right after, so confirm with the connection's subflow list.
     *
     * @param source how it was obtained
     * @param token the connection
     * @param local this host's end
     * @param remote the peer's end
     * @param localId the local address id
     * @param remoteId the remote address id
     * @param backup the backup flag as the <em>peer</em> set it (its MP_JOIN or MP_PRIO), not
     *     this host's own choice, which the kernel does not report
     * @param interfaceIndex the interface the subflow is bound to, if it is bound
     */
    record SubflowEstablished(EventSource source, MptcpToken token, InetSocketAddress local,
            InetSocketAddress remote, int localId, int remoteId, boolean backup,
            OptionalInt interfaceIndex) implements MptcpEvent {
    }

    /**
     * A subflow was closed while its connection stays open, or failed to open (a refused join
     * reports {@code error} 111, ECONNREFUSED, some time after it was requested).
     *
     * @param source how it was obtained
     * @param token the connection
     * @param local this host's end
     * @param remote the peer's end
     * @param localId the local address id
     * @param remoteId the remote address id
     * @param backup the backup flag as the <em>peer</em> set it
     * @param interfaceIndex the interface the subflow was bound to, if it was bound
     * @param error the subflow's socket error (an errno), if it had one
     * @param resetReason the MP_TCPRST reason (RFC 8684 3.6, {@code MPTCP_RST_*}) if the peer
     *     reset the subflow with one
     * @param resetFlags the MP_TCPRST flags (bit 0: transient) with {@code resetReason}
     */
    record SubflowClosed(EventSource source, MptcpToken token, InetSocketAddress local,
            InetSocketAddress remote, int localId, int remoteId, boolean backup,
            OptionalInt interfaceIndex, OptionalInt error, OptionalLong resetReason,
            OptionalLong resetFlags) implements MptcpEvent {
    }

    /**
     * The peer changed a subflow's priority (it sent MP_PRIO). A change made on this host
     * raises no event here, only at the peer.
     *
     * @param source how it was obtained
     * @param token the connection
     * @param local this host's end
     * @param remote the peer's end
     * @param localId the local address id
     * @param remoteId the remote address id
     * @param backup the backup flag as the <em>peer</em> now sets it
     * @param interfaceIndex the interface the subflow is bound to, if it is bound
     */
    record SubflowPriority(EventSource source, MptcpToken token, InetSocketAddress local,
            InetSocketAddress remote, int localId, int remoteId, boolean backup,
            OptionalInt interfaceIndex) implements MptcpEvent {
    }

    /**
     * An MPTCP listening socket was created (an application's, or a path-manager endpoint's
     * port), Linux 6.2.
     *
     * @param source how it was obtained
     * @param address the bound address (a wildcard when bound to all)
     */
    record ListenerCreated(EventSource source, InetSocketAddress address) implements MptcpEvent {
    }

    /**
     * An MPTCP listening socket was closed, Linux 6.2.
     *
     * @param source how it was obtained
     * @param address the bound address
     */
    record ListenerClosed(EventSource source, InetSocketAddress address) implements MptcpEvent {
    }

    /**
     * An address was added to a local interface (rtnetlink {@code RTM_NEWADDR}; also sent when
     * an address's flags or lifetimes change).
     *
     * @param source how it was obtained
     * @param interfaceIndex the interface
     * @param address the address
     * @param prefixLength its prefix length
     * @param label the IPv4 label (such as {@code eth0:1}), if any
     */
    record LocalAddressAdded(EventSource source, int interfaceIndex, InetAddress address,
            int prefixLength, Optional<String> label) implements MptcpEvent {
    }

    /**
     * An address was removed from a local interface (rtnetlink {@code RTM_DELADDR}; IPv6
     * addresses also go when their link goes down).
     *
     * @param source how it was obtained
     * @param interfaceIndex the interface
     * @param address the address
     * @param prefixLength its prefix length
     * @param label the IPv4 label, if any
     */
    record LocalAddressRemoved(EventSource source, int interfaceIndex, InetAddress address,
            int prefixLength, Optional<String> label) implements MptcpEvent {
    }

    /**
     * A link is up for traffic: administratively up, running and with carrier (rtnetlink
     * {@code RTM_NEWLINK}, which the kernel also sends for changes that keep it up).
     *
     * @param source how it was obtained
     * @param interfaceIndex the interface
     * @param name the interface name, if sent
     */
    record LinkUp(EventSource source, int interfaceIndex, Optional<String> name)
            implements MptcpEvent {
    }

    /**
     * A link cannot carry traffic: administratively down, not running, without carrier, or
     * removed ({@code RTM_DELLINK}).
     *
     * @param source how it was obtained
     * @param interfaceIndex the interface
     * @param name the interface name, if sent
     */
    record LinkDown(EventSource source, int interfaceIndex, Optional<String> name)
            implements MptcpEvent {
    }

    /**
     * An {@code mptcp_pm} event this library does not map: a type it does not know (newer
     * kernel), or a known type without an attribute it needs. Nothing is dropped.
     *
     * @param source how it was obtained
     * @param type the kernel's event type ({@code MPTCP_EVENT_*})
     * @param attributes every attribute as received, in order
     */
    record Unknown(EventSource source, int type, List<Attribute> attributes)
            implements MptcpEvent {

        /**
         * Copies the attribute list, so that the event stays immutable.
         *
         * @param source how it was obtained
         * @param type the kernel's event type
         * @param attributes every attribute as received
         */
        public Unknown {
            attributes = List.copyOf(attributes);
        }

        /**
         * One raw netlink attribute.
         *
         * @param type the attribute type ({@code MPTCP_ATTR_*}), without the nested and
         *     byte-order flags
         * @param nested whether the kernel flagged it as a nest ({@code NLA_F_NESTED})
         * @param value its bytes (read-only, host byte order where the kernel uses it)
         */
        public record Attribute(int type, boolean nested, ByteBuffer value) {

            /**
             * Keeps a read-only view of {@code value}.
             *
             * @param type the attribute type
             * @param nested whether it is a nest
             * @param value its bytes
             */
            public Attribute {
                value = Objects.requireNonNull(value, "value").asReadOnlyBuffer();
            }
        }
    }

    /**
     * Events were lost: the kernel could not queue them for this channel (its socket's
     * receive buffer overran, {@code ENOBUFS}), and says so without saying which. The events
     * that follow, marked {@link EventSource#SNAPSHOT}, are what the channel then recovered by
     * comparing the kernel's present state with what it had delivered: links and local
     * addresses from rtnetlink dumps, and this process's own MPTCP connections and their
     * subflows from {@code MPTCP_FULL_INFO}. Events of other processes' connections, and
     * changes that came and went within the gap, cannot be recovered.
     *
     * @param source always {@link EventSource#NETLINK}: the kernel reported the loss
     * @param group the group that overran: {@code "mptcp_pm_events"} or {@code "rtnetlink"}
     */
    record EventsLost(EventSource source, String group) implements MptcpEvent {
    }
}
