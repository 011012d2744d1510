package io.mptcp.nio.contract;

import static org.junit.jupiter.api.Assertions.assertSame;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.channels.Pipe;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.spi.SelectorProvider;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Timeout;

import io.mptcp.nio.contract.ContractSupport.Task;

/**
 * Root of every contract suite: the provider under test, and factories that open everything
 * through it (never through the static {@code open()} methods, which would use the JVM-wide
 * provider) and close it after each test, passed or failed.
 *
 * <p>Each test runs on its own thread with a deadline ({@code SEPARATE_THREAD}), so that an
 * implementation stuck in a native call that ignores interrupts fails the test instead of
 * hanging the build.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
abstract class ChannelContract {

    /** Resources opened by the current test, closed in reverse order after it. */
    private final Deque<AutoCloseable> resources = new ConcurrentLinkedDeque<>();

    /** The provider whose channels and selectors are under test. */
    protected abstract SelectorProvider provider();

    /** A loopback connection: the listener, the connecting side and the accepted side. */
    record Pair(ServerSocketChannel server, SocketChannel client, SocketChannel accepted) {
    }

    /** Closes {@code resource} after the test. */
    protected final <T extends AutoCloseable> T track(T resource) {
        resources.push(resource);
        return resource;
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
            AssertionError error = new AssertionError("closing test resources failed");
            failures.forEach(error::addSuppressed);
            throw error;
        }
    }

    protected final SocketChannel openSocketChannel() throws IOException {
        SocketChannel ch = track(provider().openSocketChannel());
        assertSame(provider(), ch.provider(), "channel's provider()");
        return ch;
    }

    protected final ServerSocketChannel openServerSocketChannel() throws IOException {
        ServerSocketChannel ch = track(provider().openServerSocketChannel());
        assertSame(provider(), ch.provider(), "channel's provider()");
        return ch;
    }

    protected final Selector openSelector() throws IOException {
        Selector selector = track(provider().openSelector());
        assertSame(provider(), selector.provider(), "selector's provider()");
        return selector;
    }

    protected final Pipe openPipe() throws IOException {
        Pipe pipe = provider().openPipe();
        track(pipe.source());
        track(pipe.sink());
        return pipe;
    }

    /** A blocking server channel listening on {@code host}, ephemeral port. */
    protected final ServerSocketChannel listen(InetAddress host, int backlog) throws IOException {
        ServerSocketChannel server = openServerSocketChannel();
        server.bind(new InetSocketAddress(host, 0), backlog);
        return server;
    }

    protected final ServerSocketChannel listen(InetAddress host) throws IOException {
        return listen(host, 50);
    }

    /** A blocking connection over {@code host}. */
    protected final Pair connectedPair(InetAddress host) throws IOException {
        ServerSocketChannel server = listen(host);
        SocketChannel client = openSocketChannel();
        client.connect(server.getLocalAddress());
        SocketChannel accepted = track(server.accept());
        return new Pair(server, client, accepted);
    }

    protected final Pair connectedPair() throws IOException {
        return connectedPair(ContractSupport.LOOPBACK_V4);
    }

    /**
     * The address of a loopback listener whose connect attempts hang: it never accepts, has
     * backlog 1, and is full. Linux queues backlog + 1 completed connections and then drops
     * further SYNs (SYN cookies do not apply to a full accept queue), so a connect stays in
     * SYN_SENT until it times out. The queue is filled until a filler connection times out,
     * which proves the listener now drops SYNs. The listener and the fillers are the JDK's, so
     * that this black hole is the same for every provider under test. Aborts the test visibly
     * if the kernel does not behave so.
     */
    protected final InetSocketAddress unresponsiveListener() throws IOException {
        ServerSocketChannel listener = track(Providers.jdk().openServerSocketChannel());
        listener.bind(new InetSocketAddress(ContractSupport.LOOPBACK_V4, 0), 1);
        InetSocketAddress target = (InetSocketAddress) listener.getLocalAddress();
        for (int i = 0; i < 16; i++) {
            SocketChannel filler = track(Providers.jdk().openSocketChannel());
            try {
                filler.socket().connect(target, 1000);
            } catch (SocketTimeoutException e) {
                return target;
            }
        }
        Assumptions.abort("16 connections to a listener with backlog 1 all completed: this"
                + " kernel does not drop SYNs on a full accept queue");
        throw new AssertionError("unreachable");
    }

    /** Runs {@code call} on a new thread, interrupted and joined after the test if still alive. */
    protected final <T> Task<T> start(String name, Callable<T> call) {
        return track(Task.start(name, call));
    }

    /** Like {@link #start}, on a thread that interrupts itself before the call. */
    protected final <T> Task<T> startInterrupted(String name, Callable<T> call) {
        return track(Task.startInterrupted(name, call));
    }
}
