package io.mptcp.it.memory;

import java.io.IOException;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.spi.SelectorProvider;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The program: one thread writes heap buffers of 8, 16, ... 128 MiB through a loopback
 * {@code SocketChannel} of the JVM's provider (ours when the property is set), so each write
 * goes through that thread's temporary direct buffers. Run it under {@code -Xmx1g}. It prints
 * {@code MEMORY <phase> ...} lines with what the JVM holds after a collection, while the
 * writer thread lives and after it has ended, then {@code OUTCOME completed} or
 * {@code OUTCOME <exception>}.
 *
 * <p>What is held: the JDK's "direct" buffer pool ({@code BufferPoolMXBean}; JDK 17 counts its
 * temporary buffers there, JDK 25 does not), mptcp-nio's own native allocations (read by
 * reflection, so that this runs against any version of it, or without it), and the process's
 * resident set.
 */
public final class TemporaryBufferMemoryMain {
    private static final int MIB = 1 << 20;

    private TemporaryBufferMemoryMain() {
    }

    public static void main(String[] args) throws Exception {
        SelectorProvider provider = SelectorProvider.provider();
        System.out.println("PROVIDER " + provider.getClass().getName());
        report("start");
        try (ServerSocketChannel server = provider.openServerSocketChannel()) {
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            try (SocketChannel client = provider.openSocketChannel()) {
                client.connect(server.getLocalAddress());
                try (SocketChannel accepted = server.accept()) {
                    run(client, accepted);
                }
            }
        }
    }

    private static void run(SocketChannel client, SocketChannel accepted) throws Exception {
        CompletableFuture<Long> drained = new CompletableFuture<>();
        Thread reader = new Thread(() -> {
            try {
                drained.complete(drain(accepted));
            } catch (Throwable e) {
                drained.completeExceptionally(e);
            }
        }, "direct-reader");
        reader.setDaemon(true);
        reader.start();

        CountDownLatch written = new CountDownLatch(1);
        CountDownLatch end = new CountDownLatch(1);
        Throwable[] failure = new Throwable[1];
        Thread writer = new Thread(() -> {
            try {
                for (int mib = 8; mib <= 128; mib += 8) {
                    ByteBuffer src = ByteBuffer.wrap(new byte[mib * MIB]);
                    while (src.hasRemaining()) {
                        client.write(src);
                    }
                }
            } catch (Throwable e) {
                failure[0] = e;
            }
            written.countDown();
            try {
                end.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "heap-writer");
        writer.start();
        written.await();
        if (failure[0] != null) {
            System.out.println("OUTCOME " + failure[0]);
            failure[0].printStackTrace(System.out);
            System.exit(2);
        }
        report("writer-alive");
        end.countDown();
        writer.join();
        // Ours frees an ended thread's buffers from another thread, within about a second.
        Thread.sleep(3000);
        report("writer-ended");
        client.shutdownOutput();
        long total = drained.get(60, TimeUnit.SECONDS);
        System.out.println("DRAINED " + total);
        System.out.println("OUTCOME completed");
    }

    private static long drain(SocketChannel ch) throws IOException {
        ByteBuffer dst = ByteBuffer.allocateDirect(MIB);
        long total = 0;
        for (int n; (n = ch.read(dst.clear())) >= 0; ) {
            total += n;
        }
        return total;
    }

    private static void report(String phase) throws Exception {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(100);
        }
        BufferPoolMXBean direct = ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class)
                .stream().filter(p -> p.getName().equals("direct")).findFirst().orElseThrow();
        System.out.println("MEMORY " + phase + " directPoolBytes=" + direct.getMemoryUsed()
                + " directPoolCount=" + direct.getCount() + " ownNativeBytes=" + ownNativeBytes()
                + " rssKiB=" + rssKiB());
    }

    /** mptcp-nio's count of its native allocations, or -1 where it has none. */
    private static long ownNativeBytes() {
        try {
            return (long) Class.forName("io.mptcp.ffi.NativeBuffer").getMethod("liveBytes")
                    .invoke(null);
        } catch (ReflectiveOperationException e) {
            return -1;
        }
    }

    private static long rssKiB() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return -1;
    }
}
