package io.mptcp.nio.pm;

/**
 * How {@link io.mptcp.nio.MptcpSocketChannel#closeSubflow} ends one subflow. The connection
 * itself stays open on its other subflows either way.
 */
public enum SubflowClose {
    /** A FIN on the subflow: data in flight on it is delivered, then it closes. */
    GRACEFUL,
    /** A RST on the subflow: it ends at once; MPTCP re-sends its unacknowledged data elsewhere. */
    ABORT
}
