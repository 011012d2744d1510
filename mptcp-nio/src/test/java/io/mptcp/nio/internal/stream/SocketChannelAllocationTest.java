package io.mptcp.nio.internal.stream;

import io.mptcp.nio.MptcpSelectorProvider;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A connected socket channel on loopback allocates nothing per write and read once warm, with
 * heap buffers (copied through the thread's cache of direct buffers, without a duplicate of the
 * caller's buffer) and direct ones, single and scatter/gather; MPTCP and TCP.
 */
class SocketChannelAllocationTest {
    private static final int WARM_UP = 20_000;
    private static final int MEASURED = 10_000;

    @ParameterizedTest(name = "mode {0}")
    @ValueSource(strings = {"all", "off"})
    @Timeout(120)
    void writesAndReadsDoNotAllocate(String mode) throws Exception {
        if (!(ManagementFactory.getThreadMXBean()
                instanceof com.sun.management.ThreadMXBean threads)
                || !threads.isThreadAllocatedMemorySupported()) {
            Assumptions.abort("this JVM cannot count the bytes a thread allocates");
            return;
        }
        threads.setThreadAllocatedMemoryEnabled(true);
        String saved = System.getProperty("io.mptcp.nio.mode");
        System.setProperty("io.mptcp.nio.mode", mode);
        try {
            MptcpSelectorProvider provider = new MptcpSelectorProvider();
            try (ServerSocketChannel listener =
                         provider.openServerSocketChannel(StandardProtocolFamily.INET)) {
                listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
                try (SocketChannel client =
                             provider.openSocketChannel(StandardProtocolFamily.INET);
                     SocketChannel server = connect(client, listener)) {
                    Round round = new Round(client, server);
                    for (int i = 0; i < WARM_UP; i++) {
                        round.run();
                    }
                    long thread = Thread.currentThread().getId();
                    long before = threads.getThreadAllocatedBytes(thread);
                    for (int i = 0; i < MEASURED; i++) {
                        round.run();
                    }
                    long allocated = threads.getThreadAllocatedBytes(thread) - before;
                    // Less than a byte per round: a single object on any call would be 16+.
                    assertTrue(allocated < MEASURED,
                            allocated + " bytes allocated in " + MEASURED + " rounds");
                }
            }
        } finally {
            if (saved == null) {
                System.clearProperty("io.mptcp.nio.mode");
            } else {
                System.setProperty("io.mptcp.nio.mode", saved);
            }
        }
    }

    private static SocketChannel connect(SocketChannel client, ServerSocketChannel listener)
            throws Exception {
        client.connect(listener.getLocalAddress());
        return listener.accept();
    }

    /** 48 bytes from a heap buffer, 32 from a direct one, 2 × 16 gathered; all read back. */
    private static final class Round {
        private final SocketChannel out;
        private final SocketChannel in;
        private final ByteBuffer heap = ByteBuffer.allocate(48);
        private final ByteBuffer direct = ByteBuffer.allocateDirect(32);
        private final ByteBuffer[] gather = {ByteBuffer.allocate(16), ByteBuffer.allocateDirect(16)};
        private final ByteBuffer heapIn = ByteBuffer.allocate(48);
        private final ByteBuffer directIn = ByteBuffer.allocateDirect(32);
        private final ByteBuffer[] scatter = {ByteBuffer.allocate(16), ByteBuffer.allocateDirect(16)};

        Round(SocketChannel out, SocketChannel in) {
            this.out = out;
            this.in = in;
        }

        void run() throws Exception {
            assertEquals(48, out.write(heap.clear()));
            assertEquals(32, out.write(direct.clear()));
            gather[0].clear();
            gather[1].clear();
            assertEquals(32, out.write(gather));
            fill(heapIn.clear());
            fill(directIn.clear());
            scatter[0].clear();
            scatter[1].clear();
            while (scatter[1].hasRemaining()) {
                in.read(scatter);
            }
        }

        private void fill(ByteBuffer dst) throws Exception {
            while (dst.hasRemaining()) {
                in.read(dst);
            }
        }
    }
}
