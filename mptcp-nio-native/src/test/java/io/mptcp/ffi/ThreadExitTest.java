package io.mptcp.ffi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Per-thread native memory freed when its thread ends, without a garbage collection. */
@Timeout(30)
class ThreadExitTest {
    private static final Duration PROMPTLY = Duration.ofSeconds(10);

    @Test
    void theActionRunsOnceAfterTheThreadEndedAndNotBefore() throws Exception {
        AtomicInteger runs = new AtomicInteger();
        CountDownLatch end = new CountDownLatch(1);
        Thread t = new Thread(() -> await(end));
        t.start();
        ThreadExit.whenEnded(t, runs::incrementAndGet);
        assertTrue(ThreadExit.awaitCheck(PROMPTLY));
        assertEquals(0, runs.get(), "ran while the thread lives");

        end.countDown();
        t.join();
        assertTrue(ThreadExit.awaitCheck(PROMPTLY));
        assertEquals(1, runs.get());
        assertTrue(ThreadExit.awaitCheck(PROMPTLY));
        assertEquals(1, runs.get(), "ran twice");
    }

    @Test
    void aFailingActionDoesNotStopTheOthers() throws Exception {
        AtomicInteger runs = new AtomicInteger();
        Thread t = new Thread(() -> { });
        ThreadExit.whenEnded(t, () -> {
            throw new IllegalStateException("expected by the test");
        });
        ThreadExit.whenEnded(t, runs::incrementAndGet);
        t.start();
        t.join();
        assertTrue(ThreadExit.awaitCheck(PROMPTLY));
        assertEquals(1, runs.get());
    }

    @Test
    void virtualThreadsAreNotWatched() throws Exception {
        assumeTrue(Runtime.version().feature() >= 21, "virtual threads need JDK 21+");
        Thread virtual = (Thread) Thread.class.getMethod("startVirtualThread", Runnable.class)
                .invoke(null, (Runnable) () -> { });
        virtual.join();
        assertTrue(ThreadExit.isVirtual(virtual));
        assertThrows(IllegalArgumentException.class, () -> ThreadExit.whenEnded(virtual, () -> {
        }));
    }

    @Test
    void aPlatformThreadsScratchIsFreedWhenItEnds() throws Exception {
        Scratch[] scratch = new Scratch[1];
        ByteBuffer[] iovecs = new ByteBuffer[2];
        Thread t = new Thread(() -> {
            Scratch s = Scratch.get();
            scratch[0] = s;
            ByteBuffer one = NativeBuffer.allocate(1);
            try {
                s.iovecs(new ByteBuffer[] {one}, 0, 1, true);
                iovecs[0] = s.iovecArray();
                ByteBuffer[] many = new ByteBuffer[100];
                Arrays.fill(many, one);
                s.iovecs(many, 0, many.length, true);
                iovecs[1] = s.iovecArray();
            } finally {
                NativeBuffer.free(one);
            }
        });
        t.start();
        t.join();
        assertFalse(ThreadExit.isVirtual(t));
        assertNotSame(iovecs[0], iovecs[1]);
        assertFalse(NativeBuffer.isLive(iovecs[0]), "the outgrown iovec array is freed at once");
        assertTrue(ThreadExit.awaitCheck(PROMPTLY));
        assertFalse(NativeBuffer.isLive(scratch[0].small), "the ended thread's scratch is kept");
        assertFalse(NativeBuffer.isLive(iovecs[1]), "the ended thread's iovecs are kept");
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
