package io.mptcp.nio.internal.fd;

import io.mptcp.ffi.NativeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.ByteBuffer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The pool that virtual threads share instead of a buffer cache each. */
@Timeout(30)
class DirectBufferCacheSharedPoolTest {

    /** Empties the pool (it is static and shared with other tests), freeing what it held. */
    @BeforeEach
    @AfterEach
    void drain() {
        for (int i = 0; i < DirectBufferCache.SharedPool.slots(); i++) {
            ByteBuffer b = DirectBufferCache.SharedPool.take(1);
            NativeBuffer.free(b);
        }
    }

    @Test
    void aReturnedBufferIsTakenAgainWithTheRequestedLimit() {
        ByteBuffer b = DirectBufferCache.SharedPool.take(4096);
        assertTrue(b.isDirect());
        assertEquals(0, b.position());
        assertEquals(4096, b.limit());
        b.position(100);
        DirectBufferCache.SharedPool.offer(b);
        ByteBuffer again = DirectBufferCache.SharedPool.take(1000);
        assertSame(b, again);
        assertEquals(0, again.position());
        assertEquals(1000, again.limit());
        ByteBuffer other = DirectBufferCache.SharedPool.take(1000);
        assertNotSame(again, other, "one taker at a time");
        NativeBuffer.free(again);
        NativeBuffer.free(other);
    }

    @Test
    void aFullPoolKeepsTheLargerBuffersAndFreesTheOthers() {
        // Fill every slot with small buffers, then offer a large one: it replaces a small one,
        // which is freed; a small one offered to the full pool is freed too.
        for (int i = 0; i < DirectBufferCache.SharedPool.slots(); i++) {
            DirectBufferCache.SharedPool.offer(NativeBuffer.allocate(16));
        }
        long count = NativeBuffer.liveCount();
        ByteBuffer large = NativeBuffer.allocate(1 << 16);
        DirectBufferCache.SharedPool.offer(large);
        assertEquals(count, NativeBuffer.liveCount(), "one small buffer was freed");
        DirectBufferCache.SharedPool.offer(NativeBuffer.allocate(16));
        assertEquals(count, NativeBuffer.liveCount(), "no slot for it: freed");
        ByteBuffer taken = DirectBufferCache.SharedPool.take(1 << 15);
        assertSame(large, taken);
        DirectBufferCache.SharedPool.offer(taken);
    }

    @Test
    void aMissFreesACachedBufferSoThePoolDoesNotGrowByEveryLargerRequest() {
        long bytes = NativeBuffer.liveBytes();
        for (int size = 8 << 10; size <= 128 << 10; size += 8 << 10) {
            DirectBufferCache.SharedPool.offer(DirectBufferCache.SharedPool.take(size));
            assertEquals(bytes + size, NativeBuffer.liveBytes(), "after " + size);
        }
    }
}
