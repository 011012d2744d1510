package io.mptcp.it.vthreads;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Method;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.Pipe;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.spi.SelectorProvider;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordingFile;

/**
 * Blocking NIO on virtual threads, run in a child JVM (JDK 21+) by {@link VirtualThreadsIT}
 * with few carrier threads, under whichever provider the JVM was started with.
 *
 * <p>Each check prints {@code PASS name} or {@code FAIL name: why}; the last line is
 * {@code DONE passed=P failed=F}. The checks: many more virtual threads than carriers blocked
 * in read, accept, pipe read, timed adaptor read and write are all parked (state WAITING, not
 * RUNNABLE in a native call) and other virtual threads still make progress; every blocked
 * operation then completes with the right data; close and interrupt release parked threads
 * with the JDK's exceptions; a timed adaptor read times out; a platform thread still blocks
 * correctly on a channel a virtual thread used; and JFR records no {@code
 * jdk.VirtualThreadPinned} event in an I/O wait. (JDK 25 records rare short pins elsewhere: a
 * virtual thread waiting for another to initialise a class, or entering a contended monitor
 * while an exception is built; those are printed, not failed.)
 */
public final class VirtualThreadsMain {
    private static final Duration STEP = Duration.ofSeconds(60);
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    private static ThreadFactory virtualThreads;
    private static int passed;
    private static int failed;

    private VirtualThreadsMain() {
    }

    public static void main(String[] args) throws Exception {
        int readers = args.length > 0 ? Integer.parseInt(args[0]) : 200;
        System.out.println("PROVIDER " + SelectorProvider.provider().getClass().getName());
        System.out.println("JAVA " + Runtime.version() + " carriers="
                + System.getProperty("jdk.virtualThreadScheduler.parallelism"));
        virtualThreads = virtualThreadFactory();
        // Classes initialised before the recording: see noPinning.
        check("warmUp", VirtualThreadsMain::warmUp);
        try (Recording pinning = new Recording()) {
            pinning.enable("jdk.VirtualThreadPinned").withThreshold(Duration.ZERO)
                    .withStackTrace();
            pinning.start();
            check("manyBlockedThreadsParkAndOthersProgress", () -> manyBlocked(readers));
            check("closeReleasesParkedThreads", VirtualThreadsMain::closeReleases);
            check("interruptReleasesParkedThreads", VirtualThreadsMain::interruptReleases);
            check("timedAdaptorReadTimesOut", VirtualThreadsMain::timedAdaptorRead);
            check("platformThreadBlocksAfterVirtualUse", VirtualThreadsMain::platformAfter);
            pinning.stop();
            Path file = Files.createTempFile("vthreads-pinning", ".jfr");
            try {
                pinning.dump(file);
                check("noVirtualThreadPinnedEvents", () -> noPinning(file));
            } finally {
                Files.deleteIfExists(file);
            }
        }
        System.out.println("DONE passed=" + passed + " failed=" + failed);
        System.exit(failed == 0 ? 0 : 1);
    }

    /** {@code Thread.ofVirtual().name("v-", 0).factory()}, by reflection: built for Java 17. */
    private static ThreadFactory virtualThreadFactory() throws ReflectiveOperationException {
        Object builder = Thread.class.getMethod("ofVirtual").invoke(null);
        Class<?> ofVirtual = Class.forName("java.lang.Thread$Builder$OfVirtual");
        builder = ofVirtual.getMethod("name", String.class, long.class)
                .invoke(builder, "v-", 0L);
        Method factory = Class.forName("java.lang.Thread$Builder").getMethod("factory");
        return (ThreadFactory) factory.invoke(builder);
    }

    @FunctionalInterface
    private interface Check {
        void run() throws Exception;
    }

    private static void check(String name, Check check) {
        try {
            check.run();
            passed++;
            System.out.println("PASS " + name);
        } catch (Throwable t) {
            failed++;
            System.out.println("FAIL " + name + ": " + t);
            t.printStackTrace(System.out);
        }
    }

