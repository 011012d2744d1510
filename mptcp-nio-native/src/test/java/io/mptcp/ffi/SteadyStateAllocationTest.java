package io.mptcp.ffi;

import static io.mptcp.ffi.LinuxUapi.AF_UNIX;
import static io.mptcp.ffi.LinuxUapi.EFD_CLOEXEC;
import static io.mptcp.ffi.LinuxUapi.EFD_NONBLOCK;
import static io.mptcp.ffi.LinuxUapi.EPOLLIN;
import static io.mptcp.ffi.LinuxUapi.EPOLL_CTL_ADD;
import static io.mptcp.ffi.LinuxUapi.POLLIN;
import static io.mptcp.ffi.LinuxUapi.SOCK_CLOEXEC;
import static io.mptcp.ffi.LinuxUapi.SOCK_NONBLOCK;
import static io.mptcp.ffi.LinuxUapi.SOCK_STREAM;
import static io.mptcp.ffi.OpenFds.direct;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The data and wait calls allocate nothing once their thread has warmed up. */
class SteadyStateAllocationTest {
    private static final int WARM_UP = 20_000;
    private static final int MEASURED = 10_000;

    @Test
    @Timeout(60)
    void dataAndWaitCallsDoNotAllocate() throws Exception {
        if (!(ManagementFactory.getThreadMXBean()
                instanceof com.sun.management.ThreadMXBean threads)
                || !threads.isThreadAllocatedMemorySupported()) {
            Assumptions.abort("this JVM cannot count the bytes a thread allocates");
            return;
        }
        threads.setThreadAllocatedMemoryEnabled(true);
        try (OpenFds fds = new OpenFds()) {
            LinuxSyscalls sys = fds.sys;
            int[] pair = fds.track(
                    sys.socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
            int efd = fds.track(sys.eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC));
            int epfd = fds.track(sys.epollCreate());
            sys.epollCtl(epfd, EPOLL_CTL_ADD, efd, EPOLLIN);
            Round round = new Round(sys, pair[0], pair[1], efd, epfd);

            for (int i = 0; i < WARM_UP; i++) {
                round.run();
            }
            long thread = Thread.currentThread().getId();
            long before = threads.getThreadAllocatedBytes(thread);
            for (int i = 0; i < MEASURED; i++) {
                round.run();
            }
            long allocated = threads.getThreadAllocatedBytes(thread) - before;
            // Less than a byte per round: a single object on any call would be 16 or more.
            assertTrue(allocated < MEASURED,
                    allocated + " bytes allocated in " + MEASURED + " rounds");
        }
    }

    /** One call of each steady-state kind, with buffers made up front. */
    private static final class Round {
        private final LinuxSyscalls sys;
        private final int left;
        private final int right;
        private final int efd;
        private final int epfd;
        private final ByteBuffer src = direct("steady");
        private final ByteBuffer dst = direct(64);
        private final ByteBuffer[] srcs = {direct("ab"), direct("cd")};
        private final ByteBuffer[] dsts = {direct(2), direct(2)};
        private final EpollEventBuffer events = new EpollEventBuffer(4);

        Round(LinuxSyscalls sys, int left, int right, int efd, int epfd) {
            this.sys = sys;
            this.left = left;
            this.right = right;
            this.efd = efd;
            this.epfd = epfd;
        }

        void run() throws ErrnoException {
            assertEquals(6, sys.write(left, src));
            assertEquals(POLLIN, sys.poll(right, POLLIN, -1, 0));
            assertEquals(6, sys.read(right, dst));
            assertEquals(4, sys.writev(left, srcs, 0, 2));
            assertEquals(4, sys.readv(right, dsts, 0, 2));
            assertEquals(IoStatus.UNAVAILABLE, sys.read(right, dst));
            sys.eventfdWrite(efd, 1);
            assertEquals(1, sys.epollWait(epfd, events, 0));
            assertEquals(1, sys.eventfdRead(efd));
        }
    }
}
