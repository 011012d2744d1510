package io.mptcp.nio.pm;

/** How an {@link MptcpEvent} was obtained. */
public enum EventSource {
    /** Sent by the kernel on netlink ({@code mptcp_pm_events}, or rtnetlink). */
    NETLINK,
    /**
     * Synthesised by comparing two snapshots of a connection's subflows (for processes that may
     * not subscribe to the events group); such events carry only what a snapshot shows.
     */
    SNAPSHOT
}
