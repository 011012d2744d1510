package io.mptcp.nio;

/**
 * The local token of an MPTCP connection (RFC 8684; RFC 6897 {@code TCP_MULTIPATH_CONNID}): the
 * 32-bit number by which this host's kernel, its path manager and its events name the
 * connection. Each end has its own token.
 *
 * @param value the unsigned 32-bit token
 */
public record MptcpToken(long value) {

    public MptcpToken {
        if (value < 0 || value > 0xFFFF_FFFFL) {
            throw new IllegalArgumentException("MPTCP token must be an unsigned 32-bit value: "
                    + value);
        }
    }

    /**
     * Lower-case hex without leading zeros, as {@code ss -M} prints it ({@code token:e940b7e});
     * {@code ip mptcp monitor} pads to eight digits ({@code token=0e940b7e}).
     */
    @Override
    public String toString() {
        return Long.toHexString(value);
    }
}
