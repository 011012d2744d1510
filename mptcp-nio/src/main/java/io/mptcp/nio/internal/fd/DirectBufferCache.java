package io.mptcp.nio.internal.fd;

import io.mptcp.ffi.LinuxUapi;

import java.nio.ByteBuffer;

/**
 * A per-thread cache of direct buffers through which heap buffers are read and written, as the
 * JDK's {@code sun.nio.ch.Util} temporary buffer cache does, so that steady-state I/O on heap
 * buffers allocates nothing.
 *
 * <p>Buffers larger than {@value #MAX_CACHED_PROPERTY} bytes (the JDK's property; unlimited by
 * default) are not kept. Not thread-safe by design: each thread has its own instance.
 *
 * <p>Virtual threads share a small pool instead ({@link SharedPool}): there may be millions of
 * them, each living for one request, and a cache per virtual thread would allocate a direct
 * buffer for each and keep it until the thread is collected. (The JDK keeps its cache per
 * carrier thread, which needs its internals.) A virtual thread holds a buffer only around one
 * non-blocking system call, so a pool about the size of the carrier count serves them all.
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
        String value = Privileged.run(() -> System.getProperty(MAX_CACHED_PROPERTY));
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
        if (VirtualThreads.isCurrentVirtual()) {
            return SharedPool.take(size);
        }
        return CACHE.get().take(size);
    }

    /** Returns a buffer from {@link #acquire} to this thread's cache. */
    public static void release(ByteBuffer buffer) {
        if (VirtualThreads.isCurrentVirtual()) {
            SharedPool.offer(buffer);
            return;
        }
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

    /**
     * The buffers of virtual threads: a fixed set of slots taken and filled with
     * compare-and-set, so no thread waits for another. A buffer that finds no free slot is
     * left to the garbage collector.
     */
    static final class SharedPool {
        private static final java.util.concurrent.atomic.AtomicReferenceArray<ByteBuffer> SLOTS =
                new java.util.concurrent.atomic.AtomicReferenceArray<>(
                        Math.max(8, 2 * Runtime.getRuntime().availableProcessors()));

        private SharedPool() {
        }

        /** The number of buffers the pool keeps at most. */
        static int slots() {
            return SLOTS.length();
        }

        static ByteBuffer take(int size) {
            for (int i = 0; i < SLOTS.length(); i++) {
                ByteBuffer b = SLOTS.get(i);
                if (b != null && b.capacity() >= size && SLOTS.compareAndSet(i, b, null)) {
                    b.clear().limit(size);
                    return b;
                }
            }
            return ByteBuffer.allocateDirect(size);
        }

        static void offer(ByteBuffer buffer) {
            if (buffer.capacity() > MAX_CACHED_SIZE) {
                return;
            }
            int smallest = -1;
            ByteBuffer smallestBuffer = null;
            for (int i = 0; i < SLOTS.length(); i++) {
                ByteBuffer b = SLOTS.get(i);
                if (b == null) {
                    if (SLOTS.compareAndSet(i, null, buffer)) {
                        return;
                    }
                } else if (b.capacity() < buffer.capacity() && (smallestBuffer == null
                        || b.capacity() < smallestBuffer.capacity())) {
                    smallest = i;
                    smallestBuffer = b;
                }
            }
            // Full: keep the larger buffer, which serves more requests.
            if (smallestBuffer != null) {
                SLOTS.compareAndSet(smallest, smallestBuffer, buffer);
            }
        }
    }
}
