package io.mptcp.nio.internal.netlink;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Bounds-checked reads of little pieces of a received datagram. The bytes are a private copy
 * in host byte order (netlink's order); every read checks its range first, so a lying length
 * ends in a {@link NetlinkProtocolException}, never in an {@link IndexOutOfBoundsException}.
 */
final class Region {
    private Region() {
    }

    /** A private, read-only copy of {@code src}'s remaining bytes, in host byte order. */
    static ByteBuffer copy(ByteBuffer src) {
        byte[] bytes = new byte[src.remaining()];
        src.duplicate().get(bytes);
        return ByteBuffer.wrap(bytes).asReadOnlyBuffer().order(ByteOrder.nativeOrder());
    }

    static void check(ByteBuffer b, int at, int n, String what) throws NetlinkProtocolException {
        if (at < 0 || n < 0 || at > b.limit() - n) {
            throw new NetlinkProtocolException(what + ": " + n + " bytes at offset " + at
                    + " exceed the " + b.limit() + "-byte datagram");
        }
    }

    static int u8(ByteBuffer b, int at) {
        return b.get(at) & 0xff;
    }

    static int u16(ByteBuffer b, int at) {
        return b.getShort(at) & 0xffff;
    }

    static int be16(ByteBuffer b, int at) {
        return (u8(b, at) << 8) | u8(b, at + 1);
    }

    static int s32(ByteBuffer b, int at) {
        return b.getInt(at);
    }

    static int be32(ByteBuffer b, int at) {
        return (be16(b, at) << 16) | be16(b, at + 2);
    }

    static byte[] bytes(ByteBuffer b, int at, int n) {
        byte[] out = new byte[n];
        b.get(at, out);
        return out;
    }
}
