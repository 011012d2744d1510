package io.mptcp.nio.contract.async;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousChannelGroup;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.AsynchronousServerSocketChannel;
import java.nio.channels.AsynchronousSocketChannel;
import java.nio.channels.CompletionHandler;
import java.nio.channels.IllegalChannelGroupException;
import java.nio.channels.ShutdownChannelGroupException;
import java.nio.channels.spi.AsynchronousChannelProvider;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

/**
 * Channel groups: whose threads run the handlers for each kind of pool, how deep handlers nest
 * on one thread, shutdown, shutdownNow, termination, and groups of another provider.
 */
abstract class AsyncGroupContract extends AsyncContract {

    /** Threads made by one test's factory, to recognise them. */
    private static final class CountingFactory implements ThreadFactory {
        final Set<Thread> made = ConcurrentHashMap.newKeySet();

        @Override
        public Thread newThread(Runnable r) {
            Thread t = new Thread(r, "contract-group-" + made.size());
            t.setDaemon(true);
            made.add(t);
            return t;
        }
    }

    @Test
    void fixedPoolRunsHandlersOnItsOwnThreads() throws Exception {
        CountingFactory factory = new CountingFactory();
        AsynchronousChannelGroup group = trackGroup(
                provider().openAsynchronousChannelGroup(3, factory));
        assertSame(provider(), group.provider());
        Pair p = connect(group);
        Completion<Integer> read = new Completion<>();
        p.client().read(ByteBuffer.allocate(4), 0, TimeUnit.SECONDS, null, read);
        writeFully(p.accepted(), new byte[] {1, 2});
        assertEquals(2, read.await());
        assertTrue(factory.made.contains(read.thread), read.thread + " is the group's");
        assertEquals(3, factory.made.size(), "a fixed pool starts all its threads");

        Completion<Integer> write = new Completion<>();
        p.client().write(ByteBuffer.wrap(new byte[] {3}), 0, TimeUnit.SECONDS, null, write);
        assertEquals(1, write.await());
        assertTrue(factory.made.contains(write.thread),
                "a handler of an operation started outside the group runs on the group");
    }

    @Test
    void cachedAndUserPoolsRunHandlersOnTheExecutor() throws Exception {
        CountingFactory factory = new CountingFactory();
        ExecutorService executor = Executors.newCachedThreadPool(factory);
        AsynchronousChannelGroup group = trackGroup(
                provider().openAsynchronousChannelGroup(executor, 1));
        Pair p = connect(group);
        Completion<Integer> read = new Completion<>();
        p.client().read(ByteBuffer.allocate(4), 0, TimeUnit.SECONDS, null, read);
        writeFully(p.accepted(), new byte[] {1});
        assertEquals(1, read.await());
        assertTrue(factory.made.contains(read.thread), "handlers run on the executor");

        CountingFactory other = new CountingFactory();
        ExecutorService single = Executors.newSingleThreadExecutor(other);
        AsynchronousChannelGroup user = trackGroup(
                provider().openAsynchronousChannelGroup(single, 0));
        Pair q = connect(user);
        Completion<Integer> r2 = new Completion<>();
        q.client().read(ByteBuffer.allocate(4), 0, TimeUnit.SECONDS, null, r2);
        writeFully(q.accepted(), new byte[] {2});
        assertEquals(1, r2.await());
        assertTrue(other.made.contains(r2.thread), "withThreadPool: the executor's thread");
    }

