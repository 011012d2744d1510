package io.mptcp.ffi;

import static io.mptcp.ffi.LinuxUapi.AF_UNIX;
import static io.mptcp.ffi.LinuxUapi.EFD_CLOEXEC;
import static io.mptcp.ffi.LinuxUapi.EFD_NONBLOCK;
import static io.mptcp.ffi.LinuxUapi.O_CLOEXEC;
import static io.mptcp.ffi.LinuxUapi.O_NONBLOCK;
import static io.mptcp.ffi.LinuxUapi.SOCK_CLOEXEC;
import static io.mptcp.ffi.LinuxUapi.SOCK_NONBLOCK;
import static io.mptcp.ffi.LinuxUapi.SOCK_STREAM;
import static io.mptcp.ffi.LinuxUapi.SOL_SOCKET;
import static io.mptcp.ffi.OpenFds.direct;
import static io.mptcp.ffi.OpenFds.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The libc binding against the kernel: local sockets, pipes, eventfd, poll and options. */
@Timeout(10)
class JnrLinuxSyscallsTest {
    private OpenFds fds;
    private LinuxSyscalls sys;
    private int left;
    private int right;

    @BeforeEach
    void socketpair() throws Exception {
        fds = new OpenFds();
        sys = fds.sys;
        int[] pair = fds.track(
                sys.socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
        left = pair[0];
        right = pair[1];
    }

    @AfterEach
    void closeAll() throws Exception {
        fds.close();
    }

    @Test
    void writesAndReadsBetweenPositionAndLimitWithoutMovingThePosition() throws Exception {
        ByteBuffer src = direct("..hello..").position(2).limit(7);
        assertEquals(5, sys.write(left, src));
        assertEquals(2, src.position());

        ByteBuffer dst = direct(16).position(3);
        assertEquals(5, sys.read(right, dst));
        assertEquals(3, dst.position());
        assertEquals("hello", text(dst, 3, 8));
    }

    @Test
    void readOfAnEmptyNonBlockingSocketIsUnavailable() throws Exception {
        assertEquals(IoStatus.UNAVAILABLE, sys.read(right, direct(8)));
    }

    @Test
    void peekSeesQueuedDataWithoutTakingItAndTellsEndOfStream() throws Exception {
        assertEquals(IoStatus.UNAVAILABLE, sys.peek(right));
        sys.write(left, direct("ab"));
        assertEquals(1, sys.peek(right));
        assertEquals(1, sys.peek(right), "peeking took nothing");
        ByteBuffer dst = direct(8);
        assertEquals(2, sys.read(right, dst));
        sys.shutdown(left, LinuxUapi.SHUT_WR);
        assertEquals(0, sys.peek(right));
    }

    @Test
    void readAtEndOfStreamIsZero() throws Exception {
        sys.shutdown(left, LinuxUapi.SHUT_WR);
        assertEquals(0, sys.read(right, direct(8)));
    }

    @Test
    void writeIntoAFullSocketIsPartialThenUnavailable() throws Exception {
        ByteBuffer big = direct(8 << 20);
        int first = sys.write(left, big);
        assertTrue(first > 0 && first < big.remaining(), "partial write: " + first);
        int next;
        while ((next = sys.write(left, big)) > 0) {
            assertTrue(next < big.remaining());
        }
        assertEquals(IoStatus.UNAVAILABLE, next);
    }

    @Test
    void gathersAndScattersAcrossBuffers() throws Exception {
        ByteBuffer[] srcs = {direct("xab"), direct("cde"), direct("fgh")};
        srcs[0].position(1);
        assertEquals(8, sys.writev(left, srcs, 0, 3));
        assertEquals(1, srcs[0].position());

        ByteBuffer[] dsts = {direct(2), direct(3), direct(10).position(4)};
        assertEquals(8, sys.readv(right, dsts, 0, 3));
        assertEquals("ab", text(dsts[0], 0, 2));
        assertEquals("cde", text(dsts[1], 0, 3));
        assertEquals("fgh", text(dsts[2], 4, 7));
        assertEquals(4, dsts[2].position());
    }

    @Test
    void scatterReadStopsWhereTheDataEnds() throws Exception {
        sys.write(left, direct("1234"));
        ByteBuffer[] dsts = {direct(1), direct(3), direct(3), direct(3)};
        assertEquals(4, sys.readv(right, dsts, 1, 3));
        assertEquals("123", text(dsts[1], 0, 3));
        assertEquals("4", text(dsts[2], 0, 1));
        assertEquals(IoStatus.UNAVAILABLE, sys.readv(right, dsts, 0, 4));
    }

    @Test
    void vectorsAreBoundedByIovMax() throws Exception {
        ByteBuffer[] srcs = new ByteBuffer[LinuxUapi.IOV_MAX + 1];
        for (int i = 0; i < srcs.length; i++) {
            srcs[i] = direct("" + (char) ('a' + i % 26));
        }
        assertEquals(LinuxUapi.IOV_MAX, sys.writev(left, srcs, 1, LinuxUapi.IOV_MAX));
        assertThrows(IllegalArgumentException.class,
                () -> sys.writev(left, srcs, 0, LinuxUapi.IOV_MAX + 1));

        ByteBuffer[] dsts = new ByteBuffer[LinuxUapi.IOV_MAX];
        for (int i = 0; i < dsts.length; i++) {
            dsts[i] = direct(1);
        }
        assertEquals(LinuxUapi.IOV_MAX, sys.readv(right, dsts, 0, LinuxUapi.IOV_MAX));
        assertEquals("b", text(dsts[0], 0, 1));
        assertEquals("" + (char) ('a' + LinuxUapi.IOV_MAX % 26), text(dsts[1023], 0, 1));
    }

    @Test
    void refusesHeapBuffersAndWritingIntoReadOnlyOnes() throws Exception {
        assertThrows(IllegalArgumentException.class, () -> sys.write(left, ByteBuffer.allocate(4)));
        assertThrows(IllegalArgumentException.class,
                () -> sys.read(right, direct(4).asReadOnlyBuffer()));
        assertEquals(2, sys.write(left, direct("ro").asReadOnlyBuffer()));
        ByteBuffer[] mixed = {direct(4), ByteBuffer.allocate(4)};
        assertThrows(IllegalArgumentException.class, () -> sys.readv(right, mixed, 0, 2));
    }

    @Test
    void sendsWithFlags() throws Exception {
        assertEquals(3, sys.send(left, direct("abc"), LinuxUapi.MSG_NOSIGNAL));
        assertEquals(3, sys.available(right));
    }

    @Test
    void failuresNameTheSyscallAndErrno() throws Exception {
        int fd = fds.track(sys.eventfd(0, EFD_CLOEXEC));
        fds.close(fd);
        ErrnoException e = assertThrows(ErrnoException.class, () -> sys.write(fd, direct(8)));
        assertEquals("write", e.syscall());
        assertEquals(Errno.EBADF, e.errno());
        assertEquals("write: Bad file descriptor (EBADF)", e.getMessage());
        assertThrows(ErrnoException.class, () -> sys.close(fd));
    }

    @Test
    void eventfdCoalescesWritesUntilRead() throws Exception {
        int efd = fds.track(sys.eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC));
        assertEquals(0, sys.eventfdRead(efd));
        sys.eventfdWrite(efd, 1);
        sys.eventfdWrite(efd, 2);
        assertEquals(3, sys.eventfdRead(efd));
        assertEquals(0, sys.eventfdRead(efd));
    }

