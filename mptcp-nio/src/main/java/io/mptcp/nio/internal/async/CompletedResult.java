package io.mptcp.nio.internal.async;

import java.io.IOException;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * The future of an operation that completed when it was initiated, as the JDK's
 * {@code CompletedFuture}: a failure that is neither an {@link IOException} nor a
 * {@link SecurityException} is wrapped in an {@code IOException}.
 */
final class CompletedResult<V> implements Future<V> {
    private final V value;
    private final Throwable exc;

    private CompletedResult(V value, Throwable exc) {
        this.value = value;
        this.exc = exc;
    }

    static <V> CompletedResult<V> of(V value, Throwable exc) {
        if (exc == null) {
            return new CompletedResult<>(value, null);
        }
        return failed(exc);
    }

    static <V> CompletedResult<V> failed(Throwable exc) {
        Throwable e = exc instanceof IOException || exc instanceof SecurityException
                ? exc : new IOException(exc);
        return new CompletedResult<>(null, e);
    }

    @Override
    public V get() throws ExecutionException {
        if (exc != null) {
            throw new ExecutionException(exc);
        }
        return value;
    }

    @Override
    public V get(long timeout, TimeUnit unit) throws ExecutionException {
        Objects.requireNonNull(unit, "unit");
        return get();
    }

    @Override
    public boolean isCancelled() {
        return false;
    }

    @Override
    public boolean isDone() {
        return true;
    }

    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
        return false;
    }
}
