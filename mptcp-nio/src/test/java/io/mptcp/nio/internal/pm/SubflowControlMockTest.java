package io.mptcp.nio.internal.pm;

import io.mptcp.ffi.IoStatus;
import io.mptcp.ffi.LinuxSyscalls;
import io.mptcp.ffi.LinuxUapi;
import io.mptcp.ffi.NetlinkUapi;
import io.mptcp.nio.MptcpSocketChannel;
import io.mptcp.nio.MptcpToken;
import io.mptcp.nio.Subflow;
import io.mptcp.nio.TcpInfo;
import io.mptcp.nio.internal.MockKernel;
import io.mptcp.nio.internal.netlink.Fixtures;
import io.mptcp.nio.internal.netlink.GenlMessage;
import io.mptcp.nio.internal.netlink.NetlinkReader;
import io.mptcp.nio.internal.netlink.PmEvent;
import io.mptcp.nio.pm.EventSource;
import io.mptcp.nio.pm.MptcpEvent;
import io.mptcp.nio.pm.PathManagerException;
import io.mptcp.nio.pm.SubflowRequest;

import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyInt;
import static org.mockito.ArgumentMatchers.anyLong;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.doAnswer;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

/**
 * Subflow control over a mocked native seam that answers as Linux 6.18 did: the replies and
 * events are the datagrams captured from the kernel ({@code kernel-6.18.txt}), with the
 * sequence number of each request patched in. The channel is a host that lists the subflows
 * the test says exist.
 */
@Timeout(30)
class SubflowControlMockTest {
    private static final long COOKIE = 4242;

    private final LinuxSyscalls sys = mock(LinuxSyscalls.class);
    private final AtomicInteger nextFd = new AtomicInteger(100);
    private final Map<Integer, Integer> protocolOf = new ConcurrentHashMap<>();
    private final Map<Integer, ConcurrentLinkedDeque<byte[]>> inbox = new ConcurrentHashMap<>();
    private final List<Integer> commands = Collections.synchronizedList(new ArrayList<>());
    // genl commands the fake refuses once with this errno (0: accept)
    private final Map<Integer, Integer> refuseOnce = new ConcurrentHashMap<>();
    private final Map<Integer, Integer> refuseAlways = new ConcurrentHashMap<>();
    private volatile int eventsFd = -1;
    private volatile boolean unprivileged;
    private volatile boolean inKernelPm;
    private volatile boolean woken;

    private final AtomicReference<Optional<MptcpToken>> token =
            new AtomicReference<>(Optional.empty());
    private final AtomicReference<List<Subflow>> listed = new AtomicReference<>(List.of());
    private SubflowControl control;

    private MptcpEvent.SubflowEstablished established;
    private MptcpEvent.SubflowClosed refused;

    @BeforeEach
    void kernel() throws Exception {
        when(sys.socket(anyInt(), anyInt(), anyInt())).thenAnswer(i -> {
            int fd = nextFd.getAndIncrement();
            protocolOf.put(fd, i.getArgument(2));
            inbox.put(fd, new ConcurrentLinkedDeque<>());
            return fd;
        });
        when(sys.eventfd(anyInt(), anyInt())).thenAnswer(i -> nextFd.getAndIncrement());
        doAnswer(i -> {
            if ((int) i.getArgument(2) == NetlinkUapi.NETLINK_ADD_MEMBERSHIP) {
                if (unprivileged) {
                    // the events group is GENL_MCAST_CAP_NET_ADMIN
                    throw new io.mptcp.ffi.ErrnoException("setsockopt", 1);
                }
                eventsFd = i.getArgument(0);
            }
            return null;
        }).when(sys).setsockoptInt(anyInt(), anyInt(), anyInt(), anyInt());
        when(sys.getsockopt(anyInt(), eq(LinuxUapi.SOL_SOCKET), eq(LinuxUapi.SO_NETNS_COOKIE),
                any())).thenAnswer(i -> {
                    ByteBuffer b = i.getArgument(3);
                    b.putLong(0, COOKIE);
                    return 8;
                });
        when(sys.sendNetlink(anyInt(), any())).thenAnswer(i -> {
            ByteBuffer b = i.getArgument(1);
            byte[] request = new byte[b.remaining()];
            b.get(request);
            answer(i.getArgument(0), request);
            return request.length;
        });
        when(sys.recvNetlink(anyInt(), any(), anyInt())).thenAnswer(i -> {
            byte[] next = inbox.get((int) i.getArgument(0)).poll();
            if (next == null) {
                return IoStatus.UNAVAILABLE;
            }
            ((ByteBuffer) i.getArgument(1)).duplicate().put(next);
            return next.length;
        });
        when(sys.poll(anyInt(), anyInt(), anyInt(), anyInt())).thenAnswer(i -> {
            int fd = i.getArgument(0);
            for (int n = 0; n < 200 && !woken && inbox.get(fd).isEmpty(); n++) {
                Thread.sleep(5);
            }
            return inbox.get(fd).isEmpty() ? 0 : LinuxUapi.POLLIN;
        });
        doAnswer(i -> {
            woken = true;
            return null;
        }).when(sys).eventfdWrite(anyInt(), anyLong());

        established = (MptcpEvent.SubflowEstablished) event("client-sub-established");
        refused = (MptcpEvent.SubflowClosed) event("client-sub-closed-2");

        // Not a mock of the channel: the inline mock maker would instrument the JDK's channel
        // classes for the rest of the run (the allocation tests then fail).
        control = new SubflowControl(sys, new SubflowControl.Host() {
            @Override
            public boolean isOpen() {
                return true;
            }

            @Override
            public boolean isConnected() {
                return true;
            }

            @Override
            public Optional<MptcpToken> token() {
                return token.get();
            }

            @Override
            public List<Subflow> subflows() {
                return listed.get();
            }

            @Override
            public int family() {
                return LinuxUapi.AF_INET;
            }

            @Override
            public long netnsCookie() {
                return COOKIE;
            }
        });
    }

