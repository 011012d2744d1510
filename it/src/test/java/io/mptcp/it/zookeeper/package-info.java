/**
 * A three-node Apache ZooKeeper ensemble (client port on NIO, quorum and election ports on
 * blocking {@code java.net.Socket}s) and a client, in child JVMs, checked from the kernel side.
 */
package io.mptcp.it.zookeeper;
