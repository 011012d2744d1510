package io.mptcp.nio;

/**
 * The local token of an MPTCP connection (RFC 8684; RFC 6897 {@code TCP_MULTIPATH_CONNID}): the
 * 32-bit number by which this host's kernel, its path manager and its events name the
 * connection. Each end has its own token. Read with {@link MptcpSocketOptions#MPTCP_TOKEN} or
 * {@link MptcpInfo#token()}.
 *
 * <p>Unlike the other value types of this package, this is a record: a token is 32 bits by
 * protocol (RFC 8684: the top 32 bits of a hash of the connection's key), a single value that
 * no kernel can extend, so its canonical constructor and deconstruction pattern cannot need a
 * second component.
 *
 * @param value the unsigned 32-bit token
 */
public record MptcpToken(long value) {

    /**
     * A token of {@code value}.
     *
     * @param value the unsigned 32-bit token, 0 to 2<sup>32</sup> - 1
     * @throws IllegalArgumentException if {@code value} is negative or wider than 32 bits
     */
    public MptcpToken {
        if (value < 0 || value > 0xFFFF_FFFFL) {
            throw new IllegalArgumentException("MPTCP token must be an unsigned 32-bit value: "
                    + value);
        }
    }

    /**
     * {@return lower-case hex without leading zeros, as {@code ss -M} prints it}
     * ({@code token:e940b7e}; {@code ip mptcp monitor} pads to eight digits,
     * {@code token=0e940b7e})
     */
    @Override
    public String toString() {
        return Long.toHexString(value);
    }
}
