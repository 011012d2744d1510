package io.mptcp.examples.demo;

import io.mptcp.examples.EventMonitor;
import io.mptcp.nio.MptcpSelectorProvider;
import io.mptcp.nio.pm.MptcpEvent;
import io.mptcp.nio.pm.MptcpEventChannel;

import java.io.IOException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.spi.SelectorProvider;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The demo's observer inside one network namespace: every MPTCP event of the namespace and its
 * link changes, from the library's {@link MptcpEventChannel}, and, with {@code --counters}, the
 * byte counters of links {@code mp1} and {@code mp2} every 100 ms. Started by
 * {@link TwoPathDemo} with {@code ip netns exec}; one line per fact, for the demo to parse:
 *
 * <pre>
 * ready
 * event EPOCH_MS [SF_ESTABLISHED] token=… (ip mptcp monitor's words)
 * counters EPOCH_MS MP1_TX MP1_RX MP2_TX MP2_RX
 * </pre>
 *
 * It runs until its standard input closes (the demo ended or died).
 */
public final class DemoMonitor {
    private static final long COUNTER_PERIOD_MS = 100;

    private DemoMonitor() {
    }

    /**
     * Runs the monitor.
     *
     * @param args {@code --counters} to report the links' byte counters too
     */
    public static void main(String[] args) throws Exception {
        if (!(SelectorProvider.provider() instanceof MptcpSelectorProvider)) {
            System.out.println("failed: DemoMonitor needs -Djava.nio.channels.spi.SelectorProvider="
                    + MptcpSelectorProvider.class.getName());
            System.exit(2);
        }
        boolean counters = args.length == 1 && args[0].equals("--counters");
        Thread watchdog = new Thread(() -> {
            try {
                while (System.in.read() >= 0) {
                    // Nothing is sent on stdin: its end means the demo is gone.
                }
            } catch (IOException e) {
                // Same meaning as the end of input.
            }
            System.exit(0);
        }, "stdin-watch");
        watchdog.setDaemon(true);
        watchdog.start();
        try (MptcpEventChannel events = MptcpEventChannel.open();
                Selector selector = Selector.open()) {
            if (events.netlinkRefusal().isPresent()) {
                System.out.println("failed: no MPTCP netlink events: "
                        + events.netlinkRefusal().get().getMessage());
                System.exit(1);
            }
            events.configureBlocking(false);
            events.register(selector, SelectionKey.OP_READ);
            System.out.println("ready");
            System.out.flush();
            long nextCounters = System.currentTimeMillis();
            while (true) {
                long now = System.currentTimeMillis();
                if (counters && now >= nextCounters) {
                    System.out.println("counters " + now + " " + counter("mp1", "tx") + " "
                            + counter("mp1", "rx") + " " + counter("mp2", "tx") + " "
                            + counter("mp2", "rx"));
                    System.out.flush();
                    nextCounters = now + COUNTER_PERIOD_MS;
                }
                selector.select(counters ? Math.max(1, nextCounters - now) : 0);
                selector.selectedKeys().clear();
                for (MptcpEvent e = events.receive(); e != null; e = events.receive()) {
                    System.out.println("event " + System.currentTimeMillis() + " "
                            + EventMonitor.format(e));
                    System.out.flush();
                }
            }
        }
    }

    private static long counter(String device, String direction) throws IOException {
        return Long.parseLong(Files.readString(
                Path.of("/sys/class/net", device, "statistics", direction + "_bytes")).strip());
    }
}
