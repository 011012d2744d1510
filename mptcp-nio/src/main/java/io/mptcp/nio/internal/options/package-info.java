/**
 * Socket options of every channel kind with the JDK's checks and kernel mapping, and the
 * reading of MPTCP state into the API's value types.
 *
 * <p>Not API: may change without notice; public only so the implementation packages can
 * reach each other.
 */
package io.mptcp.nio.internal.options;
