/**
 * The implementation behind {@link io.mptcp.nio.MptcpSelectorProvider}: the
 * {@link io.mptcp.nio.internal.ChannelFactory} that opens every channel kind, the one entry
 * point the API package uses, and the inherited channel of standard input.
 *
 * <p>Not API: may change without notice; public only so the implementation packages can
 * reach each other.
 */
package io.mptcp.nio.internal;
