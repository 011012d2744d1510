/**
 * What every channel kind shares around its file descriptor: the descriptor's life (locks,
 * blocking brackets, two-phase close), non-blocking I/O with NIO buffer bookkeeping, the
 * direct-buffer cache, virtual-thread parking and the errno-to-exception mapping.
 *
 * <p>Not API: may change without notice; public only so the implementation packages can
 * reach each other.
 */
package io.mptcp.nio.internal.fd;
