/**
 * Integration tests on two real paths between network namespaces: subflows on both links,
 * aggregate throughput, link failure, fallback to TCP and interop with an independent MPTCP
 * peer.
 */
package io.mptcp.it.multipath;
