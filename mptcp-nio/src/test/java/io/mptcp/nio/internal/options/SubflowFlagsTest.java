package io.mptcp.nio.internal.options;

import io.mptcp.ffi.Errno;
import io.mptcp.ffi.ErrnoException;
import io.mptcp.ffi.IoStatus;
import io.mptcp.ffi.LinuxUapi;
import io.mptcp.ffi.MptcpUapi;
import io.mptcp.ffi.NativeBuffer;
import io.mptcp.ffi.NetlinkUapi;
import io.mptcp.ffi.StructMptcpFullInfo;
import io.mptcp.ffi.StructMptcpInfo;
import io.mptcp.ffi.StructMptcpSubflowInfo;
import io.mptcp.ffi.StructTcpInfo;
import io.mptcp.nio.MptcpSocketChannel;
import io.mptcp.nio.MptcpSocketOptions;
import io.mptcp.nio.Subflow;
import io.mptcp.nio.TcpInfo;
import io.mptcp.nio.internal.MockKernel;
import io.mptcp.nio.internal.netlink.Fixtures;
import io.mptcp.nio.internal.netlink.Netlink;
import io.mptcp.nio.internal.netlink.SockDiag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

import static io.mptcp.nio.internal.MockKernel.FD;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyInt;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

/**
 * The subflow flags of {@code MPTCP_SUBFLOWS} over the mocked seam: the kernel's answers are
 * the datagrams captured from Linux 6.18 ({@code sock-diag-6.18.txt}), served for the requests
 * the library sends: an IPv4 connection whose second subflow came from a "subflow backup dev
 * lo" endpoint, so that it is bound to lo and found only by the dump.
 */
@Timeout(10)
class SubflowFlagsTest {
    private static final int DIAG_FD = 77;
    // The capture's client side (see the fixture file's header).
    private static final InetSocketAddress SERVER = new InetSocketAddress("127.0.0.1", 33365);
    private static final InetSocketAddress CLIENT = new InetSocketAddress("127.0.0.1", 44248);
    private static final InetSocketAddress JOIN = new InetSocketAddress("127.0.0.2", 41367);
    private static final long CLIENT_TOKEN = 0xe1d94c7eL;

    private final MockKernel kernel = new MockKernel();
    private final MptcpSocketChannel ch;
    private final List<String> asked = new ArrayList<>();
    private final Deque<byte[]> queued = new ArrayDeque<>();

    SubflowFlagsTest() throws Exception {
        ch = kernel.connected(kernel.provider());
        when(kernel.sys.getsockoptInt(FD, LinuxUapi.SOL_TCP, LinuxUapi.TCP_IS_MPTCP))
                .thenReturn(1);
        twoSubflows();
        token(CLIENT_TOKEN);
    }

    /** The full info of the capture's client: the initial subflow and the join. */
    private void twoSubflows() throws ErrnoException {
        when(kernel.sys.getsockoptMptcpFullInfo(eq(FD), any(), any(), any())).thenAnswer(inv -> {
            ByteBuffer info = inv.getArgument(1);
            ByteBuffer sf = inv.getArgument(2);
            ByteBuffer tcp = inv.getArgument(3);
            info.putInt(StructMptcpFullInfo.NUM_SUBFLOWS, 2);
            InetSocketAddress[][] pairs = {{CLIENT, SERVER}, {JOIN, SERVER}};
            for (int i = 0; i < 2; i++) {
                int base = i * StructMptcpSubflowInfo.SIZEOF;
                sf.putInt(base + StructMptcpSubflowInfo.ID, i + 1);
                sockaddrIn(sf, base + StructMptcpSubflowInfo.ADDRS, pairs[i][0]);
                sockaddrIn(sf, base + StructMptcpSubflowInfo.ADDRS + 128, pairs[i][1]);
                tcp.put(i * StructTcpInfo.SIZEOF + StructTcpInfo.TCPI_STATE,
                        (byte) TcpInfo.STATE_ESTABLISHED);
            }
            return StructMptcpFullInfo.SIZEOF;
        });
    }

    private void token(long token) throws ErrnoException {
        when(kernel.sys.getsockopt(eq(FD), eq(MptcpUapi.SOL_MPTCP), eq(MptcpUapi.MPTCP_INFO),
                any())).thenAnswer(inv -> {
                    ByteBuffer b = inv.getArgument(3);
                    b.putInt(StructMptcpInfo.MPTCPI_TOKEN, (int) token);
                    return StructMptcpInfo.SIZEOF;
                });
    }

