/**
 * Reserved for the API of the MPTCP path manager and of MPTCP events.
 */
package io.mptcp.nio.pm;
