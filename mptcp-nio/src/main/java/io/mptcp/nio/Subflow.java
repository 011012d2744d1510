package io.mptcp.nio;

import java.net.InetSocketAddress;
import java.util.Objects;

/**
 * One subflow of an MPTCP connection: the TCP connection between two addresses that carries
 * part of its data (draft-hesmans-mptcp-socket-03 {@code MPTCP_GET_SUB_IDS} and
 * {@code MPTCP_GET_SUB_TUPLE}; RFC 6897 {@code TCP_MULTIPATH_SUBFLOWS}).
 *
 * @param id the kernel's subflow id within the connection: 1 for the initial subflow, then 2,
 *     3… never reused (Linux 6.5, {@code MPTCP_FULL_INFO}); -1 on 5.16 to 6.4, which number
 *     no subflows. It is not the MPTCP address id that path-manager events carry.
 * @param local this host's address of the subflow
 * @param remote the peer's address of the subflow
 * @param tcp the subflow's TCP figures
 */
public record Subflow(int id, InetSocketAddress local, InetSocketAddress remote, TcpInfo tcp) {

    public Subflow {
        Objects.requireNonNull(local, "local");
        Objects.requireNonNull(remote, "remote");
        Objects.requireNonNull(tcp, "tcp");
    }
}