    /** One of each blocking operation on a virtual thread, each waiting once. */
    private static void warmUp() throws Exception {
        try (ServerSocketChannel server = listen()) {
            InetSocketAddress addr = (InetSocketAddress) server.getLocalAddress();
            Task<SocketChannel> accept = Task.start("warm accept", server::accept);
            try (SocketChannel client = SocketChannel.open(addr);
                    SocketChannel accepted = accept.get(STEP)) {
                Task<Integer> heap = Task.start("warm read",
                        () -> accepted.read(ByteBuffer.allocate(8)));
                awaitAllParked(List.of(heap));
                write(client, "w");
                heap.get(STEP);
                Task<Integer> direct = Task.start("warm read direct",
                        () -> accepted.read(ByteBuffer.allocateDirect(8)));
                awaitAllParked(List.of(direct));
                write(client, "w");
                direct.get(STEP);
            }
            Pipe pipe = Pipe.open();
            try (Pipe.SourceChannel source = pipe.source(); Pipe.SinkChannel sink = pipe.sink()) {
                Task<Integer> read = Task.start("warm pipe read",
                        () -> source.read(ByteBuffer.allocate(8)));
                awaitAllParked(List.of(read));
                write(sink, "w");
                read.get(STEP);
            }
        }
    }

    // ---- many blocked threads ---------------------------------------------------------------

    private static void manyBlocked(int readers) throws Exception {
        List<AutoCloseable> resources = new ArrayList<>();
        try (ServerSocketChannel server = listen()) {
            InetSocketAddress addr = (InetSocketAddress) server.getLocalAddress();
            List<Task<String>> tasks = new ArrayList<>();
            List<Runnable> releases = new ArrayList<>();

            // Socket reads, heap and direct buffers alternating.
            for (int i = 0; i < readers; i++) {
                SocketChannel client = SocketChannel.open(addr);
                SocketChannel accepted = server.accept();
                resources.add(client);
                resources.add(accepted);
                boolean direct = i % 2 == 0;
                String expected = "reader-" + i;
                tasks.add(Task.start(expected, () -> {
                    ByteBuffer b = direct ? ByteBuffer.allocateDirect(64) : ByteBuffer.allocate(64);
                    int n = accepted.read(b);
                    return n + ":" + StandardCharsets.US_ASCII.decode(b.flip());
                }));
                releases.add(() -> write(client, expected));
            }
            // Accepts, each on its own listener.
            for (int i = 0; i < 4; i++) {
                ServerSocketChannel listener = listen();
                resources.add(listener);
                InetSocketAddress at = (InetSocketAddress) listener.getLocalAddress();
                tasks.add(Task.start("acceptor-" + i, () -> {
                    try (SocketChannel ch = listener.accept()) {
                        return "accepted " + ch.isConnected();
                    }
                }));
                releases.add(() -> {
                    try {
                        resources.add(SocketChannel.open(at));
                    } catch (IOException e) {
                        throw new IllegalStateException(e);
                    }
                });
            }
            // Pipe reads.
            for (int i = 0; i < 4; i++) {
                Pipe pipe = Pipe.open();
                resources.add(pipe.source());
                resources.add(pipe.sink());
                String expected = "pipe-" + i;
                tasks.add(Task.start(expected, () -> {
                    ByteBuffer b = ByteBuffer.allocate(64);
                    int n = pipe.source().read(b);
                    return n + ":" + new String(b.array(), 0, b.position(),
                            StandardCharsets.US_ASCII);
                }));
                releases.add(() -> write(pipe.sink(), expected));
            }
            // Selections, each on its own selector with a pipe registered for OP_READ.
            for (int i = 0; i < 4; i++) {
                Pipe pipe = Pipe.open();
                Selector selector = Selector.open();
                resources.add(pipe.source());
                resources.add(pipe.sink());
                resources.add(selector);
                pipe.source().configureBlocking(false);
                pipe.source().register(selector, SelectionKey.OP_READ);
                tasks.add(Task.start("selector-" + i, () -> "selected " + selector.select()));
                releases.add(() -> write(pipe.sink(), "x"));
            }
            // Adaptor reads with a (long) timeout: the timed wait parks too.
            for (int i = 0; i < 4; i++) {
                SocketChannel client = SocketChannel.open(addr);
                SocketChannel accepted = server.accept();
                resources.add(client);
                resources.add(accepted);
                accepted.socket().setSoTimeout((int) STEP.toMillis() * 2);
                String expected = "adaptor-" + i;
                tasks.add(Task.start(expected, () -> {
                    byte[] b = new byte[64];
                    InputStream in = accepted.socket().getInputStream();
                    int n = in.read(b);
                    return n + ":" + new String(b, 0, Math.max(n, 0), StandardCharsets.US_ASCII);
                }));
                releases.add(() -> write(client, expected));
            }
            // Writes into a connection nobody reads yet: they fill the buffers and wait.
            for (int i = 0; i < 4; i++) {
                SocketChannel client = SocketChannel.open(addr);
                SocketChannel accepted = server.accept();
                resources.add(client);
                resources.add(accepted);
                int size = 32 << 20;
                tasks.add(Task.start("writer-" + i, () -> {
                    ByteBuffer b = ByteBuffer.allocateDirect(size);
                    long n = 0;
                    // One write should do, but the JDK's returns early on a virtual thread.
                    while (b.hasRemaining()) {
                        n += client.write(b);
                    }
                    return "wrote " + n;
                }));
                releases.add(() -> drain(accepted, size));
            }

            awaitAllParked(tasks);
            System.out.println("INFO parked=" + tasks.size());

            // With every carrier free, two more virtual threads play ping-pong.
            int rounds = pingPong(addr, server, 2000);
            System.out.println("INFO ping-pong rounds=" + rounds);

            for (Runnable release : releases) {
                release.run();
            }
            Map<String, String> wrong = new TreeMap<>();
            for (Task<String> t : tasks) {
                String got = t.get(STEP);
                String name = t.name;
                String want = name.startsWith("acceptor-") ? "accepted true"
                        : name.startsWith("selector-") ? "selected 1"
                        : name.startsWith("writer-") ? "wrote " + (32 << 20)
                        : name.length() + ":" + name;
                if (!want.equals(got)) {
                    wrong.put(name, got);
                }
            }
            if (!wrong.isEmpty()) {
                throw new AssertionError("wrong results: " + wrong);
            }
        } finally {
            for (AutoCloseable c : resources) {
                c.close();
            }
        }
    }

