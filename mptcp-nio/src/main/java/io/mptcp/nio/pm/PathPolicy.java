package io.mptcp.nio.pm;

import io.mptcp.nio.Subflow;

import java.io.IOException;
import java.time.Duration;
import java.util.List;

/**
 * An application-level path manager for one MPTCP connection: it is told what happens (the
 * connection's {@link MptcpEvent}s, the namespace's link and local-address changes from
 * rtnetlink, and a periodic tick with the subflow list) and acts through a
 * {@link PathControl}. {@link HandoverPolicy} is one; an application can write its own and
 * test it against a fake {@code PathControl}.
 *
 * <p>The callbacks of one policy are made from one thread at a time and must not block: a
 * policy that wants to wait records a deadline and looks at it on the next tick. An exception
 * thrown by a callback is logged by the caller and does not stop later callbacks.
 */
public interface PathPolicy {
    /**
     * The connection is made; called once, before every other callback. Subflows opened
     * before MPTCP is fully established (its first data exchange) are started by the library
     * when it is.
     *
     * @param control what the policy may do
     * @throws IOException if a command failed
     */
    void start(PathControl control) throws IOException;

    /**
     * An event: one of this connection's ({@link MptcpEvent.SubflowEstablished},
     * {@link MptcpEvent.SubflowClosed}, {@link MptcpEvent.SubflowPriority},
     * {@link MptcpEvent.AddressAnnounced}, {@link MptcpEvent.AddressRemoved}), or one of the
     * namespace's ({@link MptcpEvent.LinkUp}, {@link MptcpEvent.LinkDown},
     * {@link MptcpEvent.LocalAddressAdded}, {@link MptcpEvent.LocalAddressRemoved}).
     *
     * @param event the event
     * @param control what the policy may do
     * @throws IOException if a command failed
     */
    void onEvent(MptcpEvent event, PathControl control) throws IOException;

    /**
     * The periodic tick, every {@link #tickInterval()}.
     *
     * @param subflows the connection's subflows now, with their {@code tcp_info}
     * @param control what the policy may do
     * @throws IOException if a command failed
     */
    void onTick(List<Subflow> subflows, PathControl control) throws IOException;

    /**
     * {@return how often {@link #onTick} is called}
     */
    Duration tickInterval();
}
