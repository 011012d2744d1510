/**
 * Unit tests of {@code io.mptcp.nio.internal.pipe}: the pipe channels, on a mocked and on the real
 * kernel.
 */
package io.mptcp.nio.internal.pipe;
