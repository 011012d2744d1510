package io.mptcp.nio.internal.async;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The thread pool of one group, as the JDK's {@code sun.nio.ch.ThreadPool} describes it.
 *
 * @param executor runs the group's tasks (and, for a fixed pool, its event loops)
 * @param fixed whether the pool's threads are the group's only threads: they wait for I/O
 *     events themselves, and tasks reach them through the group's queue
 * @param poolSize for a fixed pool its size; otherwise how many event loops run on the
 *     executor next to the internal threads
 */
record GroupPool(ExecutorService executor, boolean fixed, int poolSize) {

    static final String FACTORY_PROPERTY = "java.nio.channels.DefaultThreadPool.threadFactory";
    static final String INITIAL_SIZE_PROPERTY = "java.nio.channels.DefaultThreadPool.initialSize";

    private static final AtomicInteger THREADS = new AtomicInteger();

    /**
     * Daemon threads for what the application must not see (the internal event loops and the
     * timeout timer) and for the default group without a factory property, as the JDK's.
     */
    static ThreadFactory daemonThreads(String role) {
        return r -> {
            Thread t = new Thread(r, "mptcp-nio-async-" + role + "-" + THREADS.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    /**
     * The default group's pool, read from the JDK's two properties as the JDK reads them: a
     * cached pool of threads from {@code threadFactory} (a class name, instantiated with the
     * system class loader), with {@code initialSize} event loops (default: the number of
     * CPUs). A bad value is an {@link Error}, as in the JDK, since there is no caller to tell.
     */
    static GroupPool createDefault() {
        int initialSize = defaultInitialSize();
        if (initialSize < 0) {
            initialSize = Runtime.getRuntime().availableProcessors();
        }
        ThreadFactory factory = defaultFactory();
        if (factory == null) {
            factory = daemonThreads("default");
        }
        return new GroupPool(Executors.newCachedThreadPool(factory), false, initialSize);
    }

    /** {@code withFixedThreadPool}. */
    static GroupPool fixed(int nThreads, ThreadFactory factory) {
        if (nThreads <= 0) {
            throw new IllegalArgumentException("'nThreads' must be > 0");
        }
        return new GroupPool(Executors.newFixedThreadPool(nThreads, factory), true, nThreads);
    }

    /**
     * {@code withCachedThreadPool} / {@code withThreadPool}: the application's executor. The
     * JDK's rule, kept to the letter: a {@code ThreadPoolExecutor} without a maximum gets one
     * event loop per CPU when {@code initialSize} is negative and none otherwise; any other
     * executor gets {@code initialSize} (none when negative).
     */
    static GroupPool wrap(ExecutorService executor, int initialSize) {
        if (executor == null) {
            throw new NullPointerException("'executor' is null");
        }
        int size = initialSize;
        if (executor instanceof ThreadPoolExecutor) {
            if (((ThreadPoolExecutor) executor).getMaximumPoolSize() == Integer.MAX_VALUE) {
                size = initialSize < 0 ? Runtime.getRuntime().availableProcessors() : 0;
            }
        } else if (size < 0) {
            size = 0;
        }
        return new GroupPool(executor, false, size);
    }

    private static int defaultInitialSize() {
        String value = System.getProperty(INITIAL_SIZE_PROPERTY);
        if (value == null) {
            return -1;
        }
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new Error("Value of property '" + INITIAL_SIZE_PROPERTY + "' is invalid: " + e,
                    e);
        }
    }

    private static ThreadFactory defaultFactory() {
        String value = System.getProperty(FACTORY_PROPERTY);
        if (value == null) {
            return null;
        }
        try {
            Class<?> type = Class.forName(value, true, ClassLoader.getSystemClassLoader());
            return (ThreadFactory) type.getDeclaredConstructor().newInstance();
        } catch (ReflectiveOperationException | ClassCastException e) {
            throw new Error("Property '" + FACTORY_PROPERTY + "': cannot make a ThreadFactory"
                    + " of " + value + ": " + e, e);
        }
    }
}
