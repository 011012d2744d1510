/**
 * What the integration tests share: child JVMs and processes, network namespaces and the
 * two-path test bed, the kernel's view of connections, prerequisites.
 */
package io.mptcp.it.support;
