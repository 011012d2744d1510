/**
 * Path-manager logic above the pure netlink codec: the mapping from decoded netlink messages to
 * the public {@link io.mptcp.nio.pm.MptcpEvent} values, and what the kernel's
 * {@code mptcp_pm} family supports, read from its {@code CTRL_CMD_GETFAMILY} description.
 */
package io.mptcp.nio.internal.pm;
