/**
 * Unit tests of {@code io.mptcp.nio.internal.net}: socket names and addresses.
 */
package io.mptcp.nio.internal.net;
