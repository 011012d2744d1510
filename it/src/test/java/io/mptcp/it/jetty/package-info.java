/**
 * Integration tests of unmodified Jetty servers and the JDK's HTTP client under the provider.
 */
package io.mptcp.it.jetty;
