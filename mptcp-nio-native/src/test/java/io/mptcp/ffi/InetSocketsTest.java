package io.mptcp.ffi;

import static io.mptcp.ffi.LinuxUapi.AF_INET;
import static io.mptcp.ffi.LinuxUapi.AF_INET6;
import static io.mptcp.ffi.LinuxUapi.POLLIN;
import static io.mptcp.ffi.LinuxUapi.POLLOUT;
import static io.mptcp.ffi.LinuxUapi.SOCK_CLOEXEC;
import static io.mptcp.ffi.LinuxUapi.SOCK_NONBLOCK;
import static io.mptcp.ffi.LinuxUapi.SOCK_STREAM;
import static io.mptcp.ffi.LinuxUapi.SOL_SOCKET;
import static io.mptcp.ffi.LinuxUapi.SOL_TCP;
import static io.mptcp.ffi.OpenFds.direct;
import static io.mptcp.ffi.OpenFds.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** TCP over loopback through the binding: addresses, connect outcomes, options. */
@Timeout(10)
class InetSocketsTest {
    private static final int NONBLOCKING = SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC;

    private OpenFds fds;
    private LinuxSyscalls sys;

    @BeforeEach
    void open() throws Exception {
        fds = new OpenFds();
        sys = fds.sys;
    }

    @AfterEach
    void closeAll() throws Exception {
        fds.close();
    }

    private int listener(int family, String host) throws Exception {
        int fd = fds.track(sys.socket(family, NONBLOCKING, 0));
        sys.setsockoptInt(fd, SOL_SOCKET, LinuxUapi.SO_REUSEADDR, 1);
        sys.bind(fd, family, new InetSocketAddress(InetAddress.getByName(host), 0));
        sys.listen(fd, 16);
        return fd;
    }

    /** Accepts the one pending connection, waiting for it. */
    private int accept(int listener) throws Exception {
        assertEquals(POLLIN, sys.poll(listener, POLLIN, -1, 5000));
        return fds.track(sys.accept4(listener, SOCK_NONBLOCK | SOCK_CLOEXEC));
    }

    /** A non-blocking connect that completes: false at first, then writable with no error. */
    private int connect(int family, InetSocketAddress remote) throws Exception {
        int fd = fds.track(sys.socket(family, NONBLOCKING, 0));
        assertFalse(sys.connect(fd, family, remote), "in progress");
        assertEquals(POLLOUT, sys.poll(fd, POLLOUT, -1, 5000));
        assertEquals(0, sys.getsockoptInt(fd, SOL_SOCKET, LinuxUapi.SO_ERROR));
        return fd;
    }

    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.1", "::1"})
    void connectsAcceptsAndNamesBothEnds(String host) throws Exception {
        int family = host.contains(":") ? AF_INET6 : AF_INET;
        int server = listener(family, host);
        InetSocketAddress serverAddress = sys.getsockname(server);
        assertEquals(InetAddress.getByName(host), serverAddress.getAddress());
        assertTrue(serverAddress.getPort() > 0);
        assertEquals(IoStatus.UNAVAILABLE, sys.accept4(server, SOCK_CLOEXEC));

        int client = connect(family, serverAddress);
        int accepted = accept(server);
        assertEquals(sys.getsockname(client), sys.getpeername(accepted));
        assertEquals(serverAddress, sys.getpeername(client));
        assertEquals(serverAddress, sys.getsockname(accepted));

        assertEquals(4, sys.write(client, direct("ping")));
        assertEquals(POLLIN, sys.poll(accepted, POLLIN, -1, 5000));
        ByteBuffer dst = direct(8);
        assertEquals(4, sys.read(accepted, dst));
        assertEquals("ping", text(dst, 0, 4));
    }

