package io.mptcp.nio.internal.datagram;

import io.mptcp.nio.MptcpSelectorProvider;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A datagram channel on loopback allocates nothing per datagram once warm: {@code send} to the
 * same target, {@code receive} from the same sender (the same {@code InetSocketAddress} comes
 * back), heap or direct buffers, and a receive that finds nothing.
 */
class DatagramChannelAllocationTest {
    private static final int WARM_UP = 20_000;
    private static final int MEASURED = 10_000;

    @Test
    @Timeout(120)
    void sendAndReceiveDoNotAllocate() throws Exception {
        if (!(ManagementFactory.getThreadMXBean()
                instanceof com.sun.management.ThreadMXBean threads)
                || !threads.isThreadAllocatedMemorySupported()) {
            Assumptions.abort("this JVM cannot count the bytes a thread allocates");
            return;
        }
        threads.setThreadAllocatedMemoryEnabled(true);
        MptcpSelectorProvider provider = new MptcpSelectorProvider();
        InetAddress loopback = InetAddress.getLoopbackAddress();
        try (DatagramChannel a = provider.openDatagramChannel(StandardProtocolFamily.INET);
                DatagramChannel b = provider.openDatagramChannel(StandardProtocolFamily.INET)) {
            a.bind(new InetSocketAddress(loopback, 0)).configureBlocking(false);
            b.bind(new InetSocketAddress(loopback, 0)).configureBlocking(false);
            Round round = new Round(a, b);
            for (int i = 0; i < WARM_UP; i++) {
                round.run();
            }
            SocketAddress sender = round.sender;
            long thread = Thread.currentThread().getId();
            long before = threads.getThreadAllocatedBytes(thread);
            for (int i = 0; i < MEASURED; i++) {
                round.run();
            }
            long allocated = threads.getThreadAllocatedBytes(thread) - before;
            assertSame(sender, round.sender, "the same sender is not decoded again");
            // Less than a byte per round: a single object on any call would be 16 or more.
            assertTrue(allocated < MEASURED,
                    allocated + " bytes allocated in " + MEASURED + " rounds");
        }
    }

    /** One datagram from a heap buffer, one from a direct one, both received; then nothing. */
    private static final class Round {
        private final DatagramChannel from;
        private final DatagramChannel to;
        private final SocketAddress target;
        private final ByteBuffer heap = ByteBuffer.allocate(64);
        private final ByteBuffer direct = ByteBuffer.allocateDirect(64);
        private final ByteBuffer heapIn = ByteBuffer.allocate(64);
        private final ByteBuffer directIn = ByteBuffer.allocateDirect(64);
        SocketAddress sender;

        Round(DatagramChannel from, DatagramChannel to) throws Exception {
            this.from = from;
            this.to = to;
            this.target = to.getLocalAddress();
        }

        void run() throws Exception {
            assertEquals(48, from.send(heap.clear().limit(48), target));
            assertEquals(32, from.send(direct.clear().limit(32), target));
            sender = receive(heapIn);
            assertEquals(48, heapIn.position());
            assertSame(sender, receive(directIn));
            assertEquals(32, directIn.position());
            assertNull(to.receive(directIn.clear()));
        }

        /** Non-blocking: loopback delivery is immediate, but spin in case it is not yet. */
        private SocketAddress receive(ByteBuffer dst) throws Exception {
            SocketAddress s;
            while ((s = to.receive(dst.clear())) == null) {
                Thread.onSpinWait();
            }
            return s;
        }
    }
}
