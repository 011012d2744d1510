package io.mptcp.it.memory;

import java.io.IOException;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.nio.channels.spi.SelectorProvider;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Issue 14, item 1, measured by hand: {@code Selector.open()/close()} of the JVM's provider,
 * {@code args[0]} times (default 100,000), and what the process holds before and after: its
 * resident set, the JDK's "direct" buffer pool, mptcp-nio's own native allocations (by
 * reflection; -1 without them) and how many collections ran meanwhile. The point is to see
 * what close frees without a collection: give it a young generation large enough for none to
 * run, and touch the heap up front so that the resident set grows only by native memory.
 *
 * <pre>
 * java -Xms2g -Xmx2g -Xmn1536m -XX:+AlwaysPreTouch \
 *     [-Djava.nio.channels.spi.SelectorProvider=io.mptcp.nio.MptcpSelectorProvider] \
 *     -cp it/target/test-classes:$(cat it/target/test.classpath) \
 *     io.mptcp.it.memory.SelectorChurnMain 100000
 * </pre>
 */
public final class SelectorChurnMain {
    private SelectorChurnMain() {
    }

    public static void main(String[] args) throws Exception {
        int cycles = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        SelectorProvider provider = SelectorProvider.provider();
        // Warm up: classes, the JIT, per-thread areas.
        for (int i = 0; i < 1000; i++) {
            provider.openSelector().close();
        }
        String before = figures();
        long start = System.nanoTime();
        for (int i = 0; i < cycles; i++) {
            provider.openSelector().close();
        }
        long millis = (System.nanoTime() - start) / 1_000_000;
        System.out.println("PROVIDER " + provider.getClass().getName() + " cycles=" + cycles
                + " millis=" + millis);
        System.out.println("BEFORE " + before);
        System.out.println("AFTER  " + figures());
    }

    private static String figures() throws IOException {
        BufferPoolMXBean direct = ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class)
                .stream().filter(p -> p.getName().equals("direct")).findFirst().orElseThrow();
        long collections = 0;
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            collections += Math.max(0, gc.getCollectionCount());
        }
        return "rssKiB=" + rssKiB() + " directPoolCount=" + direct.getCount()
                + " directPoolBytes=" + direct.getMemoryUsed() + " ownNativeBytes="
                + ownNativeBytes() + " collections=" + collections;
    }

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
