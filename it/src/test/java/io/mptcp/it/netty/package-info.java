/**
 * Integration tests of unmodified Netty programs (TCP echo, UDP echo, DNS resolver) under the
 * provider.
 */
package io.mptcp.it.netty;
