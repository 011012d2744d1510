package io.mptcp.ffi;

import com.kenai.jffi.MemoryIO;

import java.lang.ref.Cleaner;
import java.nio.ByteBuffer;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Direct buffers over native memory that their owner frees at a moment it chooses, as the JDK
 * frees its selector's epoll array at close and (JDK 25's {@code sun.nio.ch.Util}) its temporary
 * direct buffers when they leave the cache: with {@code malloc}/{@code free}, not by waiting for
 * the garbage collector. A {@link ByteBuffer#allocateDirect} buffer can only be freed by the
 * collector without JDK internals, and the collector runs for heap pressure, which a small heap
 * object holding a large native block does not create.
 *
 * <p>The memory comes from jffi's {@link MemoryIO} ({@code calloc}/{@code free}; jffi is the
 * seam's one native dependency, already loaded), wrapped with JNI {@code NewDirectByteBuffer}.
 * As with JDK 25's temporary buffers, it is not counted in the {@code BufferPoolMXBean}
 * "direct" pool nor limited by {@code -XX:MaxDirectMemorySize}; {@link #liveCount()} and
 * {@link #liveBytes()} count it instead.
 *
 * <p>A buffer its owner drops without {@link #free} is freed once it is unreachable, as a
 * {@code DirectByteBuffer} is, so a forgotten free costs memory until a collection, never
 * forever. Slices and duplicates keep their buffer reachable (the JDK's direct buffers refer to
 * their parent), so the collector never frees memory under one of them. An explicit
 * {@link #free} is final: the buffer and every view of it must not be used again.
 */
public final class NativeBuffer {
    // address -> what frees it; an address is here exactly while its memory is allocated.
    private static final ConcurrentHashMap<Long, Cleaner.Cleanable> LIVE =
            new ConcurrentHashMap<>();
    private static final AtomicLong LIVE_BYTES = new AtomicLong();

    private NativeBuffer() {
    }

    /**
     * A zeroed buffer of {@code size} bytes over newly allocated native memory, big-endian as
     * {@link ByteBuffer#allocateDirect} gives it.
     *
     * @throws IllegalArgumentException if {@code size} is negative
     * @throws OutOfMemoryError if {@code malloc} fails
     */
    public static ByteBuffer allocate(int size) {
        if (size < 0) {
            throw new IllegalArgumentException("negative buffer size: " + size);
        }
        MemoryIO io = MemoryIO.getInstance();
        // At least one byte: malloc(0) may return NULL, and the address must be unique.
        long address = io.allocateMemory(Math.max(size, 1), true);
        if (address == 0) {
            throw new OutOfMemoryError("Cannot allocate " + size + " bytes of native memory");
        }
        ByteBuffer buffer;
        try {
            buffer = io.newDirectByteBuffer(address, size);
        } catch (RuntimeException | Error e) {
            io.freeMemory(address);
            throw e;
        }
        Cleaner.Cleanable cleanable =
                Collector.CLEANER.register(buffer, new Release(address, size));
        LIVE.put(address, cleanable);
        LIVE_BYTES.addAndGet(size);
        return buffer;
    }

    /**
     * Frees the memory of {@code buffer} now.
     *
     * @throws IllegalArgumentException if {@code buffer} is not one that {@link #allocate}
     *     returned (a view of it, a buffer of another allocator) or was freed already: freeing
     *     it would corrupt the native heap
     */
    public static void free(ByteBuffer buffer) {
        if (!buffer.isDirect()) {
            throw new IllegalArgumentException("not a direct buffer: " + buffer);
        }
        long address = MemoryIO.getInstance().getDirectBufferAddress(buffer);
        Cleaner.Cleanable cleanable = LIVE.remove(address);
        if (cleanable == null) {
            throw new IllegalArgumentException(
                    "not a live buffer of NativeBuffer.allocate (freed already?): " + buffer);
        }
        cleanable.clean();
    }

    /** Whether {@code buffer} (or a view of it at its start) is allocated here, not freed. */
    public static boolean isLive(ByteBuffer buffer) {
        return buffer.isDirect()
                && LIVE.containsKey(MemoryIO.getInstance().getDirectBufferAddress(buffer));
    }

    /** How many buffers are allocated and not yet freed. */
    public static long liveCount() {
        return LIVE.mappingCount();
    }

    /** How many bytes the buffers not yet freed hold. */
    public static long liveBytes() {
        return LIVE_BYTES.get();
    }

    /** Frees one block; runs once, from {@link #free} or after the buffer became unreachable. */
    private static final class Release implements Runnable {
        private final long address;
        private final int size;

        Release(long address, int size) {
            this.address = address;
            this.size = size;
        }

        @Override
        public void run() {
            // Before the memory is freed no other buffer can have this address, so the entry
            // is this buffer's (collector) or already gone (explicit free).
            LIVE.remove(address);
            LIVE_BYTES.addAndGet(-size);
            MemoryIO.getInstance().freeMemory(address);
        }
    }

    /** The one cleaner thread, started with the first buffer. */
    private static final class Collector {
        static final Cleaner CLEANER = Cleaner.create(r -> {
            Thread t = new Thread(null, r, "mptcp-nio-native-memory", 0, false);
            t.setDaemon(true);
            return t;
        });

        private Collector() {
        }
    }
}