    @AfterEach
    void close() {
        control.close();
    }

    private static MptcpEvent event(String fixture) throws Exception {
        return MptcpEvents.fromPm(PmEvent.decode(GenlMessage.decode(NetlinkReader.read(
                ByteBuffer.wrap(Fixtures.bytes(fixture)).order(ByteOrder.nativeOrder()))
                .get(0))), EventSource.NETLINK);
    }

    /** The kernel's answer to {@code request} on {@code fd}, queued for receive. */
    private void answer(int fd, byte[] request) {
        ByteBuffer r = ByteBuffer.wrap(request).order(ByteOrder.nativeOrder());
        int type = r.getShort(4) & 0xffff;
        int seq = r.getInt(8);
        int protocol = protocolOf.get(fd);
        List<String> replies = new ArrayList<>();
        if (protocol == NetlinkUapi.NETLINK_ROUTE) {
            replies.add("getaddr-dump-reply");
            replies.add("getaddr-dump-reply-2");
        } else if (type == 0x10) {
            replies.add("getfamily-mptcp_pm-reply");
            replies.add("getfamily-mptcp_pm-reply-2");
        } else {
            int command = request[16] & 0xff;
            if (command == 3 && inKernelPm) {
                inbox.get(fd).add(extackError(seq, -22, "userspace PM not selected"));
                return;
            }
            if (command == 3) {
                // GET_ADDR with the token: the probe of the connection's path manager
                replies.add("get-addr-dump-token-reply");
                replies.add("get-addr-dump-token-reply-2");
                for (String name : replies) {
                    inbox.get(fd).add(patch(Fixtures.bytes(name), seq));
                }
                return;
            }
            commands.add(command);
            Integer errno = refuseOnce.remove(command);
            if (errno == null) {
                errno = refuseAlways.get(command);
            }
            if (errno != null) {
                byte[] e = patch(Fixtures.bytes("invalid-token-reply"), seq);
                ByteBuffer.wrap(e).order(ByteOrder.nativeOrder()).putInt(16, -errno);
                inbox.get(fd).add(e);
                return;
            }
            replies.add("create-reply");
        }
        for (String name : replies) {
            inbox.get(fd).add(patch(Fixtures.bytes(name), seq));
        }
    }

    /**
     * An {@code NLMSG_ERROR} as the kernel builds it with {@code NETLINK_CAP_ACK} and
     * {@code NETLINK_EXT_ACK}: capped request header, then {@code NLMSGERR_ATTR_MSG}.
     */
    private static byte[] extackError(int seq, int error, String text) {
        byte[] msg = (text + "\0").getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        int attr = 4 + msg.length;
        int len = 16 + 4 + 16 + ((attr + 3) & ~3);
        ByteBuffer b = ByteBuffer.allocate(len).order(ByteOrder.nativeOrder());
        b.putInt(len).putShort((short) 2).putShort((short) 0x300).putInt(seq).putInt(0);
        b.putInt(error);
        b.putInt(16).putShort((short) 0).putShort((short) 0).putInt(seq).putInt(0);
        b.putShort((short) attr).putShort((short) 1).put(msg);
        return b.array();
    }