    /**
     * A kernel that answers each request with the fixtures {@code answer} names for it (by
     * what it asks: "lookup"/"dump", and the two ports), renumbered to the request's sequence.
     */
    private void kernelAnswers(Function<String, String> answer) throws ErrnoException {
        when(kernel.sys.socket(LinuxUapi.AF_NETLINK,
                LinuxUapi.SOCK_RAW | LinuxUapi.SOCK_CLOEXEC | LinuxUapi.SOCK_NONBLOCK,
                NetlinkUapi.NETLINK_SOCK_DIAG)).thenReturn(DIAG_FD);
        when(kernel.sys.sendNetlink(eq(DIAG_FD), any())).thenAnswer(inv -> {
            ByteBuffer req = inv.<ByteBuffer>getArgument(1).duplicate()
                    .order(ByteOrder.nativeOrder());
            int at = req.position();
            int seq = req.getInt(at + 8);
            boolean dump = (req.getShort(at + 6) & Netlink.NLM_F_DUMP) != 0;
            int id = at + Netlink.NLMSG_HDRLEN + 8;
            int sport = (req.get(id) & 0xff) << 8 | req.get(id + 1) & 0xff;
            int dport = (req.get(id + 2) & 0xff) << 8 | req.get(id + 3) & 0xff;
            int ifindex = req.getInt(id + 36);
            String question = (dump ? "dump " : "lookup ") + sport + " " + dport
                    + (dump ? " family " + req.get(at + Netlink.NLMSG_HDRLEN) : "")
                    + (ifindex != 0 ? " if " + ifindex : "");
            asked.add(question);
            String fixture = answer.apply(question);
            for (int part = 1; ; part++) {
                String key = fixture + "-reply" + (part == 1 ? "" : "-" + part);
                if (!Fixtures.sockDiag().containsKey(key)) {
                    break;
                }
                byte[] d = Fixtures.sockDiag(key);
                ByteBuffer.wrap(d).order(ByteOrder.nativeOrder()).putInt(8, seq);
                queued.add(d);
            }
            return req.remaining();
        });
        when(kernel.sys.recvNetlink(eq(DIAG_FD), any(), anyInt())).thenAnswer(inv -> {
            ByteBuffer dst = inv.getArgument(1);
            byte[] d = queued.poll();
            if (d == null) {
                return IoStatus.UNAVAILABLE;
            }
            dst.put(dst.position(), d);
            return d.length;
        });
    }

    /** What the capture's kernel answered: the join, bound to lo, only to the dump. */
    private static String capturedKernel(String question) {
        switch (question) {
            case "lookup 44248 33365":
                return "lookup-v4-initial";
            case "lookup 41367 33365":
                return "lookup-v4-join-unbound";
            case "dump 41367 33365 family 2":
                return "dump-v4-join";
            case "lookup 41367 33365 if 1":
                return "lookup-v4-join-ifindex";
            default:
                throw new AssertionError("not asked in the capture: " + question);
        }
    }

    private List<Subflow> subflows() throws Exception {
        List<Subflow> list = ch.getOption(MptcpSocketOptions.MPTCP_SUBFLOWS);
        assertEquals(2, list.size(), "the flags never change the list: " + list);
        assertEquals(CLIENT, list.get(0).local());
        assertEquals(JOIN, list.get(1).local());
        return list;
    }

    @Test
    void theBackupEndpointsJoinIsLocalBackupAndBothAreFullyEstablished() throws Exception {
        kernelAnswers(SubflowFlagsTest::capturedKernel);
        long nativeBytes = NativeBuffer.liveBytes();

        List<Subflow> list = subflows();

        Subflow initial = list.get(0);
        assertEquals(Optional.of(false), initial.localBackup());
        assertEquals(Optional.of(false), initial.remoteBackup());
        assertEquals(Optional.of(true), initial.fullyEstablished());
        Subflow join = list.get(1);
        assertEquals(Optional.of(true), join.localBackup());
        assertEquals(Optional.of(false), join.remoteBackup());
        assertEquals(Optional.of(true), join.fullyEstablished());
        assertEquals(2, join.id().getAsInt(), "the rest of the subflow is kept");
        assertEquals(List.of("lookup 44248 33365", "lookup 41367 33365",
                "dump 41367 33365 family 2"), asked);
        verify(kernel.sys).close(DIAG_FD);
        assertEquals(nativeBytes, NativeBuffer.liveBytes(), "the diag buffer is freed");
    }

    @Test
    void theInterfaceADumpFoundMakesTheNextListingOneLookupPerSubflow() throws Exception {
        kernelAnswers(SubflowFlagsTest::capturedKernel);
        List<Subflow> first = subflows();
        asked.clear();

        List<Subflow> second = subflows();

        assertEquals(List.of("lookup 44248 33365", "lookup 41367 33365 if 1"), asked,
                "the join is looked up on lo, without a dump");
        assertEquals(first.get(1).localBackup(), second.get(1).localBackup());
        assertEquals(Optional.of(true), second.get(1).localBackup());
    }

