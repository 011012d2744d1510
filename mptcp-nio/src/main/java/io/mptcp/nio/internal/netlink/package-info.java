/**
 * A pure netlink codec: bytes in, records out, and a writer that builds requests, for generic
 * netlink (the {@code nlctrl} controller and the {@code mptcp_pm} family), the rtnetlink
 * link and address messages, and the TCP socket diagnostics ({@code NETLINK_SOCK_DIAG},
 * {@link io.mptcp.nio.internal.netlink.SockDiag}) that give a subflow's MPTCP flags. No I/O and no system calls: it imports only {@code java.*}, and
 * every malformed input ends in one checked
 * {@link io.mptcp.nio.internal.netlink.NetlinkProtocolException}.
 */
package io.mptcp.nio.internal.netlink;
