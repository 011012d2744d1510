package io.mptcp.ffi;

import static io.mptcp.ffi.LinuxUapi.AF_UNIX;
import static io.mptcp.ffi.LinuxUapi.SOCK_CLOEXEC;
import static io.mptcp.ffi.LinuxUapi.SOCK_NONBLOCK;
import static io.mptcp.ffi.LinuxUapi.SOCK_STREAM;
import static io.mptcp.ffi.LinuxUapi.SOL_SOCKET;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The UNIX-domain and inherited-descriptor calls of the libc binding, against the kernel. */
@Timeout(10)
class UnixDomainSyscallsTest {
    private OpenFds fds;
    private LinuxSyscalls sys;

    @TempDir
    Path dir;

    @BeforeEach
    void open() throws Exception {
        fds = new OpenFds();
        sys = fds.sys;
    }

    @AfterEach
    void closeAll() throws Exception {
        fds.close();
    }

    private int socket() throws ErrnoException {
        return fds.track(sys.socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    }

    private static byte[] bytes(Path p) {
        return p.toString().getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void bindConnectAcceptAndTheNamesEachEndSees() throws Exception {
        Path path = dir.resolve("s");
        int listener = socket();
        sys.bindUnix(listener, bytes(path));
        sys.listen(listener, 5);
        assertArrayEquals(bytes(path), sys.getsocknameUnix(listener));

        int client = socket();
        assertArrayEquals(new byte[0], sys.getsocknameUnix(client), "unbound: unnamed");
        assertTrue(sys.connectUnix(client, bytes(path)), "a UNIX connect completes at once");
        int accepted = fds.track(sys.accept4(listener, SOCK_CLOEXEC));
        assertTrue(accepted >= 0);

        assertArrayEquals(bytes(path), sys.getpeernameUnix(client));
        assertArrayEquals(new byte[0], sys.getsocknameUnix(client), "autobind does not happen");
        assertArrayEquals(bytes(path), sys.getsocknameUnix(accepted));
        assertArrayEquals(new byte[0], sys.getpeernameUnix(accepted), "unnamed peer");
    }

    @Test
    void aBoundClientIsNamedOnBothEnds() throws Exception {
        Path server = dir.resolve("srv");
        Path clientName = dir.resolve("cli");
        int listener = socket();
        sys.bindUnix(listener, bytes(server));
        sys.listen(listener, 5);
        int client = socket();
        sys.bindUnix(client, bytes(clientName));
        sys.connectUnix(client, bytes(server));
        int accepted = fds.track(sys.accept4(listener, SOCK_CLOEXEC));
        assertArrayEquals(bytes(clientName), sys.getpeernameUnix(accepted));
    }

    @Test
    void acceptUnixReportsThePeersName() throws Exception {
        Path server = dir.resolve("srv2");
        Path clientName = dir.resolve("cli2");
        int listener = socket();
        sys.bindUnix(listener, bytes(server));
        sys.listen(listener, 5);
        assertNull(sys.acceptUnix(listener, SOCK_CLOEXEC), "nothing pending");
        int named = socket();
        sys.bindUnix(named, bytes(clientName));
        sys.connectUnix(named, bytes(server));
        int unnamed = socket();
        sys.connectUnix(unnamed, bytes(server));
        LinuxSyscalls.Accepted<byte[]> first = sys.acceptUnix(listener, SOCK_CLOEXEC);
        fds.track(first.fd());
        assertArrayEquals(bytes(clientName), first.peer());
        LinuxSyscalls.Accepted<byte[]> second = sys.acceptUnix(listener, SOCK_CLOEXEC);
        fds.track(second.fd());
        assertArrayEquals(new byte[0], second.peer(), "unnamed peer");
    }

    @Test
    void errorsNameTheSyscallAndErrno() throws Exception {
        int s = socket();
        ErrnoException missing = assertThrows(ErrnoException.class,
                () -> sys.connectUnix(s, bytes(dir.resolve("nothing"))));
        assertEquals("connect", missing.syscall());
        assertEquals(Errno.ENOENT, missing.errno());

        Path taken = Files.createFile(dir.resolve("file"));
        ErrnoException inUse = assertThrows(ErrnoException.class,
                () -> sys.bindUnix(socket(), bytes(taken)));
        assertEquals("bind", inUse.syscall());
        assertEquals(Errno.EADDRINUSE, inUse.errno());

        ErrnoException notConnected =
                assertThrows(ErrnoException.class, () -> sys.getpeernameUnix(s));
        assertEquals(Errno.ENOTCONN, notConnected.errno());
        assertThrows(IllegalArgumentException.class, () -> sys.bindUnix(s, new byte[107]));
    }

    @Test
    void aFullBacklogRefusesANonBlockingConnectWithEagain() throws Exception {
        Path path = dir.resolve("full");
        int listener = socket();
        sys.bindUnix(listener, bytes(path));
        sys.listen(listener, 0);
        ErrnoException full = null;
        for (int i = 0; i < 8 && full == null; i++) {
            int client = socket();
            try {
                sys.connectUnix(client, bytes(path));
            } catch (ErrnoException e) {
                full = e;
            }
        }
        assertTrue(full != null, "8 connects to a listener with backlog 0 all succeeded");
        assertEquals(Errno.EAGAIN, full.errno());
    }

    @Test
    void peerCredentialsAreThisProcesssUserAndGroup() throws Exception {
        int[] pair = fds.track(sys.socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
        ByteBuffer cred = OpenFds.direct(StructUcred.SIZEOF);
        assertEquals(StructUcred.SIZEOF,
                sys.getsockopt(pair[0], SOL_SOCKET, LinuxUapi.SO_PEERCRED, cred));
        assertEquals(ProcessHandle.current().pid(), StructUcred.pid(cred, 0));

        PosixFileAttributes mine = Files.readAttributes(
                Files.createFile(dir.resolve("owned")), PosixFileAttributes.class);
        assertEquals(mine.owner().getName(), name(sys.userName(StructUcred.uid(cred, 0))));
        assertEquals(mine.group().getName(), name(sys.groupName(StructUcred.gid(cred, 0))));
    }

    private static String name(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }

    @Test
    void unknownIdsHaveNoName() throws Exception {
        assertNull(sys.userName(0x7ffffff0));
        assertNull(sys.groupName(0x7ffffff0));
    }

    @Test
    void dupGivesAnotherDescriptorOfTheSameSocket() throws Exception {
        int s = socket();
        int copy = fds.track(sys.dup(s));
        assertNotEquals(s, copy);
        assertEquals(SOCK_STREAM, sys.getsockoptInt(copy, SOL_SOCKET, LinuxUapi.SO_TYPE));
        assertEquals(AF_UNIX, sys.getsockoptInt(copy, SOL_SOCKET, LinuxUapi.SO_DOMAIN));
    }

    @Test
    void dupOfAClosedDescriptorFails() throws IOException {
        ErrnoException e = assertThrows(ErrnoException.class, () -> sys.dup(-1));
        assertEquals(Errno.EBADF, e.errno());
        assertEquals("fcntl(F_DUPFD_CLOEXEC)", e.syscall());
    }
}
