package io.mptcp.ffi;

import static io.mptcp.ffi.LinuxUapi.EFD_CLOEXEC;
import static io.mptcp.ffi.LinuxUapi.EFD_NONBLOCK;
import static io.mptcp.ffi.LinuxUapi.EPOLLIN;
import static io.mptcp.ffi.LinuxUapi.EPOLL_CTL_ADD;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Native memory freed when its owner says so: {@link NativeBuffer} and the epoll buffer. */
@Timeout(30)
class NativeBufferTest {

    private static BufferPoolMXBean directPool() {
        return ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class).stream()
                .filter(p -> p.getName().equals("direct")).findFirst().orElseThrow();
    }

    @Test
    void aBufferIsZeroedNativeMemoryCountedUntilFreed() {
        // jffi's own set-up, at its first use, allocates a direct buffer of its own.
        NativeBuffer.free(NativeBuffer.allocate(1));
        long count = NativeBuffer.liveCount();
        long bytes = NativeBuffer.liveBytes();
        long reserved = directPool().getMemoryUsed();
        ByteBuffer b = NativeBuffer.allocate(1 << 20);
        assertTrue(b.isDirect());
        assertEquals(0, b.position());
        assertEquals(1 << 20, b.limit());
        for (int i = 0; i < b.capacity(); i += 4096) {
            assertEquals(0, b.get(i), "byte " + i);
        }
        assertEquals(count + 1, NativeBuffer.liveCount());
        assertEquals(bytes + (1 << 20), NativeBuffer.liveBytes());
        // As JDK 25's temporary buffers: not the JDK's direct pool, so not its limit either.
        assertEquals(reserved, directPool().getMemoryUsed());

        NativeBuffer.free(b);
        assertEquals(count, NativeBuffer.liveCount());
        assertEquals(bytes, NativeBuffer.liveBytes());
    }

    @Test
    void freeingTwiceAViewOrAnotherAllocatorsBufferIsRefusedNotACorruptHeap() {
        ByteBuffer b = NativeBuffer.allocate(64);
        assertThrows(IllegalArgumentException.class, () -> NativeBuffer.free(b.slice(8, 8)));
        assertThrows(IllegalArgumentException.class,
                () -> NativeBuffer.free(ByteBuffer.allocateDirect(64)));
        assertThrows(IllegalArgumentException.class,
                () -> NativeBuffer.free(ByteBuffer.allocate(64)));
        NativeBuffer.free(b);
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> NativeBuffer.free(b));
        assertTrue(e.getMessage().contains("freed already"), e.getMessage());
    }

    @Test
    void emptyAndNegativeSizes() {
        ByteBuffer empty = NativeBuffer.allocate(0);
        assertEquals(0, empty.capacity());
        NativeBuffer.free(empty);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> NativeBuffer.allocate(-1));
        assertEquals("negative buffer size: -1", e.getMessage());
    }

    @Test
    void aBufferDroppedWithoutFreeIsFreedOnceUnreachable() throws Exception {
        long bytes = NativeBuffer.liveBytes();
        int size = 32 << 20;
        dropOne(size);
        assertTrue(NativeBuffer.liveBytes() >= bytes + size);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (NativeBuffer.liveBytes() >= bytes + size) {
            assertTrue(System.nanoTime() < deadline, "a dropped buffer was never freed");
            System.gc();
            Thread.sleep(10);
        }
    }

    private static void dropOne(int size) {
        NativeBuffer.allocate(size).put(0, (byte) 1);
    }

    /** The rare calls that get memory of their own per call free it before they return. */
    @Test
    void perCallMemoryOfTheSeamIsFreedBeforeTheCallReturns() throws Exception {
        LinuxSyscalls sys = LinuxSyscalls.system();
        sys.close(sys.open("/proc/self/ns/net", LinuxUapi.O_RDONLY | LinuxUapi.O_CLOEXEC));
        sys.userName(0);
        long directBuffers = directPool().getCount();
        long count = NativeBuffer.liveCount();
        for (int i = 0; i < 500; i++) {
            sys.close(sys.open("/proc/self/ns/net", LinuxUapi.O_RDONLY | LinuxUapi.O_CLOEXEC));
            assertEquals("root", new String(sys.userName(0), StandardCharsets.UTF_8));
            sys.groupName(0);
        }
        assertTrue(directPool().getCount() <= directBuffers,
                "direct buffers left: " + (directPool().getCount() - directBuffers));
        assertTrue(NativeBuffer.liveCount() <= count,
                "native buffers left: " + (NativeBuffer.liveCount() - count));
    }

    @Test
    void anEpollBufferFreesItsMemoryAtCloseAndRefusesUseAfterIt() throws Exception {
        LinuxSyscalls sys = LinuxSyscalls.system();
        long bytes = NativeBuffer.liveBytes();
        EpollEventBuffer events = new EpollEventBuffer(256);
        assertEquals(256 * EpollEventBuffer.SIZEOF_EVENT, events.byteSize());
        assertEquals(bytes + events.byteSize(), NativeBuffer.liveBytes());

        int epfd = sys.epollCreate();
        int efd = sys.eventfd(1, EFD_NONBLOCK | EFD_CLOEXEC);
        try {
            sys.epollCtl(epfd, EPOLL_CTL_ADD, efd, EPOLLIN);
            assertEquals(1, sys.epollWait(epfd, events, 0));
            assertEquals(efd, events.fd(0));

            events.close();
            assertTrue(events.isClosed());
            assertEquals(bytes, NativeBuffer.liveBytes());
            // The kernel must never be handed freed memory, nor may it be read.
            assertThrows(IllegalStateException.class, () -> sys.epollWait(epfd, events, 0));
            assertThrows(IllegalStateException.class, () -> events.fd(0));
            assertThrows(IllegalStateException.class, () -> events.events(0));
            events.close();
            assertEquals(bytes, NativeBuffer.liveBytes());
        } finally {
            sys.close(efd);
            sys.close(epfd);
        }
    }

    @Test
    void anEpollBufferHasABoundedCapacity() {
        assertThrows(IllegalArgumentException.class, () -> new EpollEventBuffer(0));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new EpollEventBuffer(Integer.MAX_VALUE));
        assertTrue(e.getMessage().startsWith("epoll event capacity must be in [1, "),
                e.getMessage());
        assertFalse(new EpollEventBuffer(1).isClosed());
    }
}