    @Test
    void ipv4PeersOfADualStackSocketAreIpv4() throws Exception {
        int server = fds.track(sys.socket(AF_INET6, NONBLOCKING, 0));
        sys.setsockoptInt(server, LinuxUapi.SOL_IPV6, LinuxUapi.IPV6_V6ONLY, 0);
        sys.bind(server, AF_INET6, new InetSocketAddress("0.0.0.0", 0)); // bound as ::
        sys.listen(server, 16);
        assertTrue(sys.getsockname(server).getAddress().isAnyLocalAddress());
        int port = sys.getsockname(server).getPort();
        InetSocketAddress v4 = new InetSocketAddress("127.0.0.1", port);

        int client4 = connect(AF_INET, v4);
        int accepted4 = accept(server);
        InetSocketAddress peer = sys.getpeername(accepted4);
        assertInstanceOf(Inet4Address.class, peer.getAddress());
        assertEquals(sys.getsockname(client4), peer);

        int client6 = connect(AF_INET6, v4); // IPv4 on an IPv6 socket: sent IPv4-mapped
        assertEquals(v4, sys.getpeername(client6));
        assertInstanceOf(Inet4Address.class, sys.getsockname(client6).getAddress());
        accept(server);
    }

    @Test
    void connectToAClosedPortIsRefused() throws Exception {
        // A bound socket that does not listen keeps the port closed and ours.
        int holder = fds.track(sys.socket(AF_INET, NONBLOCKING, 0));
        sys.bind(holder, AF_INET, new InetSocketAddress("127.0.0.1", 0));
        InetSocketAddress closed = sys.getsockname(holder);

        int blocking = fds.track(sys.socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
        ErrnoException e = assertThrows(ErrnoException.class,
                () -> sys.connect(blocking, AF_INET, closed));
        assertEquals(111, e.errno());
        assertEquals("connect", e.syscall());
        assertEquals("connect: Connection refused (ECONNREFUSED)", e.getMessage());

        int nonBlocking = fds.track(sys.socket(AF_INET, NONBLOCKING, 0));
        assertFalse(sys.connect(nonBlocking, AF_INET, closed));
        assertTrue((sys.poll(nonBlocking, POLLOUT, -1, 5000) & POLLOUT) != 0);
        assertEquals(Errno.ECONNREFUSED,
                sys.getsockoptInt(nonBlocking, SOL_SOCKET, LinuxUapi.SO_ERROR));
    }

    @Test
    void ipv6AddressOnAnIpv4SocketFailsLikeTheKernel() throws Exception {
        int fd = fds.track(sys.socket(AF_INET, NONBLOCKING, 0));
        InetSocketAddress v6 = new InetSocketAddress(InetAddress.getByName("::1"), 9);
        ErrnoException e = assertThrows(ErrnoException.class, () -> sys.connect(fd, AF_INET, v6));
        assertEquals(Errno.EAFNOSUPPORT, e.errno());
        assertThrows(IllegalArgumentException.class, () -> sys.bind(fd, AF_INET,
                InetSocketAddress.createUnresolved("localhost", 9)));
    }

    @Test
    void bindToAPortInUseFails() throws Exception {
        int first = listener(AF_INET, "127.0.0.1");
        int second = fds.track(sys.socket(AF_INET, NONBLOCKING, 0));
        ErrnoException e = assertThrows(ErrnoException.class,
                () -> sys.bind(second, AF_INET, sys.getsockname(first)));
        assertEquals("bind", e.syscall());
        assertEquals(Errno.EADDRINUSE, e.errno());
    }

    @Test
    void shutdownOfOutputIsEndOfStreamForThePeer() throws Exception {
        int server = listener(AF_INET, "127.0.0.1");
        int client = connect(AF_INET, sys.getsockname(server));
        int accepted = accept(server);
        sys.shutdown(client, LinuxUapi.SHUT_WR);
        assertEquals(POLLIN, sys.poll(accepted, POLLIN, -1, 5000));
        assertEquals(0, sys.read(accepted, direct(4)));
    }

    @Test
    void acceptInetReportsThePeerEvenOfAConnectionResetInTheBacklog() throws Exception {
        int server = listener(AF_INET, "127.0.0.1");
        assertNull(sys.acceptInet(server, SOCK_CLOEXEC), "nothing pending");
        int client = connect(AF_INET, sys.getsockname(server));
        InetSocketAddress clientAddress = sys.getsockname(client);
        ByteBuffer linger = direct(8);
        linger.putInt(0, 1).putInt(4, 0);
        sys.setsockopt(client, SOL_SOCKET, LinuxUapi.SO_LINGER, linger);
        fds.close(client);
        assertEquals(POLLIN, sys.poll(server, POLLIN, -1, 5000));
        Thread.sleep(100);

        LinuxSyscalls.Accepted<InetSocketAddress> accepted = sys.acceptInet(server,
                SOCK_CLOEXEC);
        fds.track(accepted.fd());
        assertEquals(clientAddress, accepted.peer(), "the peer, from accept4");
        ErrnoException gone = assertThrows(ErrnoException.class,
                () -> sys.getpeername(accepted.fd()));
        assertEquals(Errno.ENOTCONN, gone.errno(), "getpeername cannot tell any more");
        ErrnoException reset = assertThrows(ErrnoException.class,
                () -> sys.read(accepted.fd(), direct(4)));
        assertEquals(Errno.ECONNRESET, reset.errno());
    }

    @Test
    void recvPeeksWithoutTakingAndSeesEndOfStreamAndShutdown() throws Exception {
        int server = listener(AF_INET, "127.0.0.1");
        int client = connect(AF_INET, sys.getsockname(server));
        int accepted = accept(server);
        int peek = LinuxUapi.MSG_PEEK | LinuxUapi.MSG_DONTWAIT;
        assertEquals(IoStatus.UNAVAILABLE, sys.recv(accepted, direct(4), peek));
        assertEquals(0, sys.poll(accepted, LinuxUapi.POLLRDHUP, -1, 0), "not shut down");

        assertEquals(3, sys.write(client, direct("abc")));
        sys.shutdown(client, LinuxUapi.SHUT_WR);
        assertEquals(POLLIN | LinuxUapi.POLLRDHUP,
                sys.poll(accepted, POLLIN | LinuxUapi.POLLRDHUP, -1, 5000));
        ByteBuffer dst = direct(8);
        assertEquals(3, sys.recv(accepted, dst, peek));
        assertEquals(0, dst.position(), "recv leaves the position");
        assertEquals("abc", text(dst, 0, 3));
        assertEquals(3, sys.read(accepted, dst), "the peeked bytes are still there");
        assertEquals(0, sys.recv(accepted, direct(4), peek), "then end of stream");
    }

    @Test
    void tcpInfoHasTheKernelsLengthAndShorterCopiesReadAsAbsent() throws Exception {
        int server = listener(AF_INET, "127.0.0.1");
        int client = connect(AF_INET, sys.getsockname(server));
        accept(server);

        ByteBuffer info = direct(512);
        int length = sys.getsockopt(client, SOL_TCP, LinuxUapi.TCP_INFO, info);
        assertEquals(StructTcpInfo.SIZEOF, length, "Linux 6.18 tcp_info");
        assertEquals(1, StructTcpInfo.state(info, 0, length), "TCP_ESTABLISHED");
        assertTrue(StructTcpInfo.sndMss(info, 0, length) > 0);
        assertTrue(StructTcpInfo.rtt(info, 0, length) > 0);
        assertEquals(0, StructTcpInfo.bytesRetrans(info, 0, length));

        // What a 6.1 kernel returns: everything up to tcpi_snd_wnd.
        int old = sys.getsockopt(client, SOL_TCP, LinuxUapi.TCP_INFO, direct(232));
        assertEquals(232, old);
        assertTrue(StructTcpInfo.sndWnd(info, 0, old) > 0);
        assertEquals(-1, StructTcpInfo.rcvWnd(info, 0, old));
        assertEquals(-1, StructTcpInfo.totalRto(info, 0, old));
    }
}
