/**
 * Multipath TCP for Java NIO: {@link io.mptcp.nio.MptcpSelectorProvider}, a
 * {@link java.nio.channels.spi.SelectorProvider} whose stream sockets are MPTCP with fallback to
 * TCP, its channel types {@link io.mptcp.nio.MptcpSocketChannel} and
 * {@link io.mptcp.nio.MptcpServerSocketChannel}, and the MPTCP state of a connection, read as
 * {@link io.mptcp.nio.MptcpSocketOptions} into the value types {@link io.mptcp.nio.MptcpToken},
 * {@link io.mptcp.nio.MptcpInfo}, {@link io.mptcp.nio.Subflow} and {@link io.mptcp.nio.TcpInfo}.
 *
 * <p>This package and {@code io.mptcp.nio.pm} are the library's API; every
 * {@code io.mptcp.nio.internal} package is implementation.
 */
package io.mptcp.nio;
