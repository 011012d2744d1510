package io.mptcp.ffi;

import com.kenai.jffi.MemoryIO;

import java.nio.ByteBuffer;

/**
 * Addresses of direct buffers, through jffi rather than JDK internals (no {@code --add-opens}).
 * Memory to be freed explicitly comes from {@link NativeBuffer}.
 */
final class NativeMemory {
    private static final MemoryIO IO = MemoryIO.getInstance();

    private NativeMemory() {
    }

    /**
     * The address of {@code buffer}'s first element (index 0, not its position).
     *
     * @throws IllegalArgumentException if {@code buffer} is not direct: the kernel can only be
     *     given native memory, and a copy here would hide an allocation per call
     */
    static long address(ByteBuffer buffer) {
        if (!buffer.isDirect()) {
            throw new IllegalArgumentException("not a direct buffer: " + buffer);
        }
        return IO.getDirectBufferAddress(buffer);
    }

    /** The address of {@code buffer}'s position; the buffer must be direct and writable. */
    static long writableAddress(ByteBuffer buffer) {
        if (buffer.isReadOnly()) {
            throw new IllegalArgumentException("read-only buffer: " + buffer);
        }
        return address(buffer) + buffer.position();
    }

    /** The address of {@code buffer}'s position; the buffer must be direct. */
    static long readableAddress(ByteBuffer buffer) {
        return address(buffer) + buffer.position();
    }
}
