/**
 * UDP channels with the JDK's semantics: the datagram channel, its multicast memberships and
 * its {@link java.net.DatagramSocket} adaptor.
 *
 * <p>Not API: may change without notice; public only so the implementation packages can
 * reach each other.
 */
package io.mptcp.nio.internal.datagram;
