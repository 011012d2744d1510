package io.mptcp.ffi;

import static io.mptcp.ffi.LinuxUapi.EFD_CLOEXEC;
import static io.mptcp.ffi.LinuxUapi.EFD_NONBLOCK;
import static io.mptcp.ffi.LinuxUapi.EPOLLIN;
import static io.mptcp.ffi.LinuxUapi.EPOLLOUT;
import static io.mptcp.ffi.LinuxUapi.EPOLL_CTL_ADD;
import static io.mptcp.ffi.LinuxUapi.EPOLL_CTL_DEL;
import static io.mptcp.ffi.LinuxUapi.EPOLL_CTL_MOD;
import static io.mptcp.ffi.LinuxUapi.O_CLOEXEC;
import static io.mptcp.ffi.LinuxUapi.O_NONBLOCK;
import static io.mptcp.ffi.OpenFds.direct;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@link EpollEventBuffer}'s layout against the kernel, and epoll_ctl/epoll_wait semantics. */
@Timeout(10)
class EpollTest {
    private OpenFds fds;
    private LinuxSyscalls sys;
    private int epfd;

    @BeforeEach
    void epoll() throws Exception {
        fds = new OpenFds();
        sys = fds.sys;
        epfd = fds.track(sys.epollCreate());
    }

    @AfterEach
    void closeAll() throws Exception {
        fds.close();
    }

    @Test
    void eventSizeFollowsTheArchitecture() {
        assertTrue(EpollEventBuffer.isX86_64("amd64"));
        assertTrue(EpollEventBuffer.isX86_64("x86_64"));
        assertFalse(EpollEventBuffer.isX86_64("aarch64"));
        boolean packed = EpollEventBuffer.isX86_64(System.getProperty("os.arch"));
        assertEquals(packed ? 12 : 16, EpollEventBuffer.SIZEOF_EVENT);
        assertEquals(packed ? 4 : 8, EpollEventBuffer.DATA_OFFSET);
    }

    /**
     * Several ready descriptors of different kinds, so that events land at indexes 0..n-1: the
     * fds read back at {@code i * SIZEOF_EVENT + DATA_OFFSET} are only right if the stride and
     * offset are the kernel's.
     */
    @Test
    void kernelWritesEventsWhereTheBufferReadsThem() throws Exception {
        Map<Integer, Integer> expected = new HashMap<>();
        for (int i = 0; i < 3; i++) {
            int efd = fds.track(sys.eventfd(1, EFD_NONBLOCK | EFD_CLOEXEC));
            expected.put(efd, EPOLLIN);
        }
        int[] pipe = fds.track(sys.pipe2(O_NONBLOCK | O_CLOEXEC));
        sys.write(pipe[1], direct("x"));
        expected.put(pipe[0], EPOLLIN);
        expected.put(pipe[1], EPOLLOUT);
        for (Map.Entry<Integer, Integer> e : expected.entrySet()) {
            sys.epollCtl(epfd, EPOLL_CTL_ADD, e.getKey(), e.getValue());
        }

        EpollEventBuffer events = new EpollEventBuffer(8);
        for (int i = 0; i < 8; i++) {
            events.set(i, -1, 0); // garbage the kernel must overwrite
        }
        assertEquals(expected.size(), sys.epollWait(epfd, events, 1000));
        Map<Integer, Integer> seen = new HashMap<>();
        for (int i = 0; i < expected.size(); i++) {
            seen.put(events.fd(i), events.events(i));
        }
        assertEquals(expected, seen);
        assertEquals(-1, events.fd(expected.size()), "nothing written past the count");
    }

    @Test
    void modifiedInterestIsWhatIsReported() throws Exception {
        int[] pipe = fds.track(sys.pipe2(O_NONBLOCK | O_CLOEXEC));
        sys.epollCtl(epfd, EPOLL_CTL_ADD, pipe[1], EPOLLIN);
        EpollEventBuffer events = new EpollEventBuffer(4);
        assertEquals(0, sys.epollWait(epfd, events, 0));

        sys.epollCtl(epfd, EPOLL_CTL_MOD, pipe[1], EPOLLOUT);
        assertEquals(1, sys.epollWait(epfd, events, 0));
        assertEquals(pipe[1], events.fd(0));
        assertEquals(EPOLLOUT, events.events(0));

        sys.epollCtl(epfd, EPOLL_CTL_DEL, pipe[1], 0);
        assertEquals(0, sys.epollWait(epfd, events, 0));
    }

    @Test
    void levelTriggeredEventsRepeatUntilConsumed() throws Exception {
        int efd = fds.track(sys.eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC));
        sys.epollCtl(epfd, EPOLL_CTL_ADD, efd, EPOLLIN);
        EpollEventBuffer events = new EpollEventBuffer(1);
        sys.eventfdWrite(efd, 1);
        assertEquals(1, sys.epollWait(epfd, events, 0));
        assertEquals(1, sys.epollWait(epfd, events, 0));
        sys.eventfdRead(efd);
        assertEquals(0, sys.epollWait(epfd, events, 0));
    }

    @Test
    void waitReturnsZeroOnlyAfterTheTimeout() throws Exception {
        int efd = fds.track(sys.eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC));
        sys.epollCtl(epfd, EPOLL_CTL_ADD, efd, EPOLLIN);
        long start = System.nanoTime();
        assertEquals(0, sys.epollWait(epfd, new EpollEventBuffer(1), 50));
        long elapsedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertTrue(elapsedMillis >= 45, "waited " + elapsedMillis + " ms");
    }

    @Test
    void ctlFailuresCarryTheKernelErrno() throws Exception {
        int efd = fds.track(sys.eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC));
        sys.epollCtl(epfd, EPOLL_CTL_ADD, efd, EPOLLIN);
        ErrnoException twice = assertThrows(ErrnoException.class,
                () -> sys.epollCtl(epfd, EPOLL_CTL_ADD, efd, EPOLLIN));
        assertEquals(Errno.EEXIST, twice.errno());
        assertEquals("epoll_ctl", twice.syscall());
        sys.epollCtl(epfd, EPOLL_CTL_DEL, efd, 0);
        ErrnoException gone = assertThrows(ErrnoException.class,
                () -> sys.epollCtl(epfd, EPOLL_CTL_DEL, efd, 0));
        assertEquals(Errno.ENOENT, gone.errno());
    }
}
