package io.mptcp.ffi;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A reusable array of {@code struct epoll_event} in native memory, filled by
 * {@link LinuxSyscalls#epollWait}, and freed by {@link #close()}, as the JDK's selector frees its
 * epoll array at close ({@link NativeBuffer}; one never closed is freed after it becomes
 * unreachable).
 *
 * <pre>
 * struct epoll_event {
 *     __u32 events;
 *     __u64 data;      // this library stores the fd here
 * } EPOLL_PACKED;      // packed on x86-64 only
 * </pre>
 *
 * <p>{@code EPOLL_PACKED} applies to x86-64 alone, so an event is 12 bytes there (data at
 * offset 4) and 16 bytes on aarch64 (data at offset 8). The layout is derived from the
 * architecture, never assumed; a test checks it against the kernel.
 */
public final class EpollEventBuffer implements AutoCloseable {
    /** Size of one {@code struct epoll_event} on this architecture. */
    public static final int SIZEOF_EVENT;
    /** Offset of {@code data} inside one event on this architecture. */
    public static final int DATA_OFFSET;

    static {
        boolean packed = isX86_64(NativeLoader.systemProperty("os.arch", ""));
        SIZEOF_EVENT = packed ? 12 : 16;
        DATA_OFFSET = packed ? 4 : 8;
    }

    static boolean isX86_64(String osArch) {
        return osArch.equals("amd64") || osArch.equals("x86_64");
    }

    // The largest capacity: the bytes must fit a ByteBuffer's int capacity.
    private static final int MAX_CAPACITY = Integer.MAX_VALUE / 16;

    private final ByteBuffer memory;
    private final int capacity;
    // Set by close. Read without a lock: the owner frees the buffer only where no other thread
    // can be using it (the selector under its monitor, the poller thread at its end), so this
    // turns a use after close by the same discipline into an exception, not a read of freed
    // memory.
    private boolean closed;

    /**
     * A buffer for at most {@code capacity} events.
     *
     * @throws IllegalArgumentException if {@code capacity} is not positive or too large
     */
    public EpollEventBuffer(int capacity) {
        if (capacity <= 0 || capacity > MAX_CAPACITY) {
            throw new IllegalArgumentException(
                    "epoll event capacity must be in [1, " + MAX_CAPACITY + "]: " + capacity);
        }
        this.capacity = capacity;
        this.memory = NativeBuffer.allocate(capacity * SIZEOF_EVENT)
                .order(ByteOrder.nativeOrder());
    }

    /** How many events one wait can return. */
    public int capacity() {
        return capacity;
    }

    /** How many bytes of native memory this holds until {@link #close()}. */
    public int byteSize() {
        return capacity * SIZEOF_EVENT;
    }

    /**
     * The native memory (direct, native order) that epoll_wait fills; the caller keeps this
     * object reachable while it uses the memory.
     *
     * @throws IllegalStateException after {@link #close()}
     */
    ByteBuffer memory() {
        checkOpen();
        return memory;
    }

    /** The {@code events} bits of event {@code i}. */
    public int events(int i) {
        checkOpen();
        return memory.getInt(i * SIZEOF_EVENT);
    }

    /** The fd stored as {@code data} of event {@code i}. */
    public int fd(int i) {
        checkOpen();
        return (int) memory.getLong(i * SIZEOF_EVENT + DATA_OFFSET);
    }

    /** Writes event {@code i}; for tests that script {@code epoll_wait} on a mock. */
    public void set(int i, int fd, int events) {
        checkOpen();
        memory.putInt(i * SIZEOF_EVENT, events);
        memory.putLong(i * SIZEOF_EVENT + DATA_OFFSET, fd);
    }

    /** Whether {@link #close()} was called. */
    public boolean isClosed() {
        return closed;
    }

    /**
     * Frees the native memory now; idempotent. The caller must make sure that no thread is in,
     * or will enter, an epoll_wait with this buffer.
     */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            NativeBuffer.free(memory);
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("epoll event buffer is closed");
        }
    }
}
