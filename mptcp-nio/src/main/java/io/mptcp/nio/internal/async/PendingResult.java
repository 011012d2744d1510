package io.mptcp.nio.internal.async;

import java.io.IOException;
import java.nio.channels.AsynchronousChannel;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The future of a pending operation, as the JDK's {@code PendingFuture}: the first result
 * wins; {@code cancel} tells the channel (which then refuses further operations of that kind,
 * since the cancelled one may have transferred data) and, with {@code mayInterruptIfRunning},
 * closes it.
 */
final class PendingResult<V> implements Future<V> {

    /** What a channel does when one of its operations is cancelled. */
    interface Cancellable {
        void onCancel(PendingResult<?> cancelled);
    }

    private final AsynchronousChannel channel;
    private final Object context;

    // Guarded by this; written once.
    private volatile boolean done;
    private volatile V value;
    private volatile Throwable exc;
    private CountDownLatch latch;

    PendingResult(AsynchronousChannel channel, Object context) {
        this.channel = channel;
        this.context = context;
    }

    /** Which operation this is, for the channel's {@code onCancel}. */
    Object context() {
        return context;
    }

    void setResult(V result, Throwable failure) {
        Throwable e = failure == null || failure instanceof IOException
                ? failure : new IOException(failure);
        synchronized (this) {
            if (done) {
                return;
            }
            value = result;
            exc = e;
            done = true;
            if (latch != null) {
                latch.countDown();
            }
        }
    }

    void setFailure(Throwable failure) {
        setResult(null, failure);
    }

    // The latch to wait on, or null when the result is there.
    private synchronized CountDownLatch latch() {
        if (done) {
            return null;
        }
        if (latch == null) {
            latch = new CountDownLatch(1);
        }
        return latch;
    }

    @Override
    public V get() throws ExecutionException, InterruptedException {
        if (!done) {
            CountDownLatch l = latch();
            if (l != null) {
                l.await();
            }
        }
        return report();
    }

    @Override
    public V get(long timeout, TimeUnit unit)
            throws ExecutionException, InterruptedException, TimeoutException {
        if (!done) {
            CountDownLatch l = latch();
            if (l != null && !l.await(timeout, unit)) {
                throw new TimeoutException();
            }
        }
        return report();
    }

    private V report() throws ExecutionException {
        Throwable e = exc;
        if (e != null) {
            if (e instanceof CancellationException) {
                throw new CancellationException();
            }
            throw new ExecutionException(e);
        }
        return value;
    }

    @Override
    public boolean isCancelled() {
        return exc instanceof CancellationException;
    }

    @Override
    public boolean isDone() {
        return done;
    }

    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
        CountDownLatch l;
        synchronized (this) {
            if (done) {
                return false;
            }
            if (channel instanceof Cancellable) {
                ((Cancellable) channel).onCancel(this);
            }
            exc = new CancellationException();
            done = true;
            l = latch;
        }
        if (mayInterruptIfRunning) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // Cancelled either way; the close failure has nowhere to go, as in the JDK.
            }
        }
        if (l != null) {
            l.countDown();
        }
        return true;
    }
}
