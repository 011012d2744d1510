/**
 * Unit tests of {@code io.mptcp.nio.internal.options}: the reading of MPTCP state on every kernel
 * generation.
 */
package io.mptcp.nio.internal.options;
