package io.mptcp.ffi;

import static io.mptcp.ffi.LinuxUapi.AF_INET;
import static io.mptcp.ffi.LinuxUapi.AF_INET6;
import static io.mptcp.ffi.LinuxUapi.IPPROTO_MPTCP;
import static io.mptcp.ffi.LinuxUapi.SOCK_CLOEXEC;
import static io.mptcp.ffi.LinuxUapi.SOCK_STREAM;
import static io.mptcp.ffi.MptcpUapi.MPTCP_INFO;
import static io.mptcp.ffi.MptcpUapi.MPTCP_SUBFLOW_ADDRS;
import static io.mptcp.ffi.MptcpUapi.MPTCP_TCPINFO;
import static io.mptcp.ffi.MptcpUapi.SOL_MPTCP;
import static io.mptcp.ffi.OpenFds.direct;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * An MPTCP connection over loopback, read through the MPTCP socket options and the struct
 * mirrors. Aborts (visibly skipped) where the kernel has no MPTCP or lacks an option.
 */
@Timeout(10)
class MptcpSocketsTest {
    private OpenFds fds;
    private LinuxSyscalls sys;
    private int client;
    private int accepted;

    @BeforeEach
    void open() throws Exception {
        fds = new OpenFds();
        sys = fds.sys;
    }

    @AfterEach
    void closeAll() throws Exception {
        fds.close();
    }

    private int mptcpSocket(int family) throws ErrnoException {
        try {
            return fds.track(sys.socket(family, SOCK_STREAM | SOCK_CLOEXEC, IPPROTO_MPTCP));
        } catch (ErrnoException e) {
            // EINVAL before 5.6, EPROTONOSUPPORT if not built, ENOPROTOOPT if net.mptcp.enabled=0
            if (e.errno() == Errno.EINVAL || e.errno() == Errno.EPROTONOSUPPORT
                    || e.errno() == Errno.ENOPROTOOPT) {
                Assumptions.abort("MPTCP is unavailable in this kernel or netns: "
                        + e.getMessage());
            }
            throw e;
        }
    }

    /** A blocking MPTCP connection to an MPTCP listener on {@code host}. */
    private void connect(String host) throws Exception {
        int family = host.contains(":") ? AF_INET6 : AF_INET;
        int listener = mptcpSocket(family);
        sys.bind(listener, family, new InetSocketAddress(InetAddress.getByName(host), 0));
        sys.listen(listener, 4);
        client = mptcpSocket(family);
        assertEquals(true, sys.connect(client, family, sys.getsockname(listener)));
        accepted = fds.track(sys.accept4(listener, SOCK_CLOEXEC));
    }

    /** getsockopt that aborts the test when the kernel predates the option. */
    private int getsockoptOrAbort(int fd, int level, int optname, ByteBuffer value, String since)
            throws ErrnoException {
        try {
            return sys.getsockopt(fd, level, optname, value);
        } catch (ErrnoException e) {
            if (e.errno() == Errno.EOPNOTSUPP || e.errno() == Errno.ENOPROTOOPT) {
                Assumptions.abort(e.getMessage() + ": needs Linux " + since);
            }
            throw e;
        }
    }

    @Test
    void bothEndsAreMptcp() throws Exception {
        connect("127.0.0.1");
        assertEquals(IPPROTO_MPTCP,
                sys.getsockoptInt(accepted, LinuxUapi.SOL_SOCKET, LinuxUapi.SO_PROTOCOL));
        try {
            assertEquals(1, sys.getsockoptInt(client, LinuxUapi.SOL_TCP, LinuxUapi.TCP_IS_MPTCP));
            assertEquals(1, sys.getsockoptInt(accepted, LinuxUapi.SOL_TCP, LinuxUapi.TCP_IS_MPTCP));
        } catch (ErrnoException e) {
            Assumptions.abort(e.getMessage() + ": TCP_IS_MPTCP needs Linux 6.10");
        }
    }

    @Test
    void mptcpInfoOfAConnectedSocket() throws Exception {
        connect("127.0.0.1");
        ByteBuffer info = direct(4096);
        int length = getsockoptOrAbort(client, SOL_MPTCP, MPTCP_INFO, info, "5.16");
        assertEquals(StructMptcpInfo.SIZEOF, length, "the whole 6.10+ mptcp_info");
        assertNotEquals(0, StructMptcpInfo.token(info, 0, length));
        assertEquals(MptcpUapi.MPTCP_INFO_FLAG_REMOTE_KEY_RECEIVED,
                StructMptcpInfo.flags(info, 0, length));
        assertEquals(1, StructMptcpInfo.subflowsTotal(info, 0, length));
        assertEquals(0, StructMptcpInfo.subflows(info, 0, length), "no additional subflow");
    }

