package io.mptcp.it.support;

import io.mptcp.ffi.ErrnoException;
import io.mptcp.ffi.LinuxSyscalls;
import io.mptcp.ffi.LinuxUapi;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One dedicated platform thread that lives in a network namespace and runs the tasks given to
 * it, one at a time.
 *
 * <p>The thread enters the namespace once, when it starts: it opens {@code /var/run/netns/NAME}
 * (the handle {@code ip netns add} pins) and calls {@code setns(fd, CLONE_NEWNET)}, which moves
 * the calling thread, and only it, into that namespace. A socket belongs to the namespace of the
 * thread that created it, for its whole life; so a channel opened by a task here lives in the
 * namespace (its addresses, routes, sysctls, path manager), and can afterwards be used from any
 * thread of the JVM. This is how one JVM drives a client and a server in two namespaces.
 *
 * <p>Rules that keep other threads out of the namespace: the thread is never shared (it is not a
 * pool worker and never returns to one), and tasks must not start threads, processes or thread
 * pools, nor touch lazily started JVM-wide pools (the common fork-join pool,
 * {@code CompletableFuture.*Async}): Linux gives a new thread the namespaces of the thread that
 * creates it. Tasks should be short (open, bind, connect); do the I/O on other threads.
 */
public final class NamespaceThread implements AutoCloseable {

    /** How long {@link #call} waits for a task: opening and connecting take milliseconds. */
    public static final Duration CALL_TIMEOUT = Duration.ofSeconds(60);

    private static final Path NETNS_DIR = Path.of("/var/run/netns");
    private static final Runnable STOP = () -> { };

    private final String namespace;
    private final Thread thread;
    private final BlockingQueue<Runnable> tasks = new LinkedBlockingQueue<>();
    private final CompletableFuture<Void> entered = new CompletableFuture<>();
    private volatile boolean closed;

    private NamespaceThread(String namespace) {
        this.namespace = namespace;
        this.thread = new Thread(this::run, "netns-" + namespace);
        thread.setDaemon(true);
    }

    /**
     * Starts a thread in the named namespace ({@code ip netns add NAME}) and waits until it is
     * in; fails with the reason if it could not enter.
     */
    public static NamespaceThread enter(String namespace) throws IOException {
        NamespaceThread t = new NamespaceThread(namespace);
        t.thread.start();
        try {
            t.entered.get(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            return t;
        } catch (ExecutionException e) {
            t.close();
            throw new IOException("thread could not enter network namespace " + namespace,
                    e.getCause());
        } catch (InterruptedException | TimeoutException e) {
            t.close();
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            throw new IOException("thread did not enter network namespace " + namespace, e);
        }
    }

    /** The namespace's name. */
    public String namespace() {
        return namespace;
    }

    /** Queues {@code task} to run on this thread. */
    public <T> Future<T> submit(Callable<T> task) {
        FutureTask<T> future = new FutureTask<>(task);
        tasks.add(future);
        // close() drains the queue after setting "closed": a task added after the drain sees it.
        if (closed) {
            future.cancel(false);
            throw new RejectedExecutionException("thread of namespace " + namespace
                    + " is closed");
        }
        return future;
    }

    /**
     * Runs {@code task} on this thread and returns its result; the task's own exception is
     * thrown as it is.
     */
    public <T> T call(Callable<T> task) throws Exception {
        Future<T> future = submit(task);
        try {
            return future.get(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof Exception ex) {
                throw ex;
            }
            throw (Error) cause;
        } catch (TimeoutException e) {
            future.cancel(true);
            throw new TimeoutException("task in namespace " + namespace + " did not end within "
                    + CALL_TIMEOUT);
        }
    }

    /** Stops the thread once the queued tasks have run; later submissions are refused. */
    @Override
    public void close() {
        closed = true;
        tasks.add(STOP);
        try {
            thread.join(CALL_TIMEOUT.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        List<Runnable> left = new ArrayList<>();
        tasks.drainTo(left);
        for (Runnable r : left) {
            if (r instanceof Future<?> f) {
                f.cancel(false);
            }
        }
    }

    private void run() {
        try {
            enterNamespace();
            entered.complete(null);
        } catch (Throwable t) {
            entered.completeExceptionally(t);
            return;
        }
        try {
            for (Runnable task = tasks.take(); task != STOP; task = tasks.take()) {
                task.run();
                // A task cancelled by a timed-out call() was interrupted: that must not end
                // this thread, which later tasks still need.
                Thread.interrupted();
            }
        } catch (InterruptedException e) {
            // Only an interrupt between tasks gets here, and nothing of ours sends one: end.
        }
    }

    private void enterNamespace() throws ErrnoException, IOException {
        Path handle = NETNS_DIR.resolve(namespace);
        LinuxSyscalls sys = LinuxSyscalls.system();
        int fd = sys.open(handle.toString(), LinuxUapi.O_RDONLY | LinuxUapi.O_CLOEXEC);
        try {
            sys.setns(fd, LinuxUapi.CLONE_NEWNET);
        } finally {
            sys.close(fd);
        }
        // Trust, but verify: this thread's namespace is the one the handle names.
        long wanted = (Long) Files.getAttribute(handle, "unix:ino");
        String mine = Files.readSymbolicLink(Path.of("/proc/thread-self/ns/net")).toString();
        if (!mine.equals("net:[" + wanted + "]")) {
            throw new IOException("after setns the thread is in " + mine + ", not in "
                    + handle + " (inode " + wanted + ")");
        }
    }

    /** The network namespace of the calling thread, as the kernel names it ({@code net:[…]}). */
    public static String currentNamespaceId() throws IOException {
        return Files.readSymbolicLink(Path.of("/proc/thread-self/ns/net")).toString();
    }
}
