package io.mptcp.nio.internal.netlink;

import java.io.IOException;

/**
 * Bytes that are not a well-formed netlink message of the expected kind: a truncated header, a
 * length field that lies, an attribute too short for its type, nesting deeper than the codec
 * follows. The message names the offending offset and lengths. It is the only exception the
 * decoders throw for bad input.
 */
public final class NetlinkProtocolException extends IOException {
    private static final long serialVersionUID = 1L;

    public NetlinkProtocolException(String message) {
        super(message);
    }
}
