/**
 * Small runnable programs, one {@code main} per class, that use the provider and the MPTCP
 * API; {@code bin/demo} runs them.
 */
package io.mptcp.examples;