    /** Waits until every task's thread is parked: WAITING or TIMED_WAITING, not RUNNABLE. */
    private static void awaitAllParked(List<? extends Task<?>> tasks) throws Exception {
        long deadline = System.nanoTime() + STEP.toNanos();
        while (true) {
            List<String> notParked = new ArrayList<>();
            for (Task<?> t : tasks) {
                if (t.result.isDone()) {
                    throw new AssertionError(t.name + " finished before being released: "
                            + t.get(Duration.ZERO));
                }
                Thread.State s = t.thread.getState();
                if (s != Thread.State.WAITING && s != Thread.State.TIMED_WAITING) {
                    notParked.add(t.name + "=" + s);
                }
            }
            if (notParked.isEmpty()) {
                // Stay parked: a thread that only passed through WAITING would show up now.
                Thread.sleep(200);
                for (Task<?> t : tasks) {
                    Thread.State s = t.thread.getState();
                    if (s != Thread.State.WAITING && s != Thread.State.TIMED_WAITING) {
                        notParked.add(t.name + "=" + s);
                    }
                }
                if (notParked.isEmpty()) {
                    return;
                }
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError(notParked.size() + " of " + tasks.size()
                        + " blocked virtual threads are not parked: " + notParked.subList(0,
                        Math.min(10, notParked.size())) + stackOf(tasks, notParked));
            }
            Thread.sleep(50);
        }
    }

    private static String stackOf(List<? extends Task<?>> tasks, List<String> notParked) {
        String first = notParked.get(0);
        for (Task<?> t : tasks) {
            if (first.startsWith(t.name + "=")) {
                StringBuilder sb = new StringBuilder("; ").append(t.name).append(" is at:");
                for (StackTraceElement e : t.thread.getStackTrace()) {
                    sb.append("\n    ").append(e);
                }
                return sb.toString();
            }
        }
        return "";
    }

