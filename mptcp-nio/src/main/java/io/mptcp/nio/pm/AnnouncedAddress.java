package io.mptcp.nio.pm;

import java.net.InetSocketAddress;
import java.util.Objects;

/**
 * A local address this connection announced to its peer (an MPTCP {@code ADD_ADDR}), as
 * {@link io.mptcp.nio.MptcpSocketChannel#announce} returns it. The library allocates the
 * address id, unique within the connection; {@link io.mptcp.nio.MptcpSocketChannel#withdraw}
 * takes the record back to send the matching {@code REMOVE_ADDR}.
 *
 * @param id the MPTCP address id, 1 to 255 (0 is the connection's initial address)
 * @param address the announced address; port 0 when no port was announced
 */
public record AnnouncedAddress(int id, InetSocketAddress address) {
    /**
     * @param id the MPTCP address id, 1 to 255
     * @param address the announced address; port 0 when no port was announced
     * @throws IllegalArgumentException if {@code id} is outside 1 to 255
     * @throws NullPointerException if {@code address} is null
     */
    public AnnouncedAddress {
        if (id < 1 || id > 255) {
            throw new IllegalArgumentException("AnnouncedAddress: id " + id
                    + " is outside 1..255 (0 is the initial address, which is never announced)");
        }
        Objects.requireNonNull(address, "address");
    }
}