    @Test
    void handlersNestAtMostSixteenDeepThenGoThroughThePool() throws Exception {
        AsynchronousChannelGroup group = trackGroup(
                provider().openAsynchronousChannelGroup(2, new CountingFactory()));
        Pair p = connect(group);
        int total = 200;
        writeFully(p.accepted(), new byte[total]);
        // Wait until every byte is readable, so that each 1-byte read completes at once.
        Thread.sleep(200);
        // Per thread: once the bound is reached the next completion runs on another thread,
        // which may start while this one unwinds.
        ThreadLocal<int[]> depth = ThreadLocal.withInitial(() -> new int[1]);
        AtomicInteger maxDepth = new AtomicInteger();
        AtomicInteger count = new AtomicInteger();
        CountDownLatch done = new CountDownLatch(1);
        ByteBuffer one = ByteBuffer.allocate(1);
        p.client().read(one, null, new CompletionHandler<Integer, Object>() {
            @Override
            public void completed(Integer n, Object att) {
                int d = ++depth.get()[0];
                maxDepth.accumulateAndGet(d, Math::max);
                try {
                    if (count.incrementAndGet() == total) {
                        done.countDown();
                        return;
                    }
                    one.clear();
                    p.client().read(one, null, this);
                } finally {
                    depth.get()[0]--;
                }
            }

            @Override
            public void failed(Throwable exc, Object att) {
                done.countDown();
            }
        });
        assertTrue(done.await(STEP_SECONDS, TimeUnit.SECONDS));
        assertEquals(total, count.get());
        // The event loop's own call, then 16 direct ones (sun.nio.ch.maxCompletionHandlersOnStack).
        assertEquals(17, maxDepth.get(), "handlers nested on one thread");
    }

    @Test
    void shutdownWaitsForTheLastChannelThenTerminates() throws Exception {
        AsynchronousChannelGroup group = provider().openAsynchronousChannelGroup(2,
                new CountingFactory());
        AsynchronousSocketChannel ch = provider().openAsynchronousSocketChannel(group);
        group.shutdown();
        assertTrue(group.isShutdown());
        assertFalse(group.isTerminated(), "a channel is still open");
        assertFalse(group.awaitTermination(200, TimeUnit.MILLISECONDS));
        assertThrows(ShutdownChannelGroupException.class,
                () -> provider().openAsynchronousSocketChannel(group));
        assertThrows(ShutdownChannelGroupException.class,
                () -> provider().openAsynchronousServerSocketChannel(group));
        group.shutdown();
        ch.close();
        assertTrue(group.awaitTermination(STEP_SECONDS, TimeUnit.SECONDS));
        assertTrue(group.isTerminated());
    }

    @Test
    void shutdownNowClosesEveryChannel() throws Exception {
        AsynchronousChannelGroup group = provider().openAsynchronousChannelGroup(
                Executors.newCachedThreadPool(new CountingFactory()), 0);
        AsynchronousServerSocketChannel server = track(
                provider().openAsynchronousServerSocketChannel(group));
        server.bind(null);
        Future<AsynchronousSocketChannel> accept = server.accept();
        AsynchronousSocketChannel ch = track(provider().openAsynchronousSocketChannel(group));
        group.shutdownNow();
        assertFalse(server.isOpen());
        assertFalse(ch.isOpen());
        failure(accept, AsynchronousCloseException.class);
        assertTrue(group.awaitTermination(STEP_SECONDS, TimeUnit.SECONDS));
    }

    @Test
    void emptyGroupTerminatesAtShutdown() throws Exception {
        AsynchronousChannelGroup group = provider().openAsynchronousChannelGroup(1,
                new CountingFactory());
        assertFalse(group.isShutdown());
        group.shutdown();
        assertTrue(group.awaitTermination(STEP_SECONDS, TimeUnit.SECONDS));
    }

    @Test
    void groupOfAnotherProviderIsRefused() throws Exception {
        AsynchronousChannelProvider other = provider() == AsyncProviders.MPTCP
                ? AsyncProviders.jdk() : AsyncProviders.MPTCP;
        AsynchronousChannelGroup foreign = trackGroup(other.openAsynchronousChannelGroup(1,
                new CountingFactory()));
        assertNotSame(provider(), foreign.provider());
        assertThrows(IllegalChannelGroupException.class,
                () -> provider().openAsynchronousSocketChannel(foreign));
        assertThrows(IllegalChannelGroupException.class,
                () -> provider().openAsynchronousServerSocketChannel(foreign));
    }

    @Test
    void badArgumentsAreRefused() {
        assertThrows(IllegalArgumentException.class,
                () -> provider().openAsynchronousChannelGroup(0, new CountingFactory()));
        assertThrows(NullPointerException.class,
                () -> provider().openAsynchronousChannelGroup(null, 0));
    }
}