    /** Round trips of one byte between two virtual threads; returns the count done. */
    private static int pingPong(InetSocketAddress addr, ServerSocketChannel server, int rounds)
            throws Exception {
        try (SocketChannel a = SocketChannel.open(addr); SocketChannel b = server.accept()) {
            Task<Integer> echo = Task.start("pong", () -> {
                ByteBuffer one = ByteBuffer.allocate(1);
                int n = 0;
                while (n < rounds) {
                    one.clear();
                    if (b.read(one) < 0) {
                        break;
                    }
                    one.flip();
                    b.write(one);
                    n++;
                }
                return n;
            });
            Task<Integer> ping = Task.start("ping", () -> {
                ByteBuffer one = ByteBuffer.allocateDirect(1);
                for (int i = 0; i < rounds; i++) {
                    one.clear().put((byte) i).flip();
                    a.write(one);
                    one.clear();
                    if (a.read(one) != 1 || one.get(0) != (byte) i) {
                        throw new AssertionError("round " + i + " echoed wrong");
                    }
                }
                return rounds;
            });
            int done = ping.get(STEP);
            if (echo.get(STEP) != rounds) {
                throw new AssertionError("echo side saw " + echo.get(STEP) + " rounds");
            }
            return done;
        }
    }

    // ---- close and interrupt ----------------------------------------------------------------

    private static void closeReleases() throws Exception {
        try (ServerSocketChannel server = listen()) {
            InetSocketAddress addr = (InetSocketAddress) server.getLocalAddress();
            try (SocketChannel client = SocketChannel.open(addr);
                    SocketChannel accepted = server.accept();
                    SocketChannel writer = SocketChannel.open(addr);
                    SocketChannel unread = server.accept()) {
                Task<Object> read = Task.start("read", () -> accepted.read(ByteBuffer.allocate(8)));
                Task<Object> write = Task.start("write", () -> fillUntilBlocked(writer));
                ServerSocketChannel other = listen();
                Task<Object> accept = Task.start("accept", other::accept);
                Pipe pipe = Pipe.open();
                Task<Object> pipeRead = Task.start("pipe read",
                        () -> pipe.source().read(ByteBuffer.allocate(8)));
                List<Task<Object>> all = List.of(read, write, accept, pipeRead);
                awaitAllParked(all);
                accepted.close();
                writer.close();
                other.close();
                pipe.source().close();
                pipe.sink().close();
                for (Task<Object> t : List.of(read, accept, pipeRead)) {
                    expect(t, AsynchronousCloseException.class, false);
                }
                // A blocked write that had written some bytes returns their count when close
                // ends it (as the JDK's); one that had written none throws.
                try {
                    Object n = write.result.get(STEP.toMillis(), TimeUnit.MILLISECONDS);
                    require(n instanceof Long && (Long) n > 0, "write returned " + n);
                } catch (ExecutionException e) {
                    require(e.getCause() instanceof AsynchronousCloseException,
                            "write threw " + e.getCause());
                }
            }
        }
    }

    /** Writes until the socket's buffers are full, then blocks in one more write. */
    private static long fillUntilBlocked(SocketChannel ch) throws IOException {
        ch.configureBlocking(false);
        ByteBuffer b = ByteBuffer.allocateDirect(1 << 20);
        while (ch.write(b.clear()) > 0) {
            // fill
        }
        ch.configureBlocking(true);
        return ch.write(b.clear());
    }

    private static void interruptReleases() throws Exception {
        try (ServerSocketChannel server = listen()) {
            InetSocketAddress addr = (InetSocketAddress) server.getLocalAddress();
            try (SocketChannel client = SocketChannel.open(addr);
                    SocketChannel accepted = server.accept()) {
                Task<Object> read = Task.start("read", () -> accepted.read(ByteBuffer.allocate(8)));
                ServerSocketChannel other = listen();
                Task<Object> accept = Task.start("accept", other::accept);
                Pipe pipe = Pipe.open();
                Task<Object> pipeRead = Task.start("pipe read",
                        () -> pipe.source().read(ByteBuffer.allocate(8)));
                List<Task<Object>> all = List.of(read, accept, pipeRead);
                awaitAllParked(all);
                for (Task<Object> t : all) {
                    t.thread.interrupt();
                }
                for (Task<Object> t : all) {
                    expect(t, ClosedByInterruptException.class, true);
                }
                require(!accepted.isOpen() && !other.isOpen() && !pipe.source().isOpen(),
                        "interrupt did not close every channel");
                pipe.sink().close();
            }
        }
    }