    @Test
    void eventfdWriteToAFullCounterIsNotAnError() throws Exception {
        int efd = fds.track(sys.eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC));
        sys.eventfdWrite(efd, 0xffff_ffff_ffff_fffeL); // the maximum the counter holds
        sys.eventfdWrite(efd, 1);
        assertEquals(0xffff_ffff_ffff_fffeL, sys.eventfdRead(efd));
    }

    @Test
    void pipeCarriesBytesAndHonoursItsFlags() throws Exception {
        int[] pipe = fds.track(sys.pipe2(O_NONBLOCK | O_CLOEXEC));
        assertEquals(IoStatus.UNAVAILABLE, sys.read(pipe[0], direct(4)));
        assertEquals(4, sys.write(pipe[1], direct("pipe")));
        ByteBuffer dst = direct(8);
        assertEquals(4, sys.read(pipe[0], dst));
        assertEquals("pipe", text(dst, 0, 4));
    }

    @Test
    void setBlockingTogglesONonblock() throws Exception {
        int[] pipe = fds.track(sys.pipe2(O_CLOEXEC));
        sys.setBlocking(pipe[0], false);
        assertEquals(IoStatus.UNAVAILABLE, sys.read(pipe[0], direct(4)));

        sys.setBlocking(pipe[0], true);
        CompletableFuture<Integer> reader = CompletableFuture.supplyAsync(() -> {
            try {
                return sys.read(pipe[0], direct(4));
            } catch (ErrnoException e) {
                throw new IllegalStateException(e);
            }
        });
        Thread.sleep(100);
        assertTrue(!reader.isDone(), "a blocking read waits for data");
        sys.write(pipe[1], direct("x"));
        assertEquals(1, reader.get(5, TimeUnit.SECONDS));
    }

    @Test
    void pollReportsReadinessAndTimesOut() throws Exception {
        assertEquals(0, sys.poll(right, LinuxUapi.POLLIN, -1, 0));
        assertEquals(LinuxUapi.POLLOUT, sys.poll(right, LinuxUapi.POLLOUT, -1, 0));
        sys.write(left, direct("!"));
        assertEquals(LinuxUapi.POLLIN, sys.poll(right, LinuxUapi.POLLIN, -1, 1000));
    }

    @Test
    void pollIsWokenThroughTheWakeupDescriptor() throws Exception {
        int wakeup = fds.track(sys.eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC));
        CompletableFuture<Integer> waiter = CompletableFuture.supplyAsync(() -> {
            try {
                return sys.poll(right, LinuxUapi.POLLIN, wakeup, -1);
            } catch (ErrnoException e) {
                throw new IllegalStateException(e);
            }
        });
        Thread.sleep(50);
        sys.eventfdWrite(wakeup, 1);
        assertEquals(0, waiter.get(5, TimeUnit.SECONDS), "no event on the descriptor itself");
    }

    @Test
    void intOptionsRoundTrip() throws Exception {
        sys.setsockoptInt(left, SOL_SOCKET, LinuxUapi.SO_SNDBUF, 65536);
        // The kernel doubles the value to account for its bookkeeping (socket(7)).
        assertEquals(131072, sys.getsockoptInt(left, SOL_SOCKET, LinuxUapi.SO_SNDBUF));
        assertEquals(SOCK_STREAM, sys.getsockoptInt(left, SOL_SOCKET, LinuxUapi.SO_TYPE));
        assertEquals(0, sys.getsockoptInt(left, SOL_SOCKET, LinuxUapi.SO_ERROR));
    }

    @Test
    void bufferOptionsRoundTrip() throws Exception {
        ByteBuffer linger = direct(8).putInt(0, 1).putInt(4, 7); // struct linger {on, secs}
        sys.setsockopt(left, SOL_SOCKET, LinuxUapi.SO_LINGER, linger);
        ByteBuffer read = direct(16).position(4);
        assertEquals(8, sys.getsockopt(left, SOL_SOCKET, LinuxUapi.SO_LINGER, read));
        assertEquals(4, read.position());
        assertEquals(1, read.getInt(4));
        assertEquals(7, read.getInt(8));
    }

    @Test
    void optionFailuresNameLevelAndOption() {
        ErrnoException e = assertThrows(ErrnoException.class,
                () -> sys.getsockoptInt(left, SOL_SOCKET, 9999));
        assertEquals("getsockopt(level=1, optname=9999)", e.syscall());
        assertEquals(Errno.ENOPROTOOPT, e.errno());
        assertEquals("getsockopt(level=1, optname=9999): Protocol not available (ENOPROTOOPT)",
                e.getMessage());
    }

    @Test
    void dup3ReplacesTheFileBehindADescriptorNumber() throws Exception {
        int[] other = fds.track(sys.socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
        sys.dup3(other[0], left, O_CLOEXEC);
        sys.write(left, direct("x"));
        assertEquals(1, sys.read(other[1], direct(4)), "left now writes into the other pair");
        assertEquals(0, sys.read(right, direct(4)), "the replaced file was closed: its peer sees EOF");
    }

    @Test
    void openNamesThePathInItsFailure() {
        ErrnoException e = assertThrows(ErrnoException.class,
                () -> sys.open("/nonexistent/mptcp-nio", LinuxUapi.O_RDONLY | O_CLOEXEC));
        assertEquals(Errno.ENOENT, e.errno());
        assertTrue(e.getMessage().contains("/nonexistent/mptcp-nio"), e.getMessage());
    }

    @Test
    void setnsIntoTheOwnNetworkNamespaceIsANoOp() throws Exception {
        int ns = fds.track(sys.open("/proc/thread-self/ns/net", LinuxUapi.O_RDONLY | O_CLOEXEC));
        try {
            sys.setns(ns, LinuxUapi.CLONE_NEWNET);
        } catch (ErrnoException e) {
            // Without CAP_SYS_ADMIN setns is refused; the binding is still exercised.
            assertEquals(Errno.EPERM, e.errno());
        }
    }

    // ---- file transfer ------------------------------------------------------------------

    @Test
    void sendfileSendsTheFileFromTheOffsetAndReportsEndOfFileAndAFullSocket() throws Exception {
        java.nio.file.Path file = java.nio.file.Files.createTempFile("mptcp-nio-sendfile", ".bin");
        try {
            java.nio.file.Files.writeString(file, "0123456789");
            int in = fds.track(sys.open(file.toString(), LinuxUapi.O_RDONLY | O_CLOEXEC));
            assertEquals(4, sys.sendfile(left, in, 3, 4));
            ByteBuffer got = direct(16);
            assertEquals(4, sys.read(right, got));
            assertEquals("3456", text(got, 0, 4));
            assertEquals(3, sys.sendfile(left, in, 7, 100), "stops at the end of the file");
            assertEquals(0, sys.sendfile(left, in, 10, 100), "0 at the end of the file");
            // Fill the non-blocking socket: sendfile then reports UNAVAILABLE, not EAGAIN.
            long n;
            do {
                n = sys.sendfile(left, in, 0, 10);
            } while (n > 0);
            assertEquals(IoStatus.UNAVAILABLE, n);
        } finally {
            java.nio.file.Files.delete(file);
        }
    }
}
