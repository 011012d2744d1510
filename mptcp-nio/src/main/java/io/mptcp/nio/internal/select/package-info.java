/**
 * The selector: level-triggered epoll with the semantics of the JDK's, its selection keys and
 * what it needs from a channel.
 *
 * <p>Not API: may change without notice; public only so the implementation packages can
 * reach each other.
 */
package io.mptcp.nio.internal.select;
