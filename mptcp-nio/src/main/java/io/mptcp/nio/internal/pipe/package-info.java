/**
 * {@code Pipe.open()}: a pipe(2) whose two ends are selectable channels of this provider.
 *
 * <p>Not API: may change without notice; public only so the implementation packages can
 * reach each other.
 */
package io.mptcp.nio.internal.pipe;
