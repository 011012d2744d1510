/**
 * Integration tests of the MPTCP socket options against what the kernel's tools show.
 */
package io.mptcp.it.options;
