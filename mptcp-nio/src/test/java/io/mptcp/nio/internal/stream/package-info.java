/**
 * Unit tests of {@code io.mptcp.nio.internal.stream}: MPTCP policy, options, protocol switch,
 * transfers, allocation.
 */
package io.mptcp.nio.internal.stream;
