package io.mptcp.ffi;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A reusable array of {@code struct epoll_event} in native memory, filled by
 * {@link LinuxSyscalls#epollWait}.
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
public final class EpollEventBuffer {
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

    private final ByteBuffer memory;
    private final int capacity;

    /** A buffer for at most {@code capacity} events. */
    public EpollEventBuffer(int capacity) {
        if (capacity <= 0) {
            throw new IllegalArgumentException("epoll event capacity must be > 0: " + capacity);
        }
        this.capacity = capacity;
        this.memory = ByteBuffer.allocateDirect(capacity * SIZEOF_EVENT)
                .order(ByteOrder.nativeOrder());
    }

    /** How many events one wait can return. */
    public int capacity() {
        return capacity;
    }

    /** The native memory (direct, native order) that epoll_wait fills. */
    public ByteBuffer memory() {
        return memory;
    }

    /** The {@code events} bits of event {@code i}. */
    public int events(int i) {
        return memory.getInt(i * SIZEOF_EVENT);
    }

    /** The fd stored as {@code data} of event {@code i}. */
    public int fd(int i) {
        return (int) memory.getLong(i * SIZEOF_EVENT + DATA_OFFSET);
    }

    /** Writes event {@code i}; for tests that script {@code epoll_wait} on a mock. */
    public void set(int i, int fd, int events) {
        memory.putInt(i * SIZEOF_EVENT, events);
        memory.putLong(i * SIZEOF_EVENT + DATA_OFFSET, fd);
    }
}
