package io.mptcp.ffi;

import static io.mptcp.ffi.LinuxUapi.AF_INET;
import static io.mptcp.ffi.LinuxUapi.POLLIN;
import static io.mptcp.ffi.LinuxUapi.SOCK_CLOEXEC;
import static io.mptcp.ffi.LinuxUapi.SOCK_DGRAM;
import static io.mptcp.ffi.LinuxUapi.SOCK_NONBLOCK;
import static io.mptcp.ffi.OpenFds.direct;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A datagram round on loopback (sendto to the same target object, recvfrom from the same
 * sender, a recvfrom that finds nothing) allocates nothing once the thread has warmed up, as
 * {@link SteadyStateAllocationTest} shows for the stream calls.
 */
class DatagramSteadyStateAllocationTest {
    private static final int WARM_UP = 20_000;
    private static final int MEASURED = 10_000;

    @Test
    @Timeout(60)
    void sendtoAndRecvfromDoNotAllocate() throws Exception {
        if (!(ManagementFactory.getThreadMXBean()
                instanceof com.sun.management.ThreadMXBean threads)
                || !threads.isThreadAllocatedMemorySupported()) {
            Assumptions.abort("this JVM cannot count the bytes a thread allocates");
            return;
        }
        threads.setThreadAllocatedMemoryEnabled(true);
        try (OpenFds fds = new OpenFds()) {
            LinuxSyscalls sys = fds.sys;
            int type = SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC;
            int a = fds.track(sys.socket(AF_INET, type, 0));
            int b = fds.track(sys.socket(AF_INET, type, 0));
            InetAddress loopback = InetAddress.getLoopbackAddress();
            sys.bind(a, AF_INET, new InetSocketAddress(loopback, 0));
            sys.bind(b, AF_INET, new InetSocketAddress(loopback, 0));
            Round round = new Round(sys, a, b, sys.getsockname(b));

            for (int i = 0; i < WARM_UP; i++) {
                round.run();
            }
            InetSocketAddress sender = round.sender.get();
            long thread = Thread.currentThread().getId();
            long before = threads.getThreadAllocatedBytes(thread);
            for (int i = 0; i < MEASURED; i++) {
                round.run();
            }
            long allocated = threads.getThreadAllocatedBytes(thread) - before;
            assertSame(sender, round.sender.get(), "the same sender is not decoded again");
            // Less than a byte per round: a single object on any call would be 16 or more.
            assertTrue(allocated < MEASURED,
                    allocated + " bytes allocated in " + MEASURED + " rounds");
        }
    }

    /** One datagram there and one empty receive, with buffers made up front. */
    private static final class Round {
        private final LinuxSyscalls sys;
        private final int from;
        private final int to;
        private final InetSocketAddress target;
        private final ByteBuffer src = direct("datagram");
        private final ByteBuffer dst = direct(64);
        final SenderAddress sender = new SenderAddress();

        Round(LinuxSyscalls sys, int from, int to, InetSocketAddress target) {
            this.sys = sys;
            this.from = from;
            this.to = to;
            this.target = target;
        }

        void run() throws ErrnoException {
            assertEquals(8, sys.sendto(from, src, 0, AF_INET, target));
            assertEquals(POLLIN, sys.poll(to, POLLIN, -1, 5000));
            assertEquals(8, sys.recvfrom(to, dst, 0, sender));
            assertEquals(IoStatus.UNAVAILABLE, sys.recvfrom(to, dst, 0, sender));
        }
    }
}
