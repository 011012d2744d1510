package io.mptcp.nio.internal.fd;

import io.mptcp.ffi.LinuxUapi;
import io.mptcp.ffi.NativeBuffer;
import io.mptcp.ffi.ThreadExit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The per-thread cache's policy, case by case the JDK's ({@code sun.nio.ch.Util} of JDK 17 and
 * 25): what it keeps, what it frees, in which order it hands buffers out.
 */
@Timeout(30)
class DirectBufferCacheTest {
    private static final int K = 1024;

    private final List<DirectBufferCache> caches = new ArrayList<>();

    private DirectBufferCache cache(long maxCachedSize, int poolSize) {
        DirectBufferCache cache = new DirectBufferCache(maxCachedSize, poolSize);
        caches.add(cache);
        return cache;
    }

    @AfterEach
    void freeEverything() {
        caches.forEach(DirectBufferCache::clear);
    }

    @Test
    void aLargerRequestFreesTheFrontBufferInsteadOfGrowingTheCache() {
        DirectBufferCache cache = cache(Long.MAX_VALUE, LinuxUapi.IOV_MAX);
        long bytes = NativeBuffer.liveBytes();
        // The sequence, scaled from MB to KB: 8, 16, ... 128.
        for (int size = 8 * K; size <= 128 * K; size += 8 * K) {
            ByteBuffer b = cache.get(size);
            assertEquals(size, b.limit());
            cache.offerFirst(b);
            assertEquals(1, cache.count(), "after " + size);
            assertEquals(bytes + size, NativeBuffer.liveBytes(), "after " + size);
        }
        assertArrayEquals(new int[] {128 * K}, cache.capacities());
    }

    @Test
    void aCachedBufferLargeEnoughIsReusedWithTheRequestedLimit() {
        DirectBufferCache cache = cache(Long.MAX_VALUE, 4);
        ByteBuffer b = cache.get(4 * K);
        b.position(100);
        cache.offerFirst(b);
        long count = NativeBuffer.liveCount();
        ByteBuffer again = cache.get(K);
        assertSame(b, again);
        assertEquals(0, again.position());
        assertEquals(K, again.limit());
        assertEquals(count, NativeBuffer.liveCount(), "nothing allocated");
        cache.offerFirst(again);
    }

    @Test
    void theSearchStartsAtTheFrontAndTheFrontFillsTheHole() {
        DirectBufferCache cache = cache(Long.MAX_VALUE, 8);
        ByteBuffer a = cache.get(K);
        ByteBuffer b = cache.get(2 * K);
        ByteBuffer c = cache.get(4 * K);
        cache.offerFirst(c);
        cache.offerFirst(b);
        cache.offerFirst(a);
        assertArrayEquals(new int[] {K, 2 * K, 4 * K}, cache.capacities());
        // First fit from the front, not best fit: 1 KiB is too small, 2 KiB fits.
        // The JDK moves the front buffer into the hole and takes the front slot away.
        assertSame(b, cache.get(1500));
        assertArrayEquals(new int[] {K, 4 * K}, cache.capacities());
        assertSame(c, cache.get(3 * K));
        assertArrayEquals(new int[] {K}, cache.capacities());
        cache.offerFirst(b);
        cache.offerFirst(c);
    }

    @Test
    void scatterGatherBuffersGoBackInTheOrderTheyWereTaken() {
        DirectBufferCache cache = cache(Long.MAX_VALUE, 8);
        ByteBuffer first = cache.get(K);
        ByteBuffer second = cache.get(2 * K);
        ByteBuffer third = cache.get(3 * K);
        cache.offerLast(first);
        cache.offerLast(second);
        cache.offerLast(third);
        assertArrayEquals(new int[] {K, 2 * K, 3 * K}, cache.capacities());
        // The next gathering call of the same shape gets the same buffers in the same order.
        assertSame(first, cache.get(K));
        assertSame(second, cache.get(2 * K));
        assertSame(third, cache.get(3 * K));
        cache.offerLast(first);
        cache.offerLast(second);
        cache.offerLast(third);
    }

    @Test
    void aFullCacheFreesWhatItCannotKeep() {
        DirectBufferCache cache = cache(Long.MAX_VALUE, 2);
        ByteBuffer a = cache.get(K);
        ByteBuffer b = cache.get(K);
        ByteBuffer c = cache.get(K);
        long count = NativeBuffer.liveCount();
        cache.offerFirst(a);
        cache.offerLast(b);
        cache.offerFirst(c);
        assertEquals(2, cache.count());
        assertEquals(count - 1, NativeBuffer.liveCount(), "the third is freed, not dropped");
        assertThrows(IllegalArgumentException.class, () -> NativeBuffer.free(c),
                "c was freed already");
    }

