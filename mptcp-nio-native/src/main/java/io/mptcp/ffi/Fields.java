package io.mptcp.ffi;

import java.nio.ByteBuffer;

/**
 * Reads of unsigned struct fields that the kernel may not have returned: structs such as
 * {@code tcp_info} and {@code mptcp_info} grow with kernel versions, and a kernel copies only
 * the prefix it knows. A field that ends beyond the returned {@code length} reads as -1; the
 * values are widened so that no 8, 16 or 32-bit field can be confused with it.
 */
final class Fields {
    private Fields() {
    }

    static int u8(ByteBuffer b, int base, int length, int offset) {
        return offset + 1 <= length ? b.get(base + offset) & 0xff : -1;
    }

    static int u16(ByteBuffer b, int base, int length, int offset) {
        return offset + 2 <= length ? b.getShort(base + offset) & 0xffff : -1;
    }

    static long u32(ByteBuffer b, int base, int length, int offset) {
        return offset + 4 <= length ? Integer.toUnsignedLong(b.getInt(base + offset)) : -1;
    }

    /** A u64 counter; -1 when absent (no counter the kernel keeps reaches 2^64 - 1). */
    static long u64(ByteBuffer b, int base, int length, int offset) {
        return offset + 8 <= length ? b.getLong(base + offset) : -1;
    }
}