    private static void timedAdaptorRead() throws Exception {
        try (ServerSocketChannel server = listen()) {
            InetSocketAddress addr = (InetSocketAddress) server.getLocalAddress();
            try (SocketChannel client = SocketChannel.open(addr);
                    SocketChannel accepted = server.accept()) {
                accepted.socket().setSoTimeout(300);
                Task<Object> read = Task.start("timed read",
                        () -> accepted.socket().getInputStream().read());
                expect(read, SocketTimeoutException.class, false);
                require(accepted.isOpen(), "the timeout closed the channel");
                write(client, "x");
                Task<Object> again = Task.start("read again",
                        () -> accepted.socket().getInputStream().read());
                Object got = again.get(STEP);
                require(Integer.valueOf('x').equals(got), "read after timeout got " + got);
            }
        }
    }

    /**
     * A channel a virtual thread has used stays non-blocking underneath; a platform thread
     * must still see blocking semantics: its read waits for data, and close releases it.
     */
    private static void platformAfter() throws Exception {
        try (ServerSocketChannel server = listen()) {
            InetSocketAddress addr = (InetSocketAddress) server.getLocalAddress();
            try (SocketChannel client = SocketChannel.open(addr);
                    SocketChannel accepted = server.accept()) {
                write(client, "v");
                Object first = Task.start("virtual read",
                        () -> accepted.read(ByteBuffer.allocate(8))).get(STEP);
                require(Integer.valueOf(1).equals(first), "virtual read got " + first);
                CompletableFuture<Object> platform = new CompletableFuture<>();
                Thread t = new Thread(() -> {
                    try {
                        platform.complete(accepted.read(ByteBuffer.allocate(8)));
                    } catch (Throwable e) {
                        platform.completeExceptionally(e);
                    }
                }, "platform read");
                t.start();
                Thread.sleep(300);
                require(!platform.isDone(), "platform read returned without data: "
                        + platform.getNow(null));
                write(client, "pp");
                Object second = platform.get(STEP.toMillis(), TimeUnit.MILLISECONDS);
                require(Integer.valueOf(2).equals(second), "platform read got " + second);
                CompletableFuture<Object> blocked = new CompletableFuture<>();
                Thread t2 = new Thread(() -> {
                    try {
                        blocked.complete(accepted.read(ByteBuffer.allocate(8)));
                    } catch (Throwable e) {
                        blocked.completeExceptionally(e);
                    }
                }, "platform read 2");
                t2.start();
                Thread.sleep(300);
                accepted.close();
                try {
                    Object r = blocked.get(STEP.toMillis(), TimeUnit.MILLISECONDS);
                    throw new AssertionError("platform read returned " + r + " after close");
                } catch (ExecutionException e) {
                    require(e.getCause() instanceof AsynchronousCloseException,
                            "platform read threw " + e.getCause());
                }
            }
        }
    }

    // ---- pinning ------------------------------------------------------------------------

