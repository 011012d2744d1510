package io.mptcp.nio.internal;

import io.mptcp.ffi.LinuxUapi;

import java.nio.ByteBuffer;

/**
 * A per-thread cache of direct buffers through which heap buffers are read and written, as the
 * JDK's {@code sun.nio.ch.Util} temporary buffer cache does, so that steady-state I/O on heap
 * buffers allocates nothing.
 *
 * <p>Buffers larger than {@value #MAX_CACHED_PROPERTY} bytes (the JDK's property; unlimited by
 * default) are not kept. Not thread-safe by design: each thread has its own instance.
 */
public final class DirectBufferCache {
    /** The JDK's property, honoured with the same meaning. */
    public static final String MAX_CACHED_PROPERTY = "jdk.nio.maxCachedBufferSize";

    private static final long MAX_CACHED_SIZE = maxCachedSize();
    private static final ThreadLocal<DirectBufferCache> CACHE =
            ThreadLocal.withInitial(DirectBufferCache::new);

    // Buffers available for reuse, in slots [0, count); at most IOV_MAX of them.
    private ByteBuffer[] buffers = new ByteBuffer[8];
    private int count;

    private DirectBufferCache() {
    }

    private static long maxCachedSize() {
        String value = System.getProperty(MAX_CACHED_PROPERTY);
        if (value == null || value.isBlank()) {
            return Long.MAX_VALUE;
        }
        try {
            long size = Long.parseLong(value.trim());
            return size < 0 ? Long.MAX_VALUE : size;
        } catch (NumberFormatException e) {
            return Long.MAX_VALUE;
        }
    }

    /**
     * A direct buffer with position 0 and limit {@code size}, from this thread's cache when one
     * is large enough. Give it back with {@link #release}.
     */
    public static ByteBuffer acquire(int size) {
        return CACHE.get().take(size);
    }

    /** Returns a buffer from {@link #acquire} to this thread's cache. */
    public static void release(ByteBuffer buffer) {
        CACHE.get().offer(buffer);
    }

    private ByteBuffer take(int size) {
        // Best fit: the smallest cached buffer that is large enough keeps big ones for big I/O.
        int best = -1;
        for (int i = 0; i < count; i++) {
            int capacity = buffers[i].capacity();
            if (capacity >= size && (best < 0 || capacity < buffers[best].capacity())) {
                best = i;
            }
        }
        if (best < 0) {
            return ByteBuffer.allocateDirect(size);
        }
        ByteBuffer buffer = buffers[best];
        buffers[best] = buffers[--count];
        buffers[count] = null;
        buffer.clear().limit(size);
        return buffer;
    }

    private void offer(ByteBuffer buffer) {
        if (buffer.capacity() > MAX_CACHED_SIZE) {
            return;
        }
        if (count == buffers.length) {
            if (count >= LinuxUapi.IOV_MAX) {
                return;
            }
            buffers = java.util.Arrays.copyOf(buffers, Math.min(count * 2, LinuxUapi.IOV_MAX));
        }
        buffers[count++] = buffer;
    }
}
