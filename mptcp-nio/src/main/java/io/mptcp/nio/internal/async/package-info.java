/**
 * The NIO.2 asynchronous channels of {@code MptcpAsynchronousChannelProvider}: an
 * {@link java.nio.channels.AsynchronousChannelGroup} over one epoll set of its own
 * ({@link io.mptcp.nio.internal.async.AsyncGroup}, the design of the JDK's {@code EPollPort}),
 * and {@link java.nio.channels.AsynchronousSocketChannel} /
 * {@link java.nio.channels.AsynchronousServerSocketChannel} over the provider's non-blocking
 * stream channels, so that they open MPTCP sockets under the same policy, fallback and option
 * tolerance. Not API.
 */
package io.mptcp.nio.internal.async;
