/**
 * The one-jar agent end to end: an unmodified application jar, started with
 * {@code java -javaagent:mptcp-nio-agent.jar -jar app.jar}, checked from the kernel side.
 */
package io.mptcp.it.agent;