    @Test
    void mptcpInfoIntoAShortBufferIsTruncatedNotRefused() throws Exception {
        connect("127.0.0.1");
        ByteBuffer full = direct(StructMptcpInfo.SIZEOF);
        getsockoptOrAbort(client, SOL_MPTCP, MPTCP_INFO, full, "5.16");
        ByteBuffer info = direct(16);
        int length = sys.getsockopt(client, SOL_MPTCP, MPTCP_INFO, info);
        assertEquals(16, length);
        assertEquals(StructMptcpInfo.token(full, 0, StructMptcpInfo.SIZEOF),
                StructMptcpInfo.token(info, 0, length));
        assertEquals(-1, StructMptcpInfo.writeSeq(info, 0, length));
        assertEquals(-1, StructMptcpInfo.bytesSent(info, 0, length));
    }

    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.1", "::1"})
    void fullInfoDescribesTheOneSubflow(String host) throws Exception {
        connect(host);
        int entries = 4;
        ByteBuffer info = direct(StructMptcpFullInfo.SIZEOF);
        ByteBuffer subflows = direct(entries * StructMptcpSubflowInfo.SIZEOF);
        ByteBuffer tcpInfos = direct(entries * StructTcpInfo.SIZEOF);
        StructMptcpFullInfo.prepare(info, 0, entries, StructMptcpSubflowInfo.SIZEOF,
                StructTcpInfo.SIZEOF);
        int length;
        try {
            length = sys.getsockoptMptcpFullInfo(client, info, subflows, tcpInfos);
        } catch (ErrnoException e) {
            Assumptions.abort(e.getMessage() + ": MPTCP_FULL_INFO needs Linux 6.5");
            return;
        }
        assertEquals(StructMptcpFullInfo.SIZEOF, length);
        assertEquals(1, StructMptcpFullInfo.numSubflows(info, 0));
        assertEquals(StructMptcpSubflowInfo.SIZEOF, StructMptcpFullInfo.sizeSfinfoKernel(info, 0));
        assertEquals(StructTcpInfo.SIZEOF, StructMptcpFullInfo.sizeTcpinfoKernel(info, 0));

        assertEquals(1, StructMptcpSubflowInfo.id(subflows, 0), "the initial subflow");
        assertEquals(sys.getsockname(client), StructMptcpSubflowInfo.local(subflows, 0));
        assertEquals(sys.getpeername(client), StructMptcpSubflowInfo.remote(subflows, 0));
        int tcpLength = StructMptcpFullInfo.sizeTcpinfoUser(info, 0);
        assertEquals(1, StructTcpInfo.state(tcpInfos, 0, tcpLength), "TCP_ESTABLISHED");

        int mptcpInfo = StructMptcpFullInfo.MPTCP_INFO;
        ByteBuffer plain = direct(StructMptcpInfo.SIZEOF);
        sys.getsockopt(client, SOL_MPTCP, MPTCP_INFO, plain);
        assertEquals(StructMptcpInfo.token(plain, 0, StructMptcpInfo.SIZEOF),
                StructMptcpInfo.token(info, mptcpInfo, length - mptcpInfo));
    }

    @Test
    void subflowAddrsAndTcpInfoArraysCountTheSubflows() throws Exception {
        connect("127.0.0.1");
        int header = StructMptcpSubflowData.SIZEOF;
        ByteBuffer addrs = direct(header + 2 * StructMptcpSubflowAddrs.SIZEOF);
        StructMptcpSubflowData.prepare(addrs, 0, StructMptcpSubflowAddrs.SIZEOF);
        int length = getsockoptOrAbort(client, SOL_MPTCP, MPTCP_SUBFLOW_ADDRS, addrs, "5.16");
        assertEquals(header + StructMptcpSubflowAddrs.SIZEOF, length, "one whole element");
        assertEquals(1, StructMptcpSubflowData.numSubflows(addrs, 0));
        assertEquals(StructMptcpSubflowAddrs.SIZEOF, StructMptcpSubflowData.sizeKernel(addrs, 0));
        assertEquals(sys.getsockname(client), StructMptcpSubflowAddrs.local(addrs, header));
        assertEquals(sys.getpeername(client), StructMptcpSubflowAddrs.remote(addrs, header));

        ByteBuffer countOnly = direct(header);
        StructMptcpSubflowData.prepare(countOnly, 0, StructTcpInfo.SIZEOF);
        assertEquals(header, sys.getsockopt(client, SOL_MPTCP, MPTCP_TCPINFO, countOnly));
        assertEquals(1, StructMptcpSubflowData.numSubflows(countOnly, 0));
        assertEquals(StructTcpInfo.SIZEOF, StructMptcpSubflowData.sizeKernel(countOnly, 0));
    }

    @Test
    void fullInfoIsRefusedWhereItsPointersCannotBeSet() throws Exception {
        connect("127.0.0.1");
        ByteBuffer info = direct(StructMptcpFullInfo.SIZEOF);
        StructMptcpFullInfo.prepare(info, 0, 4, StructMptcpSubflowInfo.SIZEOF,
                StructTcpInfo.SIZEOF);
        assertThrows(IllegalArgumentException.class,
                () -> sys.getsockopt(client, SOL_MPTCP, MptcpUapi.MPTCP_FULL_INFO, info));
        ByteBuffer oneSubflow = direct(StructMptcpSubflowInfo.SIZEOF);
        ByteBuffer tcpInfos = direct(4 * StructTcpInfo.SIZEOF);
        assertThrows(IllegalArgumentException.class,
                () -> sys.getsockoptMptcpFullInfo(client, info, oneSubflow, tcpInfos));
        assertThrows(IllegalArgumentException.class,
                () -> sys.getsockoptMptcpFullInfo(client, direct(39), oneSubflow, tcpInfos));
    }
}
