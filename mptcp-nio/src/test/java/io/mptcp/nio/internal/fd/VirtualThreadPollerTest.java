package io.mptcp.nio.internal.fd;

import io.mptcp.ffi.EpollEventBuffer;
import io.mptcp.ffi.Errno;
import io.mptcp.ffi.ErrnoException;
import io.mptcp.ffi.LinuxSyscalls;
import io.mptcp.ffi.LinuxUapi;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyInt;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

/**
 * The poller that parks virtual threads, on the real kernel. {@link LockSupport} parks platform
 * threads the same way, so these run on JDK 17 too; {@code VirtualThreadsIT} in {@code it} runs
 * the channels on real virtual threads.
 */
@Timeout(value = 20, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class VirtualThreadPollerTest {
    private final LinuxSyscalls sys = LinuxSyscalls.system();
    private final int[] pipe;
    private final NativeFd source;

    VirtualThreadPollerTest() throws Exception {
        pipe = sys.pipe2(LinuxUapi.O_NONBLOCK | LinuxUapi.O_CLOEXEC);
        source = new NativeFd(sys, pipe[0]);
    }

    @AfterEach
    void close() throws Exception {
        source.release();
        sys.close(pipe[1]);
    }

    private void writeOneByte() throws Exception {
        ByteBuffer one = ByteBuffer.allocateDirect(1);
        assertEquals(1, sys.write(pipe[1], one));
    }

    private void drainOneByte() throws Exception {
        assertEquals(1, sys.read(pipe[0], ByteBuffer.allocateDirect(1)));
    }

    /** Starts a thread parked on the poller until the pipe is readable; returns its outcome. */
    private CompletableFuture<Boolean> parkReader(long nanos, Thread[] thread) {
        CompletableFuture<Boolean> done = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try {
                done.complete(source.parkOnPoller(LinuxUapi.POLLIN, nanos));
            } catch (Throwable e) {
                done.completeExceptionally(e);
            }
        }, "parked reader");
        thread[0] = t;
        t.start();
        return done;
    }

    private static void awaitParked(Thread t) throws InterruptedException {
        while (t.getState() != Thread.State.WAITING && t.getState() != Thread.State.TIMED_WAITING) {
            Thread.sleep(5);
        }
    }

    @Test
    void readinessUnparksTheWaiterAgainAndAgain() throws Exception {
        for (int round = 0; round < 3; round++) {
            Thread[] t = new Thread[1];
            CompletableFuture<Boolean> done = parkReader(0, t);
            awaitParked(t[0]);
            assertFalse(done.isDone(), "woke without data in round " + round);
            writeOneByte();
            // The one-shot entry stays in the set after it fired: later rounds re-arm it.
            assertTrue(done.get(10, TimeUnit.SECONDS), "round " + round);
            drainOneByte();
        }
    }

    @Test
    void unparkReleasesAParkedWaiterAndLaterWaitsReturnAtOnce() throws Exception {
        Thread[] t = new Thread[1];
        CompletableFuture<Boolean> done = parkReader(0, t);
        awaitParked(t[0]);
        source.unpark();
        assertTrue(done.get(10, TimeUnit.SECONDS));
        assertTrue(source.parkOnPoller(LinuxUapi.POLLIN, 0), "a wait after unpark must not park");
    }

    @Test
    void aTimedWaitEndsWithoutReadiness() throws Exception {
        assertTrue(source.parkOnPoller(LinuxUapi.POLLIN, TimeUnit.MILLISECONDS.toNanos(50)));
        assertFalse(VirtualThreadPoller.of(sys, LinuxUapi.POLLIN).isWaiting(pipe[0]),
                "a wait that ended left its registration behind");
        // The timed-out entry was deleted: a new wait still works.
        Thread[] t = new Thread[1];
        CompletableFuture<Boolean> done = parkReader(0, t);
        awaitParked(t[0]);
        writeOneByte();
        assertTrue(done.get(10, TimeUnit.SECONDS));
    }

    @Test
    void interruptEndsTheWait() throws Exception {
        Thread[] t = new Thread[1];
        CompletableFuture<Boolean> done = parkReader(0, t);
        awaitParked(t[0]);
        t[0].interrupt();
        assertTrue(done.get(10, TimeUnit.SECONDS));
    }

    @Test
    void aSecondWaiterInTheSameDirectionIsTurnedAway() throws Exception {
        Thread[] t = new Thread[1];
        CompletableFuture<Boolean> done = parkReader(0, t);
        awaitParked(t[0]);
        // The channels' locks never let this happen; the poller refuses rather than lose the
        // first waiter, and NativeFd then waits in poll(2).
        assertFalse(source.parkOnPoller(LinuxUapi.POLLIN, TimeUnit.MILLISECONDS.toNanos(10)));
        writeOneByte();
        assertTrue(done.get(10, TimeUnit.SECONDS));
    }

    @Test
    void aWrongGuessAboutTheEpollSetIsCorrected() throws Exception {
        VirtualThreadPoller poller = VirtualThreadPoller.of(sys, LinuxUapi.POLLIN);
        // Not in the set, but said to be: MOD fails with ENOENT, then ADD.
        assertTrue(poller.register(pipe[0], LinuxUapi.POLLIN, true));
        assertFalse(poller.deregister(pipe[0]), "an unfired wait leaves the set");
        // Fired: the entry stays in the set, disarmed.
        assertTrue(poller.register(pipe[0], LinuxUapi.POLLIN, false));
        writeOneByte();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (poller.isWaiting(pipe[0])) {
            assertTrue(System.nanoTime() < deadline, "the poller never fired");
            LockSupport.parkNanos(1_000_000);
        }
        assertTrue(poller.deregister(pipe[0]), "a fired wait stays in the set");
        drainOneByte();
        // In the set, but said not to be: ADD fails with EEXIST, then MOD.
        assertTrue(poller.register(pipe[0], LinuxUapi.POLLIN, false));
        assertFalse(poller.deregister(pipe[0]));
    }

    @Test
    void aPollerThatStopsFreesItsEventBuffer() throws Exception {
        LinuxSyscalls failing = mock(LinuxSyscalls.class);
        when(failing.epollCreate()).thenReturn(1_000_000);
        CompletableFuture<EpollEventBuffer> used = new CompletableFuture<>();
        when(failing.epollWait(anyInt(), any(), anyInt())).thenAnswer(inv -> {
            used.complete(inv.getArgument(1));
            throw new ErrnoException("epoll_wait", Errno.EBADF);
        });
        VirtualThreadPoller poller = VirtualThreadPoller.of(failing, LinuxUapi.POLLIN);
        EpollEventBuffer events = used.get(10, TimeUnit.SECONDS);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!events.isClosed()) {
            assertTrue(System.nanoTime() < deadline, "the stopped poller kept its buffer");
            LockSupport.parkNanos(1_000_000);
        }
        // Broken: later waits are turned away (and wait in poll(2) instead).
        assertFalse(poller.register(5, LinuxUapi.POLLIN, false));
    }
}
