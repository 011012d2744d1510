/**
 * Integration tests of the programs in {@code examples}, run in child JVMs.
 */
package io.mptcp.it.examples;
