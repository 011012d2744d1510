/**
 * Integration tests of unmodified HTTP servers and clients (Undertow on XNIO, Vert.x on Netty
 * NIO, OkHttp on blocking {@code java.net.Socket}, the JDK's {@code HttpClient}) in child JVMs
 * started with the agent, with the system properties, and on the JDK's defaults (the control).
 */
package io.mptcp.it.http;
