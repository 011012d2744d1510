/**
 * Unit tests of {@code io.mptcp.nio.internal.select}: the epoll selector, on a mocked and on the
 * real kernel.
 */
package io.mptcp.nio.internal.select;
