/**
 * The benchmark driver ({@code bin/bench}): this provider against the JDK's on the same kernel,
 * bulk transfer, round trip, selector load, connection setup and allocation cases, and its
 * smoke test.
 */
package io.mptcp.it.bench;
