package io.mptcp.nio.internal.fd;

import io.mptcp.ffi.LinuxUapi;
import io.mptcp.ffi.NativeBuffer;
import io.mptcp.ffi.ThreadExit;

import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * A per-thread cache of direct buffers through which heap buffers are read and written, with
 * the policy of the JDK's temporary buffer cache ({@code sun.nio.ch.Util}), so that
 * steady-state I/O on heap buffers allocates nothing and a thread holds no more than its
 * largest recent I/O needs:
 *
 * <ul>
 *   <li>at most {@link #POOL_SIZE} ({@code IOV_MAX}) buffers per thread;</li>
 *   <li>{@link #acquire} takes the first cached buffer that is large enough, searching from
 *       the front; when none is, it <em>frees</em> the front buffer before allocating, so the
 *       cache does not grow by every larger request;</li>
 *   <li>{@link #release} puts a buffer at the front, {@link #releaseLast} (scatter/gather, in
 *       the order the buffers were acquired) at the back; a buffer the cache cannot keep is
 *       freed;</li>
 *   <li>a buffer larger than {@value #MAX_CACHED_PROPERTY} bytes (the JDK's property, read
 *       once, with its meaning: unlimited when unset, negative or malformed) is never cached:
 *       it is freed as soon as it is released.</li>
 * </ul>
 *
 * <p>Buffers are {@link NativeBuffer}s, freed explicitly as the JDK frees its own; like JDK 25's
 * they are not counted in the {@code BufferPoolMXBean} "direct" pool. A thread's cached buffers
 * are freed soon after the thread has ended ({@link ThreadExit}; the JDK frees them as the
 * thread terminates, through a hook of its internals).
 *
 * <p>Virtual threads share a small pool instead ({@link SharedPool}): there may be millions of
 * them, each living for one request, and a cache per virtual thread would allocate a buffer for
 * each and keep it until the thread is collected. (The JDK keeps its cache per carrier thread,
 * which needs its internals.) A virtual thread holds a buffer only around one non-blocking
 * system call, so a pool about the size of the carrier count serves them all.
 */
public final class DirectBufferCache {
    /** The JDK's property, honoured with the same meaning. */
    public static final String MAX_CACHED_PROPERTY = "jdk.nio.maxCachedBufferSize";

    /** The most buffers one thread keeps: the JDK's {@code TEMP_BUF_POOL_SIZE}. */
    static final int POOL_SIZE = LinuxUapi.IOV_MAX;

    private static final long MAX_CACHED_SIZE =
            maxCachedSize(Privileged.run(() -> System.getProperty(MAX_CACHED_PROPERTY)));
    private static final ThreadLocal<DirectBufferCache> CACHE =
            ThreadLocal.withInitial(DirectBufferCache::forCurrentThread);

    private final long maxCachedSize;
    // A ring as the JDK's: count buffers from start, wrapping; slots outside it are null.
    private final ByteBuffer[] buffers;
    private int count;
    private int start;

    /** A cache that keeps at most {@code poolSize} buffers of at most {@code maxCachedSize}. */
    DirectBufferCache(long maxCachedSize, int poolSize) {
        if (poolSize <= 0) {
            throw new IllegalArgumentException("pool size must be > 0: " + poolSize);
        }
        this.maxCachedSize = maxCachedSize;
        this.buffers = new ByteBuffer[poolSize];
    }

    /** The cache of the calling platform thread, freed when the thread has ended. */
    private static DirectBufferCache forCurrentThread() {
        DirectBufferCache cache = new DirectBufferCache(MAX_CACHED_SIZE, POOL_SIZE);
        ThreadExit.whenEnded(Thread.currentThread(), cache::clear);
        return cache;
    }

    /**
     * The value of {@value #MAX_CACHED_PROPERTY} as the JDK reads it: a size in bytes; unset,
     * negative or not a number means no limit.
     */
    static long maxCachedSize(String value) {
        if (value != null) {
            try {
                long size = Long.parseLong(value);
                if (size >= 0) {
                    return size;
                }
            } catch (NumberFormatException e) {
                // Ignored, as the JDK ignores it.
            }
        }
        return Long.MAX_VALUE;
    }

    /**
     * A direct buffer with position 0 and limit {@code size}, from this thread's cache when one
     * is large enough. Give it back with {@link #release} (or {@link #releaseLast}), once.
     */
    public static ByteBuffer acquire(int size) {
        if (VirtualThreads.isCurrentVirtual()) {
            return SharedPool.take(size);
        }
        return CACHE.get().get(size);
    }

    /**
     * Returns a buffer from {@link #acquire} to the front of this thread's cache, where the next
     * {@link #acquire} looks first, or frees it. It must not be used afterwards.
     */
    public static void release(ByteBuffer buffer) {
        if (VirtualThreads.isCurrentVirtual()) {
            SharedPool.offer(buffer);
            return;
        }
        CACHE.get().offerFirst(buffer);
    }

    /**
     * As {@link #release}, to the back of the cache: for the buffers of one scattering or
     * gathering call, released in the order they were acquired so that the next such call finds
     * them in the same order (the JDK's {@code offerLastTemporaryDirectBuffer}).
     */
    public static void releaseLast(ByteBuffer buffer) {
        if (VirtualThreads.isCurrentVirtual()) {
            SharedPool.offer(buffer);
            return;
        }
        CACHE.get().offerLast(buffer);
    }

    private boolean tooLarge(int size) {
        return size > maxCachedSize;
    }

    private int next(int i) {
        return (i + 1) % buffers.length;
    }

    /** {@link #acquire} on this cache. */
    ByteBuffer get(int size) {
        if (tooLarge(size)) {
            // No cached buffer can be this large: leave the cache as it is.
            return NativeBuffer.allocate(size);
        }
        ByteBuffer buffer = take(size);
        if (buffer != null) {
            return buffer;
        }
        // Nothing fits: free one so that the cache does not grow by every larger request.
        if (count > 0) {
            NativeBuffer.free(removeFirst());
        }
        return NativeBuffer.allocate(size);
    }

    /** The first cached buffer of at least {@code size} bytes, removed; null if none. */
    private ByteBuffer take(int size) {
        if (count == 0) {
            return null;
        }
        ByteBuffer buffer = buffers[start];
        if (buffer.capacity() < size) {
            buffer = null;
            int i = start;
            while ((i = next(i)) != start) {
                ByteBuffer b = buffers[i];
                if (b == null) {
                    break;
                }
                if (b.capacity() >= size) {
                    buffer = b;
                    break;
                }
            }
            if (buffer == null) {
                return null;
            }
            // The front buffer moves into the hole, so the ring stays contiguous.
            buffers[i] = buffers[start];
        }
        buffers[start] = null;
        start = next(start);
        count--;
        buffer.clear().limit(size);
        return buffer;
    }

    private ByteBuffer removeFirst() {
        ByteBuffer buffer = buffers[start];
        buffers[start] = null;
        start = next(start);
        count--;
        return buffer;
    }

    /** {@link #release} on this cache. */
    void offerFirst(ByteBuffer buffer) {
        if (tooLarge(buffer.capacity()) || count >= buffers.length) {
            NativeBuffer.free(buffer);
            return;
        }
        start = (start + buffers.length - 1) % buffers.length;
        buffers[start] = buffer;
        count++;
    }

    /** {@link #releaseLast} on this cache. */
    void offerLast(ByteBuffer buffer) {
        if (tooLarge(buffer.capacity()) || count >= buffers.length) {
            NativeBuffer.free(buffer);
            return;
        }
        buffers[(start + count) % buffers.length] = buffer;
        count++;
    }

    /** How many buffers this cache holds. */
    int count() {
        return count;
    }

    /** The capacities of the cached buffers, front to back (for tests). */
    int[] capacities() {
        int[] capacities = new int[count];
        for (int i = 0; i < count; i++) {
            capacities[i] = buffers[(start + i) % buffers.length].capacity();
        }
        return capacities;
    }

    /** Frees every cached buffer: when its thread has ended, or a test is done with it. */
    void clear() {
        while (count > 0) {
            NativeBuffer.free(removeFirst());
        }
    }

    /** This thread's cache (for tests). */
    static DirectBufferCache current() {
        return CACHE.get();
    }

    /**
     * The buffers of virtual threads: a fixed set of slots taken and filled with
     * compare-and-set, so no thread waits for another. With the per-thread policy: a miss frees
     * one cached buffer before allocating, a buffer that finds no free slot is freed, and
     * nothing larger than {@value #MAX_CACHED_PROPERTY} is kept.
     */
    static final class SharedPool {
        private static final AtomicReferenceArray<ByteBuffer> SLOTS = new AtomicReferenceArray<>(
                Math.max(8, 2 * Runtime.getRuntime().availableProcessors()));

        private SharedPool() {
        }

        /** The number of buffers the pool keeps at most. */
        static int slots() {
            return SLOTS.length();
        }

        static ByteBuffer take(int size) {
            if (size > MAX_CACHED_SIZE) {
                return NativeBuffer.allocate(size);
            }
            for (int i = 0; i < SLOTS.length(); i++) {
                ByteBuffer b = SLOTS.get(i);
                if (b != null && b.capacity() >= size && SLOTS.compareAndSet(i, b, null)) {
                    b.clear().limit(size);
                    return b;
                }
            }
            // Nothing fits: free one, so that the pool holds no more than its slots' worth of
            // what is in use now.
            for (int i = 0; i < SLOTS.length(); i++) {
                ByteBuffer b = SLOTS.get(i);
                if (b != null && SLOTS.compareAndSet(i, b, null)) {
                    NativeBuffer.free(b);
                    break;
                }
            }
            return NativeBuffer.allocate(size);
        }

        static void offer(ByteBuffer buffer) {
            if (buffer.capacity() > MAX_CACHED_SIZE) {
                NativeBuffer.free(buffer);
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
            // Full: keep the larger buffer, which serves more requests; free the other.
            if (smallestBuffer != null && SLOTS.compareAndSet(smallest, smallestBuffer, buffer)) {
                NativeBuffer.free(smallestBuffer);
            } else {
                NativeBuffer.free(buffer);
            }
        }
    }
}
