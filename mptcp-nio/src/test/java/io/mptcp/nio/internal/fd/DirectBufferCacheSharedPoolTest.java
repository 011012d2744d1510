package io.mptcp.nio.internal.fd;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The pool that virtual threads share instead of a buffer cache each. */
class DirectBufferCacheSharedPoolTest {

    /** Empties the pool (it is static and shared with other tests). */
    private static void drain() {
        for (int i = 0; i < DirectBufferCache.SharedPool.slots(); i++) {
            DirectBufferCache.SharedPool.take(1);
        }
    }

    @Test
    void aReturnedBufferIsTakenAgainWithTheRequestedLimit() {
        drain();
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
        assertNotSame(again, DirectBufferCache.SharedPool.take(1000), "one taker at a time");
    }

    @Test
    void aBufferTooSmallIsNotTakenAndAFullPoolKeepsTheLargerBuffers() {
        drain();
        ByteBuffer small = ByteBuffer.allocateDirect(16);
        DirectBufferCache.SharedPool.offer(small);
        assertNotSame(small, DirectBufferCache.SharedPool.take(64));
        // Fill every slot with small buffers, then offer a large one: it replaces a small one.
        for (int i = 0; i < DirectBufferCache.SharedPool.slots(); i++) {
            DirectBufferCache.SharedPool.offer(ByteBuffer.allocateDirect(16));
        }
        ByteBuffer large = ByteBuffer.allocateDirect(1 << 16);
        DirectBufferCache.SharedPool.offer(large);
        assertSame(large, DirectBufferCache.SharedPool.take(1 << 15));
    }
}
