package io.mptcp.nio.contract;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.channels.WritableByteChannel;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.zip.CRC32;

import org.junit.jupiter.api.Assumptions;

/**
 * The small helpers every contract suite shares: loopback addresses, deterministic data,
 * checksums, adversarial buffer factories, stream send/receive loops and background tasks.
 * Nothing here opens a channel on its own: suites pass their provider's channels in.
 */
final class ContractSupport {

    static final InetAddress LOOPBACK_V4 = address(new byte[] {127, 0, 0, 1});
    private static final InetAddress LOOPBACK_V6 =
            address(new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1});

    /** How long a test waits for something that should happen "promptly" before failing. */
    static final Duration PROMPTLY = Duration.ofSeconds(5);

    /**
     * How long to let a thread sit in a blocking call after its stack shows it entered the
     * call, so that it is parked in the kernel (not merely in the Java prologue) when the test
     * acts on it.
     */
    static final long SETTLE_MILLIS = 200;

    private ContractSupport() {
    }

    private static InetAddress address(byte[] bytes) {
        try {
            return InetAddress.getByAddress(bytes);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    /** The loopback address named by {@code "127.0.0.1"} or {@code "::1"}. */
    static InetAddress loopback(String literal) {
        return switch (literal) {
            case "127.0.0.1" -> LOOPBACK_V4;
            case "::1" -> requireIpv6Loopback();
            default -> throw new IllegalArgumentException("not a loopback literal: " + literal);
        };
    }

    /**
     * {@code ::1}, or aborts the test visibly when this host has no IPv6 loopback. The probe
     * uses {@code java.net.ServerSocket}, not the provider under test, so a provider that fails
     * on IPv6 still fails instead of being skipped.
     */
    private static InetAddress requireIpv6Loopback() {
        try (ServerSocket probe = new ServerSocket()) {
            probe.bind(new InetSocketAddress(LOOPBACK_V6, 0));
        } catch (IOException e) {
            Assumptions.abort("IPv6 loopback ::1 unavailable on this host: " + e);
        }
        return LOOPBACK_V6;
    }

    static int port(Object socketAddress) {
        return ((InetSocketAddress) socketAddress).getPort();
    }

    /** Random bytes from a fixed seed, so that a failure can be reproduced. */
    static byte[] randomBytes(long seed, int length) {
        byte[] bytes = new byte[length];
        new SplittableRandom(seed).nextBytes(bytes);
        return bytes;
    }

    /**
     * Buffer factories, including adversarial ones: slices whose backing array or memory does
     * not start at offset 0, and read-only views (accepted as a write source, refused as a read
     * target).
     */
    enum BufferKind {
        HEAP(false, false, false),
        DIRECT(true, false, false),
        HEAP_SLICED(false, true, false),
        DIRECT_SLICED(true, true, false),
        HEAP_READ_ONLY(false, false, true);

        private static final int SLICE_OFFSET = 7;

        private final boolean direct;
        private final boolean sliced;
        private final boolean readOnly;

        BufferKind(boolean direct, boolean sliced, boolean readOnly) {
            this.direct = direct;
            this.sliced = sliced;
            this.readOnly = readOnly;
        }

        /** A writable buffer of this kind (a read-only kind's buffer is made read-only later). */
        ByteBuffer allocate(int capacity) {
            int padding = sliced ? 2 * SLICE_OFFSET : 0;
            ByteBuffer whole = direct
                    ? ByteBuffer.allocateDirect(capacity + padding)
                    : ByteBuffer.allocate(capacity + padding);
            if (!sliced) {
                return whole;
            }
            whole.position(SLICE_OFFSET).limit(SLICE_OFFSET + capacity);
            return whole.slice();
        }

        /** The buffer to hand to {@code write}: {@code filled} itself or a read-only view. */
        ByteBuffer forWrite(ByteBuffer filled) {
            return readOnly ? filled.asReadOnlyBuffer() : filled;
        }

        boolean canBeReadInto() {
            return !readOnly;
        }
    }

    /** Byte count, CRC32 and SHA-256 of one direction of a stream. */
    record Summary(long bytes, long crc32, String sha256) {
    }

    /** Accumulates a {@link Summary} over the bytes that pass through. */
    static final class StreamDigest {
        private final CRC32 crc = new CRC32();
        private final MessageDigest sha;
        private long bytes;
        private Summary summary;

        StreamDigest() {
            try {
                sha = MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
                throw new AssertionError(e);
            }
        }

        /** Adds the bytes between {@code from} and {@code to} of {@code buffer}. */
        void update(ByteBuffer buffer, int from, int to) {
            if (summary != null) {
                throw new IllegalStateException("summary() already taken");
            }
            ByteBuffer region = buffer.duplicate();
            region.limit(to).position(from);
            bytes += region.remaining();
            crc.update(region.duplicate());
            sha.update(region);
        }

        /** The summary of everything passed to {@link #update}; ends the digest. */
        Summary summary() {
            if (summary == null) {
                String sha256 = HexFormat.of().formatHex(sha.digest());
                summary = new Summary(bytes, crc.getValue(), sha256);
            }
            return summary;
        }
    }

    /** A deterministic, seeded stream of pseudo-random bytes. */
    static final class PatternSource {
        private final SplittableRandom random;
        private byte[] scratch = new byte[0];

        PatternSource(long seed) {
            random = new SplittableRandom(seed);
        }

        /** Puts the next {@code n} bytes of the stream into {@code dst} at its position. */
        void fill(ByteBuffer dst, int n) {
            if (scratch.length < n) {
                scratch = new byte[n];
            }
            for (int i = 0; i < n; i += 8) {
                long word = random.nextLong();
                for (int j = i; j < Math.min(n, i + 8); j++) {
                    scratch[j] = (byte) word;
                    word >>>= 8;
                }
            }
            dst.put(scratch, 0, n);
        }
    }

    /**
     * Writes {@code total} bytes of the seeded stream, {@code chunk} bytes per buffer, until all
     * are written, then returns their summary. The channel may be blocking or not (a
     * non-blocking write that returns 0 is retried).
     */
    static Summary send(WritableByteChannel ch, long total, int chunk, BufferKind kind, long seed)
            throws IOException {
        PatternSource source = new PatternSource(seed);
        StreamDigest digest = new StreamDigest();
        ByteBuffer buffer = kind.allocate(chunk);
        long sent = 0;
        while (sent < total) {
            int n = (int) Math.min(chunk, total - sent);
            buffer.clear();
            source.fill(buffer, n);
            buffer.flip();
            digest.update(buffer, 0, n);
            ByteBuffer out = kind.forWrite(buffer);
            while (out.hasRemaining()) {
                int before = out.position();
                int written = ch.write(out);
                assertEquals(written, out.position() - before,
                        "write must advance the position by the count it returns");
                if (written == 0) {
                    Thread.onSpinWait();
                }
            }
            sent += n;
        }
        return digest.summary();
    }

    /** Reads until end of stream, {@code chunk} bytes at most per read, and summarises. */
    static Summary receive(ReadableByteChannel ch, int chunk, BufferKind kind) throws IOException {
        StreamDigest digest = new StreamDigest();
        ByteBuffer buffer = kind.allocate(chunk);
        while (true) {
            buffer.clear();
            int n = ch.read(buffer);
            if (n < 0) {
                assertEquals(-1, n, "end of stream is -1");
                return digest.summary();
            }
            assertEquals(n, buffer.position(), "read must advance the position by its count");
            digest.update(buffer, 0, n);
            if (n == 0) {
                Thread.onSpinWait();
            }
        }
    }

    /** Writes all of {@code bytes} to a blocking channel. */
    static void writeFully(WritableByteChannel ch, byte[] bytes) throws IOException {
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        while (buffer.hasRemaining()) {
            ch.write(buffer);
        }
    }

    /** Reads exactly {@code length} bytes from a blocking channel; end of stream fails. */
    static byte[] readFully(ReadableByteChannel ch, int length) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(length);
        while (buffer.hasRemaining()) {
            if (ch.read(buffer) < 0) {
                fail("end of stream after " + buffer.position() + " of " + length + " bytes");
            }
        }
        return buffer.array();
    }

    /**
     * Selects until {@code key} is in the selected-key set with all of {@code ops} ready, then
     * clears the set. Fails after {@link #PROMPTLY}.
     */
    static void awaitReady(Selector selector, SelectionKey key, int ops) throws IOException {
        long deadline = System.nanoTime() + PROMPTLY.toNanos();
        while (System.nanoTime() < deadline) {
            selector.select(100);
            boolean ready = selector.selectedKeys().contains(key)
                    && (key.readyOps() & ops) == ops;
            selector.selectedKeys().clear();
            if (ready) {
                return;
            }
        }
        fail("key not ready for ops " + ops + " within " + PROMPTLY + ": " + key);
    }

    /**
     * One step of a non-blocking echo on {@code key}'s socket channel: reads what fits into
     * {@code pending} (kept in write mode between steps), writes back what the socket takes, and
     * waits for OP_WRITE instead of OP_READ while bytes remain. Returns false at end of stream.
     */
    static boolean echoStep(SelectionKey key, ByteBuffer pending) throws IOException {
        SocketChannel ch = (SocketChannel) key.channel();
        if (key.isReadable() && pending.hasRemaining() && ch.read(pending) < 0) {
            return false;
        }
        pending.flip();
        ch.write(pending);
        pending.compact();
        key.interestOps(pending.position() > 0 ? SelectionKey.OP_WRITE : SelectionKey.OP_READ);
        return true;
    }

    /**
     * Returns elapsed milliseconds of {@code call}; used for "returned early" checks only, which
     * compare against generous bounds.
     */
    static long millisOf(ThrowingRunnable call) throws Exception {
        long start = System.nanoTime();
        call.run();
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    }

    @FunctionalInterface
    interface ThrowingRunnable {
        void run() throws Exception;
    }

    /**
     * Set to {@code true} to run every {@link Task} on a virtual thread (JDK 21+): how
     * {@code it}'s {@code ContractOnVirtualThreadsIT} runs this suite.
     */
    static final String VIRTUAL_THREADS_PROPERTY = "io.mptcp.test.virtualThreads";

    /**
     * A call running on its own thread (a platform thread, or a virtual one when
     * {@link #VIRTUAL_THREADS_PROPERTY} says so), so that a test can block it, interrupt it,
     * look at where it is, and collect its result or its exception with a deadline.
     */
    static final class Task<T> implements AutoCloseable {
        private final CompletableFuture<T> result = new CompletableFuture<>();
        private final Thread thread;

        private Task(String name, Callable<T> call, boolean interruptFirst) {
            thread = newThread(name, () -> {
                if (interruptFirst) {
                    Thread.currentThread().interrupt();
                }
                try {
                    result.complete(call.call());
                } catch (Throwable t) {
                    result.completeExceptionally(t);
                }
            });
        }

        private static Thread newThread(String name, Runnable body) {
            if (!Boolean.getBoolean(VIRTUAL_THREADS_PROPERTY)) {
                Thread t = new Thread(body, name);
                t.setDaemon(true);
                return t;
            }
            try {
                // Thread.ofVirtual().name(name).unstarted(body), by reflection: built for 17.
                Object builder = Thread.class.getMethod("ofVirtual").invoke(null);
                builder = Class.forName("java.lang.Thread$Builder").getMethod("name", String.class)
                        .invoke(builder, name);
                return (Thread) Class.forName("java.lang.Thread$Builder")
                        .getMethod("unstarted", Runnable.class).invoke(builder, body);
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(VIRTUAL_THREADS_PROPERTY
                        + "=true needs JDK 21+ (virtual threads)", e);
            }
        }

        /** Starts {@code call} on a new thread named {@code name}. */
        static <T> Task<T> start(String name, Callable<T> call) {
            Task<T> task = new Task<>(name, call, false);
            task.thread.start();
            return task;
        }

        /** Starts {@code call} on a new thread that interrupts itself before the call. */
        static <T> Task<T> startInterrupted(String name, Callable<T> call) {
            Task<T> task = new Task<>(name, call, true);
            task.thread.start();
            return task;
        }

        Thread thread() {
            return thread;
        }

        /** The call's result; fails if it threw or did not finish within {@code timeout}. */
        T get(Duration timeout) throws Exception {
            try {
                return result.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (ExecutionException e) {
                throw new AssertionError(thread.getName() + " failed: " + e.getCause(),
                        e.getCause());
            } catch (TimeoutException e) {
                throw new AssertionError(thread.getName() + " did not finish within " + timeout
                        + "; it is at " + where(), e);
            }
        }

        /** What the call threw; fails if it returned normally or did not finish in time. */
        Throwable failure(Duration timeout) throws InterruptedException {
            try {
                T value = result.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
                throw new AssertionError(thread.getName() + " returned " + value
                        + " instead of throwing");
            } catch (ExecutionException e) {
                return e.getCause();
            } catch (TimeoutException e) {
                throw new AssertionError(thread.getName() + " did not finish within " + timeout
                        + "; it is at " + where(), e);
            }
        }

        boolean isDone() {
            return result.isDone();
        }

        /**
         * Waits until the thread's stack shows it inside {@code method} of {@code target}'s
         * class (or a superclass), then lets it settle into the kernel call. Fails if the call
         * finished instead or did not get there in time.
         */
        void awaitBlockedIn(Object target, String method) throws InterruptedException {
            Objects.requireNonNull(target, "target");
            long deadline = System.nanoTime() + PROMPTLY.toNanos();
            while (System.nanoTime() < deadline) {
                assertTrue(!result.isDone(), () -> thread.getName()
                        + " finished instead of blocking in " + method + ": " + outcome());
                if (isIn(target.getClass(), method)) {
                    Thread.sleep(SETTLE_MILLIS);
                    assertTrue(!result.isDone(), () -> thread.getName()
                            + " finished instead of blocking in " + method + ": " + outcome());
                    return;
                }
                Thread.sleep(5);
            }
            fail(thread.getName() + " never blocked in " + target.getClass().getName() + "."
                    + method + "; it is at " + where());
        }

        private boolean isIn(Class<?> type, String method) {
            for (StackTraceElement frame : thread.getStackTrace()) {
                if (!frame.getMethodName().equals(method)) {
                    continue;
                }
                for (Class<?> c = type; c != null; c = c.getSuperclass()) {
                    if (c.getName().equals(frame.getClassName())) {
                        return true;
                    }
                }
            }
            return false;
        }

        private String outcome() {
            return result.handle((v, t) -> t != null ? "threw " + t : "returned " + v)
                    .getNow("running");
        }

        private String where() {
            StringBuilder text = new StringBuilder();
            for (StackTraceElement frame : thread.getStackTrace()) {
                text.append("\n    at ").append(frame);
            }
            return text.toString();
        }

        /** Interrupts a thread still running (a failed test), so that it does not linger. */
        @Override
        public void close() {
            if (thread.isAlive()) {
                thread.interrupt();
                try {
                    thread.join(1000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }
}