    /** {@code datagram} with every message's sequence number set to {@code seq}. */
    private static byte[] patch(byte[] datagram, int seq) {
        ByteBuffer b = ByteBuffer.wrap(datagram).order(ByteOrder.nativeOrder());
        for (int at = 0; at + 16 <= datagram.length; ) {
            int len = b.getInt(at);
            b.putInt(at + 8, seq);
            at += (len + 3) & ~3;
            if (len < 16) {
                break;
            }
        }
        return datagram;
    }

    private void deliver(String fixture) {
        inbox.get(eventsFd).add(Fixtures.bytes(fixture));
    }

    private static Subflow subflow(InetSocketAddress local, InetSocketAddress remote) {
        return Subflow.builder().local(local).remote(remote)
                .tcp(TcpInfo.builder().state(1).rttMicros(50).build()).build();
    }

    private void tokenOf(MptcpToken value) {
        token.set(Optional.of(value));
    }

    private static SubflowRequest requestFor(InetSocketAddress local,
            InetSocketAddress remote) {
        return SubflowRequest.builder().local(local.getAddress()).remote(remote).build();
    }

    private void awaitCommands(int n) throws InterruptedException {
        for (int i = 0; i < 2000 && commands.size() < n; i++) {
            Thread.sleep(5);
        }
    }

    @Test
    void anOpenCompletesWithTheListedSubflowOfItsSubEstablished() throws Exception {
        tokenOf(established.token());
        CompletableFuture<Subflow> f = control.openAsync(requestFor(established.local(),
                established.remote()));
        assertEquals(List.of(10), commands, "one SUBFLOW_CREATE (10)");
        assertFalse(f.isDone(), "the command alone does not complete it");
        Subflow s = subflow(established.local(), established.remote());
        listed.set(List.of(s));
        deliver("client-sub-established");
        assertEquals(s, f.get(10, TimeUnit.SECONDS));
    }

    @Test
    void aJoinTheKernelClosesFailsWithItsErrno() throws Exception {
        tokenOf(refused.token());
        CompletableFuture<Subflow> f = control.openAsync(requestFor(refused.local(),
                refused.remote()));
        deliver("client-sub-closed-2");
        ExecutionException e = assertThrows(ExecutionException.class,
                () -> f.get(10, TimeUnit.SECONDS));
        PathManagerException p = assertInstanceOf(PathManagerException.class, e.getCause());
        assertEquals(refused.error().orElse(104), p.errno(), p.getMessage());
        assertTrue(p.getMessage().contains(refused.remote().toString()), p.getMessage());
    }

    @Test
    void anOpenBeforeFullEstablishmentWaitsForEstablishedAndTriesAgain() throws Exception {
        MptcpEvent.ConnectionEstablished up =
                (MptcpEvent.ConnectionEstablished) event("client-established");
        assertEquals(up.token(), established.token(), "fixtures of one connection");
        tokenOf(established.token());
        refuseOnce.put(10, 107);
        CompletableFuture<Subflow> f = control.openAsync(requestFor(established.local(),
                established.remote()));
        assertFalse(f.isDone(), "ENOTCONN means: wait, not fail");
        deliver("client-established");
        awaitCommands(2);
        assertEquals(List.of(10, 10), commands.subList(0, 2));
        Subflow s = subflow(established.local(), established.remote());
        listed.set(List.of(s));
        deliver("client-sub-established");
        assertEquals(s, f.get(10, TimeUnit.SECONDS));
    }

    @Test
    void anAsyncOpenTheApplicationTimesOutStopsRetrying() throws Exception {
        tokenOf(established.token());
        refuseAlways.put(10, 107);
        CompletableFuture<Subflow> f = control.openAsync(requestFor(established.local(),
                established.remote())).orTimeout(50, TimeUnit.MILLISECONDS);
        assertInstanceOf(java.util.concurrent.TimeoutException.class, assertThrows(
                ExecutionException.class, () -> f.get(10, TimeUnit.SECONDS)).getCause());
        int after = commands.size();
        Thread.sleep(600);
        assertEquals(after, commands.size(), "no SUBFLOW_CREATE after the stage ended");
    }

