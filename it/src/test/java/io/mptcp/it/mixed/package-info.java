/**
 * Integration tests of one selector that holds every channel kind under the provider.
 */
package io.mptcp.it.mixed;
