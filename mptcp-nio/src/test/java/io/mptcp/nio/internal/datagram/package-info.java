/**
 * Unit tests of {@code io.mptcp.nio.internal.datagram}: the datagram channels, their options and
 * multicast memberships.
 */
package io.mptcp.nio.internal.datagram;
