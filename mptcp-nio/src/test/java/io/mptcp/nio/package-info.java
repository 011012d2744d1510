/**
 * Tests of the API package: the provider's methods against the JDK's, the public value types,
 * and the architecture rules that keep the packages' dependencies pointing the right way.
 */
package io.mptcp.nio;
