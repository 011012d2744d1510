/**
 * Integration tests on virtual threads (JDK 21+): blocking I/O that does not pin its carrier,
 * and the contract suite run again on virtual threads.
 */
package io.mptcp.it.vthreads;