    private static void noPinning(Path file) throws IOException {
        List<String> ours = new ArrayList<>();
        int all = 0;
        for (RecordedEvent e : RecordingFile.readAllEvents(file)) {
            if (!e.getEventType().getName().equals("jdk.VirtualThreadPinned")) {
                continue;
            }
            all++;
            // A virtual thread that waits for another thread to finish initialising a class
            // is pinned for that moment (JDK 24+ names the class): the JVM's doing, once per
            // class, not a wait for I/O. The warm-up makes it rare; it is reported, not failed.
            boolean classInit = e.hasField("pinnedReason") && Objects.toString(
                    e.getValue("pinnedReason")).startsWith("Waited for initialization");
            boolean inWait = false;
            StringBuilder sb = new StringBuilder(e.getDuration().toString());
            // JDK 24+ says why (pinnedReason) and where it would have blocked.
            for (String field : List.of("pinnedReason", "blockingOperation")) {
                if (e.hasField(field)) {
                    sb.append(' ').append(field).append('=')
                            .append(Objects.toString(e.getValue(field)));
                }
            }
            if (e.getStackTrace() != null) {
                for (RecordedFrame f : e.getStackTrace().getFrames()) {
                    String type = f.getMethod().getType().getName();
                    // A wait of the provider under test: ours parks in NativeFd and calls the
                    // kernel through io.mptcp.ffi; the JDK's parks in SelChImpl.park/Poller.
                    String method = f.getMethod().getName();
                    inWait |= type.equals("io.mptcp.nio.internal.fd.NativeFd")
                            && method.startsWith("park")
                            || type.startsWith("io.mptcp.ffi.")
                            || type.equals("sun.nio.ch.SelChImpl") && method.equals("park")
                            || type.startsWith("sun.nio.ch.Poller");
                    sb.append("\n    ").append(type).append('.')
                            .append(f.getMethod().getName()).append(':')
                            .append(f.getLineNumber());
                }
            }
            System.out.println("INFO pinned " + sb);
            if (inWait && !classInit) {
                ours.add(sb.toString());
            }
        }
        System.out.println("INFO pinned-events=" + all + " in-io-wait=" + ours.size());
        require(ours.isEmpty(), "JFR recorded virtual threads pinned in an I/O wait:\n"
                + String.join("\n", ours));
    }

    // ---- helpers --------------------------------------------------------------------------

    private static ServerSocketChannel listen() throws IOException {
        return ServerSocketChannel.open().bind(new InetSocketAddress(LOOPBACK, 0));
    }

    private static void write(java.nio.channels.WritableByteChannel ch, String text) {
        try {
            ByteBuffer b = ByteBuffer.wrap(text.getBytes(StandardCharsets.US_ASCII));
            while (b.hasRemaining()) {
                ch.write(b);
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void drain(SocketChannel ch, long bytes) {
        Thread t = new Thread(() -> {
            ByteBuffer b = ByteBuffer.allocateDirect(1 << 20);
            long left = bytes;
            try {
                while (left > 0) {
                    int n = ch.read(b.clear());
                    if (n < 0) {
                        return;
                    }
                    left -= n;
                }
            } catch (IOException e) {
                // The test reports the writer's result instead.
            }
        }, "drain");
        t.setDaemon(true);
        t.start();
    }

    private static void expect(Task<Object> t, Class<? extends Throwable> type,
            boolean interruptStatus) throws Exception {
        Throwable thrown = t.failure(STEP);
        if (!type.isInstance(thrown)) {
            throw new AssertionError(t.name + " threw " + thrown + ", expected "
                    + type.getSimpleName(), thrown);
        }
        if (interruptStatus) {
            require(t.interruptedAtEnd, t.name + " lost its interrupt status");
        }
    }

    private static void require(boolean condition, String message) {
        if (!condition) {
            throw new AssertionError(message);
        }
    }

    /** A call on its own virtual thread. */
    private static final class Task<T> {
        final String name;
        final CompletableFuture<T> result = new CompletableFuture<>();
        final Thread thread;
        volatile boolean interruptedAtEnd;

        private Task(String name, Callable<T> call) {
            this.name = name;
            this.thread = virtualThreads.newThread(() -> {
                T value = null;
                Throwable failure = null;
                try {
                    value = call.call();
                } catch (Throwable e) {
                    failure = e;
                }
                interruptedAtEnd = Thread.currentThread().isInterrupted();
                if (failure == null) {
                    result.complete(value);
                } else {
                    result.completeExceptionally(failure);
                }
            });
        }

        static <T> Task<T> start(String name, Callable<T> call) {
            Task<T> t = new Task<>(name, call);
            t.thread.start();
            return t;
        }

        T get(Duration timeout) throws Exception {
            try {
                return result.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                throw new AssertionError(name + " did not finish within " + timeout, e);
            } catch (ExecutionException e) {
                throw new AssertionError(name + " failed: " + e.getCause(), e.getCause());
            }
        }

        Throwable failure(Duration timeout) throws Exception {
            try {
                T value = result.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
                throw new AssertionError(name + " returned " + value + " instead of throwing");
            } catch (TimeoutException e) {
                throw new AssertionError(name + " did not finish within " + timeout, e);
            } catch (ExecutionException e) {
                return e.getCause();
            }
        }
    }
}
