package io.mptcp.nio.contract.async;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousChannelGroup;
import java.nio.channels.AsynchronousServerSocketChannel;
import java.nio.channels.AsynchronousSocketChannel;
import java.nio.channels.CompletionHandler;
import java.nio.channels.spi.AsynchronousChannelProvider;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;

/**
 * Root of the asynchronous-channel suites: the provider under test, factories that open
 * everything through it (never through the static {@code open()} methods, which use the
 * JVM-wide provider), and cleanup after each test, passed or failed.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
abstract class AsyncContract {

    /** How long a step that should complete at once may take. */
    static final long STEP_SECONDS = 10;

    private final Deque<AutoCloseable> resources = new ConcurrentLinkedDeque<>();

    /** The provider whose channels and groups are under test. */
    protected abstract AsynchronousChannelProvider provider();

    /** A loopback connection: listener, connecting side, accepted side. */
    record Pair(AsynchronousServerSocketChannel server, AsynchronousSocketChannel client,
            AsynchronousSocketChannel accepted) {
    }

    protected final <T extends AutoCloseable> T track(T resource) {
        resources.push(resource);
        return resource;
    }

    /** Shuts a group down (now) after the test. */
    protected final AsynchronousChannelGroup trackGroup(AsynchronousChannelGroup group) {
        resources.push(() -> {
            group.shutdownNow();
            group.awaitTermination(STEP_SECONDS, TimeUnit.SECONDS);
        });
        return group;
    }

    @AfterEach
    final void closeTracked() throws Exception {
        List<Exception> failures = new ArrayList<>();
        AutoCloseable resource;
        while ((resource = resources.poll()) != null) {
            try {
                resource.close();
            } catch (Exception e) {
                failures.add(e);
            }
        }
        if (!failures.isEmpty()) {
            Exception first = failures.get(0);
            failures.subList(1, failures.size()).forEach(first::addSuppressed);
            throw first;
        }
    }

    protected final AsynchronousServerSocketChannel listen(AsynchronousChannelGroup group)
            throws IOException {
        AsynchronousServerSocketChannel server =
                track(provider().openAsynchronousServerSocketChannel(group));
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        return server;
    }

    protected final AsynchronousSocketChannel open(AsynchronousChannelGroup group)
            throws IOException {
        return track(provider().openAsynchronousSocketChannel(group));
    }

    /** A connection on loopback, both channels in {@code group} (null: the default group). */
    protected final Pair connect(AsynchronousChannelGroup group) throws Exception {
        AsynchronousServerSocketChannel server = listen(group);
        AsynchronousSocketChannel client = open(group);
        Future<AsynchronousSocketChannel> accept = server.accept();
        client.connect(server.getLocalAddress()).get(STEP_SECONDS, TimeUnit.SECONDS);
        AsynchronousSocketChannel accepted = track(accept.get(STEP_SECONDS, TimeUnit.SECONDS));
        return new Pair(server, client, accepted);
    }

    /** A completion handler as a future: the result, or the failure as the future's cause. */
    static final class Completion<V> extends CompletableFuture<V>
            implements CompletionHandler<V, Object> {
        volatile Object attachment;
        volatile Thread thread;

        @Override
        public void completed(V result, Object att) {
            attachment = att;
            thread = Thread.currentThread();
            complete(result);
        }

        @Override
        public void failed(Throwable exc, Object att) {
            attachment = att;
            thread = Thread.currentThread();
            completeExceptionally(exc);
        }

        V await() throws Exception {
            return get(STEP_SECONDS, TimeUnit.SECONDS);
        }

        /** The failure, which must be of {@code type}. */
        <T extends Throwable> T failure(Class<T> type) {
            ExecutionException e = assertThrows(ExecutionException.class,
                    () -> get(STEP_SECONDS, TimeUnit.SECONDS));
            return assertInstanceOf(type, e.getCause());
        }
    }

    /** The failure of a future, which must be of {@code type}. */
    static <T extends Throwable> T failure(Future<?> future, Class<T> type) {
        ExecutionException e = assertThrows(ExecutionException.class,
                () -> future.get(STEP_SECONDS, TimeUnit.SECONDS));
        return assertInstanceOf(type, e.getCause());
    }

    /** Writes all of {@code data} with futures. */
    static void writeFully(AsynchronousSocketChannel ch, byte[] data) throws Exception {
        ByteBuffer src = ByteBuffer.wrap(data);
        while (src.hasRemaining()) {
            ch.write(src).get(STEP_SECONDS, TimeUnit.SECONDS);
        }
    }

    /** Reads exactly {@code n} bytes with futures. */
    static byte[] readFully(AsynchronousSocketChannel ch, int n) throws Exception {
        ByteBuffer dst = ByteBuffer.allocate(n);
        while (dst.hasRemaining()) {
            int r = ch.read(dst).get(STEP_SECONDS, TimeUnit.SECONDS);
            assertEquals(true, r >= 0, "no end of stream before " + n + " bytes");
        }
        return dst.array();
    }
}
