/**
 * Unit tests of {@code io.mptcp.nio.internal.fd}: the shared direct-buffer pool and virtual-thread
 * parking.
 */
package io.mptcp.nio.internal.fd;