    @Test
    void theDefaultPoolIsIovMaxBuffersDeep() {
        assertEquals(LinuxUapi.IOV_MAX, DirectBufferCache.POOL_SIZE);
        DirectBufferCache cache = cache(Long.MAX_VALUE, DirectBufferCache.POOL_SIZE);
        List<ByteBuffer> taken = new ArrayList<>();
        for (int i = 0; i <= DirectBufferCache.POOL_SIZE; i++) {
            taken.add(cache.get(16));
        }
        long count = NativeBuffer.liveCount();
        taken.forEach(cache::offerLast);
        assertEquals(DirectBufferCache.POOL_SIZE, cache.count());
        assertEquals(count - 1, NativeBuffer.liveCount());
    }

    @Test
    void buffersLargerThanTheLimitAreNeverCachedAndLeaveTheCacheAlone() {
        DirectBufferCache cache = cache(64 * K, 8);
        ByteBuffer small = cache.get(16 * K);
        cache.offerFirst(small);
        long bytes = NativeBuffer.liveBytes();

        ByteBuffer large = cache.get(64 * K + 1);
        assertEquals(bytes + 64 * K + 1, NativeBuffer.liveBytes());
        assertArrayEquals(new int[] {16 * K}, cache.capacities(), "the cached one is kept");
        cache.offerFirst(large);
        assertEquals(bytes, NativeBuffer.liveBytes(), "freed at release");
        assertArrayEquals(new int[] {16 * K}, cache.capacities());

        // At the limit is still cached, as in the JDK (size > max is too large).
        ByteBuffer atLimit = cache.get(64 * K);
        cache.offerFirst(atLimit);
        assertArrayEquals(new int[] {64 * K}, cache.capacities());
    }

    @Test
    void aLimitOfZeroCachesNothing() {
        DirectBufferCache cache = cache(0, 8);
        long bytes = NativeBuffer.liveBytes();
        cache.offerFirst(cache.get(K));
        cache.offerLast(cache.get(K));
        assertEquals(0, cache.count());
        assertEquals(bytes, NativeBuffer.liveBytes());
    }

    @Test
    void thePropertyIsReadAsTheJdkReadsIt() {
        assertEquals(Long.MAX_VALUE, DirectBufferCache.maxCachedSize(null));
        assertEquals(262144, DirectBufferCache.maxCachedSize("262144"));
        assertEquals(0, DirectBufferCache.maxCachedSize("0"));
        assertEquals(Long.MAX_VALUE, DirectBufferCache.maxCachedSize("-1"));
        assertEquals(Long.MAX_VALUE, DirectBufferCache.maxCachedSize("1m"));
        assertEquals(Long.MAX_VALUE, DirectBufferCache.maxCachedSize(" 1024"));
        assertEquals(Long.MAX_VALUE, DirectBufferCache.maxCachedSize(""));
    }

    @Test
    void theStaticPathUsesThisThreadsCacheWithTheSamePolicy() {
        DirectBufferCache mine = DirectBufferCache.current();
        mine.clear();
        long bytes = NativeBuffer.liveBytes();
        ByteBuffer a = DirectBufferCache.acquire(8 * K);
        DirectBufferCache.release(a);
        ByteBuffer b = DirectBufferCache.acquire(16 * K);
        DirectBufferCache.release(b);
        assertEquals(1, mine.count());
        assertEquals(bytes + 16 * K, NativeBuffer.liveBytes());
        mine.clear();
        assertEquals(bytes, NativeBuffer.liveBytes());
    }

    @Test
    void theCacheOfAThreadThatEndedIsFreedWithoutACollection() throws Exception {
        ByteBuffer[] cached = new ByteBuffer[1];
        CountDownLatch released = new CountDownLatch(1);
        CountDownLatch end = new CountDownLatch(1);
        Thread t = new Thread(() -> {
            cached[0] = DirectBufferCache.acquire(K);
            DirectBufferCache.release(cached[0]);
            released.countDown();
            awaitQuietly(end);
        });
        t.start();
        released.await();
        assertTrue(ThreadExit.awaitCheck(Duration.ofSeconds(10)));
        assertTrue(NativeBuffer.isLive(cached[0]), "freed while its thread lives");
        end.countDown();
        t.join();
        // The thread and the buffer stay reachable here: what frees it is the thread's end.
        assertTrue(ThreadExit.awaitCheck(Duration.ofSeconds(10)));
        assertTrue(!NativeBuffer.isLive(cached[0]), "the ended thread's cached buffer was kept");
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
