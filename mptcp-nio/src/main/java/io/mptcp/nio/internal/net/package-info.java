/**
 * Sockets and addresses: the MPTCP policy and the opening of INET stream sockets under it, the
 * MPTCP/TCP switch under one descriptor, the JDK's address checks and UNIX-domain names.
 *
 * <p>Not API: may change without notice; public only so the implementation packages can
 * reach each other.
 */
package io.mptcp.nio.internal.net;
