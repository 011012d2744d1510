/**
 * Stream channels: INET (MPTCP or TCP) and UNIX-domain socket and server socket channels over
 * one stream-socket state machine, and their {@link java.net.Socket} and
 * {@link java.net.ServerSocket} adaptors.
 *
 * <p>Not API: may change without notice; public only so the implementation packages can
 * reach each other.
 */
package io.mptcp.nio.internal.stream;
