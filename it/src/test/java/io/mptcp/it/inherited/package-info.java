/**
 * Integration tests of {@code System.inheritedChannel()} under the provider: a child JVM that
 * gets a socket as its standard input.
 */
package io.mptcp.it.inherited;