    @Test
    void theEventSnapshotsReadTheListWithoutAskingForFlags() throws Exception {
        kernelAnswers(SubflowFlagsTest::capturedKernel);
        List<Subflow> pairsOnly = MptcpIntrospection.withoutSubflowFlags(() -> {
            try {
                return ch.getOption(MptcpSocketOptions.MPTCP_SUBFLOWS);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        assertEquals(2, pairsOnly.size());
        assertEquals(Optional.empty(), pairsOnly.get(1).localBackup());
        assertEquals(List.of(), asked);
        verify(kernel.sys, org.mockito.Mockito.never()).socket(LinuxUapi.AF_NETLINK,
                LinuxUapi.SOCK_RAW | LinuxUapi.SOCK_CLOEXEC | LinuxUapi.SOCK_NONBLOCK,
                NetlinkUapi.NETLINK_SOCK_DIAG);
        // The thread reads flags again afterwards.
        assertEquals(Optional.of(true), subflows().get(1).localBackup());
    }

    @Test
    void fromAnotherNetworkNamespaceNothingIsAsked() throws Exception {
        kernelAnswers(SubflowFlagsTest::capturedKernel);
        when(kernel.sys.getsockopt(anyInt(), eq(LinuxUapi.SOL_SOCKET),
                eq(LinuxUapi.SO_NETNS_COOKIE), any())).thenAnswer(inv -> {
                    // The channel's socket in one namespace, the diag socket in another.
                    inv.<ByteBuffer>getArgument(3).putLong(0, inv.<Integer>getArgument(0) == FD
                            ? 4096 : 1);
                    return Long.BYTES;
                });
        for (Subflow s : subflows()) {
            assertEquals(Optional.empty(), s.localBackup());
        }
        assertEquals(List.of(), asked, "no dump for subflows that cannot be there");
        verify(kernel.sys).close(DIAG_FD);
    }

    @Test
    void aSocketOfAnotherConnectionIsNeverTakenForThisOne() throws Exception {
        // Same addresses, another token: the list was read from another network namespace.
        token(0x12345678L);
        kernelAnswers(SubflowFlagsTest::capturedKernel);
        for (Subflow s : subflows()) {
            assertEquals(Optional.empty(), s.localBackup(), s.toString());
            assertEquals(Optional.empty(), s.remoteBackup());
            assertEquals(Optional.empty(), s.fullyEstablished());
        }
    }

    @Test
    void aKernelWithoutSocketDiagnosticsLeavesTheFlagsEmpty() throws Exception {
        when(kernel.sys.socket(eq(LinuxUapi.AF_NETLINK), anyInt(),
                eq(NetlinkUapi.NETLINK_SOCK_DIAG)))
                .thenThrow(new ErrnoException("socket", Errno.EPROTONOSUPPORT));
        for (Subflow s : subflows()) {
            assertEquals(Optional.empty(), s.localBackup());
        }
    }

    @Test
    void aKernelWithoutTheTcpDiagHandlerIsAskedOnceAndLeavesTheFlagsEmpty() throws Exception {
        // tcp_diag missing: a lookup and a dump both answer ENOENT.
        kernelAnswers(q -> "lookup-missing");
        for (Subflow s : subflows()) {
            assertEquals(Optional.empty(), s.fullyEstablished());
        }
        assertEquals(List.of("lookup 44248 33365", "dump 44248 33365 family 2"), asked,
                "nothing more is asked once the dump said there is no handler");
        verify(kernel.sys).close(DIAG_FD);
    }

    @Test
    void aKernelThatDoesNotTellThisProcessLeavesTheFlagsEmpty() throws Exception {
        // Before Linux 6.15 without CAP_NET_ADMIN: the answer has no INET_DIAG_ULP_INFO.
        kernelAnswers(q -> "lookup-v4-initial");
        byte[] stripped = Fixtures.sockDiag("lookup-v4-initial-reply");
        ByteBuffer b = ByteBuffer.wrap(stripped).order(ByteOrder.nativeOrder());
        int at = Netlink.NLMSG_HDRLEN + SockDiag.SIZEOF_MSG;
        while ((b.getShort(at + 2) & 0xffff) != SockDiag.INET_DIAG_ULP_INFO) {
            at += Netlink.align(b.getShort(at) & 0xffff);
        }
        b.putShort(at + 2, (short) 99);
        when(kernel.sys.recvNetlink(eq(DIAG_FD), any(), anyInt())).thenAnswer(inv -> {
            ByteBuffer dst = inv.getArgument(1);
            byte[] d = queued.poll();
            if (d == null) {
                return IoStatus.UNAVAILABLE;
            }
            if (d.length == stripped.length) {
                ByteBuffer.wrap(stripped).order(ByteOrder.nativeOrder())
                        .putInt(8, ByteBuffer.wrap(d).order(ByteOrder.nativeOrder()).getInt(8));
                d = stripped;
            }
            dst.put(dst.position(), d);
            return d.length;
        });
        for (Subflow s : subflows()) {
            assertEquals(Optional.empty(), s.localBackup());
        }
        assertEquals(1, asked.size(), "the first answer tells that none will have them");
        assertTrue(queued.size() <= 1);
    }

    /** struct sockaddr_in: family (host order), port and address (network order). */
    private static void sockaddrIn(ByteBuffer b, int base, InetSocketAddress a) {
        b.putShort(base, (short) LinuxUapi.AF_INET);
        b.put(base + 2, (byte) (a.getPort() >> 8)).put(base + 3, (byte) a.getPort());
        b.put(base + 4, a.getAddress().getAddress(), 0, 4);
    }
}