    @Test
    void aKernelRefusalOfTheCommandFailsAtOnce() throws Exception {
        tokenOf(established.token());
        refuseOnce.put(10, 99);
        CompletableFuture<Subflow> f = control.openAsync(requestFor(established.local(),
                established.remote()));
        ExecutionException e = assertThrows(ExecutionException.class,
                () -> f.get(10, TimeUnit.SECONDS));
        assertInstanceOf(java.net.BindException.class, e.getCause());
        assertInstanceOf(PathManagerException.class, e.getCause().getCause());
    }

    @Test
    void aPrivilegedLocalPortRefusedByTheKernelIsNamedAsSuch() throws Exception {
        tokenOf(established.token());
        refuseOnce.put(10, 13);
        CompletableFuture<Subflow> f = control.openAsync(SubflowRequest.builder()
                .local(established.local().getAddress()).localPort(80)
                .remote(established.remote()).build());
        ExecutionException e = assertThrows(ExecutionException.class,
                () -> f.get(10, TimeUnit.SECONDS));
        java.net.BindException b = assertInstanceOf(java.net.BindException.class,
                e.getCause());
        assertTrue(b.getMessage().contains("ip_unprivileged_port_start")
                && b.getMessage().contains("CAP_NET_BIND_SERVICE"), b.getMessage());
        assertEquals(13, ((PathManagerException) b.getCause()).errno());
    }

    @Test
    void withoutCapNetAdminTheSubscriptionRefusalNamesTheCapabilityAndTheRule()
            throws Exception {
        unprivileged = true;
        tokenOf(established.token());
        PathManagerException e = assertThrows(PathManagerException.class,
                () -> control.announce(new InetSocketAddress(established.local().getAddress(),
                        0)));
        assertEquals(1, e.errno());
        assertTrue(e.getMessage().contains("CAP_NET_ADMIN")
                && e.getMessage().contains("user namespace"), e.getMessage());
        assertTrue(commands.isEmpty(), "no command without the subscription");
    }

    @Test
    void aConnectionOfTheInKernelPathManagerIsNamedBeforeTheMissingCapability()
            throws Exception {
        unprivileged = true;
        inKernelPm = true;
        tokenOf(established.token());
        PathManagerException e = assertThrows(PathManagerException.class,
                () -> control.announce(new InetSocketAddress(established.local().getAddress(),
                        0)));
        assertEquals(22, e.errno());
        assertEquals(Optional.of("userspace PM not selected"), e.kernelMessage());
        assertTrue(e.getMessage().contains("net.mptcp.path_manager")
                && e.getMessage().contains("created"), e.getMessage());
    }

    @Test
    void theIdsAreOnePerLocalAddressAndPortAndSent() throws Exception {
        tokenOf(established.token());
        var a = control.announce(new InetSocketAddress(established.local().getAddress(), 0));
        var again = control.announce(new InetSocketAddress(established.local().getAddress(),
                0));
        var port = control.announce(new InetSocketAddress(established.local().getAddress(),
                7000));
        assertEquals(List.of(8, 8, 8), commands, "three ANNOUNCE (8)");
        assertEquals(1, a.id(), "ids start at 1 (0 is the initial address)");
        assertEquals(a.id(), again.id(), "the same (address, port), the same id");
        assertEquals(2, port.id(), "another port, another id");
    }

    @Test
    void perSubflowOptionsAndRoutingHeadersAreRefusedWithWhatToUse() throws Exception {
        MockKernel kernel = new MockKernel();
        try (MptcpSocketChannel real = (MptcpSocketChannel) kernel.provider()
                .openSocketChannel(StandardProtocolFamily.INET)) {
            Subflow s = subflow(established.local(), established.remote());
            UnsupportedOperationException option = assertThrows(
                    UnsupportedOperationException.class,
                    () -> real.setSubflowOption(s, StandardSocketOptions.SO_SNDBUF, 1));
            assertTrue(option.getMessage().contains("all subflows")
                    && option.getMessage().contains("eBPF"), option.getMessage());
            UnsupportedOperationException srh = assertThrows(
                    UnsupportedOperationException.class,
                    () -> real.setSubflowSegmentRouting(s, List.of()));
            assertTrue(srh.getMessage().contains("seg6"), srh.getMessage());
        }
    }

    @Test
    void withoutAnMptcpConnectionTheReasonIsGiven() throws Exception {
        java.io.IOException e = assertThrows(java.io.IOException.class,
                () -> control.announce(new InetSocketAddress(established.local().getAddress(),
                        0)));
        assertTrue(e.getMessage().contains("does not use MPTCP"), e.getMessage());
        assertTrue(commands.isEmpty());
    }
}
