package io.mptcp.nio.internal.options;

import io.mptcp.ffi.Errno;
import io.mptcp.ffi.ErrnoException;
import io.mptcp.ffi.LinuxUapi;
import io.mptcp.ffi.MptcpUapi;
import io.mptcp.ffi.NativeBuffer;
import io.mptcp.ffi.StructMptcpFullInfo;
import io.mptcp.ffi.StructMptcpSubflowAddrs;
import io.mptcp.ffi.StructMptcpSubflowData;
import io.mptcp.ffi.StructMptcpSubflowInfo;
import io.mptcp.ffi.StructTcpInfo;
import io.mptcp.nio.MptcpSocketChannel;
import io.mptcp.nio.MptcpSocketOptions;
import io.mptcp.nio.MptcpToken;
import io.mptcp.nio.Subflow;
import io.mptcp.nio.TcpInfo;
import io.mptcp.nio.internal.MockKernel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

import static io.mptcp.nio.internal.MockKernel.FD;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

/** Reading MPTCP state on the kernels this machine is not: 5.16 to 6.4, older, fallen back. */
@Timeout(10)
class MptcpIntrospectionTest {
    private static final int TCP_CLOSE = 7;
    // tcp_info as Linux 5.4 to 6.1 return it: shorter than this library's mirror.
    private static final int TCP_INFO_6_1 = 232;

    private final MockKernel kernel = new MockKernel();
    private final MptcpSocketChannel ch;

    MptcpIntrospectionTest() throws Exception {
        ch = kernel.connected(kernel.provider());
    }

    private void mptcpNow(boolean mptcp) throws ErrnoException {
        when(kernel.sys.getsockoptInt(FD, LinuxUapi.SOL_TCP, LinuxUapi.TCP_IS_MPTCP))
                .thenReturn(mptcp ? 1 : 0);
    }

    private void kernelLacksFullInfo() throws ErrnoException {
        when(kernel.sys.getsockoptMptcpFullInfo(eq(FD), any(), any(), any()))
                .thenThrow(new ErrnoException("getsockopt", Errno.EOPNOTSUPP));
    }

    @Test
    void before65TheListComesFromSubflowAddrsAndTcpInfoWithoutIds() throws Exception {
        mptcpNow(true);
        kernelLacksFullInfo();
        InetSocketAddress local2 = address(11, 40002);
        InetSocketAddress remote2 = address(21, 5201);
        when(kernel.sys.getsockopt(eq(FD), eq(MptcpUapi.SOL_MPTCP),
                eq(MptcpUapi.MPTCP_SUBFLOW_ADDRS), any())).thenAnswer(inv -> {
                    ByteBuffer b = inv.getArgument(3);
                    header(b, 2, StructMptcpSubflowAddrs.SIZEOF);
                    int second = StructMptcpSubflowData.SIZEOF + StructMptcpSubflowAddrs.SIZEOF;
                    sockaddrIn(b, StructMptcpSubflowData.SIZEOF, address(10, 40001));
                    sockaddrIn(b, StructMptcpSubflowData.SIZEOF + 128, address(20, 5201));
                    sockaddrIn(b, second, local2);
                    sockaddrIn(b, second + 128, remote2);
                    return StructMptcpSubflowData.SIZEOF + 2 * StructMptcpSubflowAddrs.SIZEOF;
                });
        when(kernel.sys.getsockopt(eq(FD), eq(MptcpUapi.SOL_MPTCP),
                eq(MptcpUapi.MPTCP_TCPINFO), any())).thenAnswer(inv -> {
                    ByteBuffer b = inv.getArgument(3);
                    header(b, 2, TCP_INFO_6_1);
                    // The kernel packs elements at its own size: the second starts at 232.
                    int first = StructMptcpSubflowData.SIZEOF;
                    int second = first + TCP_INFO_6_1;
                    b.put(first + StructTcpInfo.TCPI_STATE, (byte) TCP_CLOSE);
                    b.put(second + StructTcpInfo.TCPI_STATE, (byte) TcpInfo.STATE_ESTABLISHED);
                    b.putInt(second + StructTcpInfo.TCPI_RTT, 1234);
                    return first + 2 * TCP_INFO_6_1;
                });

        List<Subflow> subflows = ch.getOption(MptcpSocketOptions.MPTCP_SUBFLOWS);

        assertEquals(1, subflows.size(), "the closed subflow is left out: " + subflows);
        Subflow s = subflows.get(0);
        assertEquals(OptionalInt.empty(), s.id(), "5.16 to 6.4 number no subflows");
        assertEquals(local2, s.local());
        assertEquals(remote2, s.remote());
        assertEquals(1234, s.tcp().rttMicros(), "read at the kernel's element stride");
    }

    @Test
    void fullInfoIsAskedAgainWhenMoreSubflowsExistThanThereWasRoomFor() throws Exception {
        mptcpNow(true);
        int[] calls = {0};
        when(kernel.sys.getsockoptMptcpFullInfo(eq(FD), any(), any(), any())).thenAnswer(inv -> {
            ByteBuffer info = inv.getArgument(1);
            ByteBuffer sf = inv.getArgument(2);
            ByteBuffer tcp = inv.getArgument(3);
            int room = StructMptcpFullInfo.sizeArraysUser(info, 0);
            int count = 12;
            info.putInt(StructMptcpFullInfo.NUM_SUBFLOWS, count);
            calls[0]++;
            for (int i = 0; i < Math.min(room, count); i++) {
                int base = i * StructMptcpSubflowInfo.SIZEOF;
                sf.putInt(base + StructMptcpSubflowInfo.ID, i + 1);
                sockaddrIn(sf, base + StructMptcpSubflowInfo.ADDRS, address(10, 40000 + i));
                sockaddrIn(sf, base + StructMptcpSubflowInfo.ADDRS + 128, address(20, 5201));
                tcp.put(i * StructTcpInfo.SIZEOF + StructTcpInfo.TCPI_STATE, (byte) 1);
            }
            return StructMptcpFullInfo.SIZEOF;
        });

        List<Subflow> subflows = ch.getOption(MptcpSocketOptions.MPTCP_SUBFLOWS);

        assertEquals(2, calls[0], "first with room for 8, then for all 12");
        assertEquals(12, subflows.size());
        assertEquals(OptionalInt.of(12), subflows.get(11).id());
    }

    @Test
    void kernelOlderThan516SaysWhichVersionIsNeeded() throws Exception {
        mptcpNow(true);
        when(kernel.sys.getsockopt(eq(FD), eq(MptcpUapi.SOL_MPTCP), eq(MptcpUapi.MPTCP_INFO),
                any())).thenThrow(new ErrnoException("getsockopt", Errno.EOPNOTSUPP));
        SocketException e = assertThrows(SocketException.class,
                () -> ch.getOption(MptcpSocketOptions.MPTCP_INFO));
        assertTrue(e.getMessage().contains("needs Linux 5.16"), e.getMessage());
        assertInstanceOf(ErrnoException.class, e.getCause());
    }

    @Test
    void fallenBackConnectionReadsEmpty() throws Exception {
        mptcpNow(false);
        when(kernel.sys.getsockopt(eq(FD), eq(MptcpUapi.SOL_MPTCP), eq(MptcpUapi.MPTCP_INFO),
                any())).thenThrow(new ErrnoException("getsockopt", Errno.ENOPROTOOPT));
        kernelLacksFullInfo();
        assertEquals(Optional.empty(), ch.getOption(MptcpSocketOptions.MPTCP_INFO));
        assertEquals(Optional.empty(), ch.getOption(MptcpSocketOptions.MPTCP_TOKEN));
        assertEquals(List.of(), ch.getOption(MptcpSocketOptions.MPTCP_SUBFLOWS));
        verify(kernel.sys, times(0)).getsockopt(eq(FD), eq(MptcpUapi.SOL_MPTCP),
                eq(MptcpUapi.MPTCP_SUBFLOW_ADDRS), any());
    }

    @Test
    void everyBufferHandedToTheKernelIsFreedWhenTheReadReturns() throws Exception {
        mptcpNow(true);
        List<ByteBuffer> seen = new ArrayList<>();
        when(kernel.sys.getsockopt(eq(FD), eq(MptcpUapi.SOL_MPTCP), eq(MptcpUapi.MPTCP_INFO),
                any())).thenAnswer(inv -> {
                    seen.add(inv.getArgument(3));
                    return 8;
                });
        when(kernel.sys.getsockoptMptcpFullInfo(eq(FD), any(), any(), any())).thenAnswer(inv -> {
            ByteBuffer info = inv.getArgument(1);
            seen.addAll(List.of(info, inv.getArgument(2), inv.getArgument(3)));
            // Twelve subflows, none established: asked again with room for all, then empty.
            info.putInt(StructMptcpFullInfo.NUM_SUBFLOWS, 12);
            return StructMptcpFullInfo.SIZEOF;
        });

        assertTrue(ch.getOption(MptcpSocketOptions.MPTCP_INFO).isPresent());
        assertEquals(List.of(), ch.getOption(MptcpSocketOptions.MPTCP_SUBFLOWS));
        // Read as often as a monitor or Netty's getOptions() would: nothing piles up.
        long directBuffers = directPool().getCount();
        long nativeBytes = NativeBuffer.liveBytes();
        for (int i = 0; i < 1000; i++) {
            ch.getOption(MptcpSocketOptions.MPTCP_INFO);
        }
        assertTrue(directPool().getCount() <= directBuffers,
                "direct buffers left: " + (directPool().getCount() - directBuffers));
        assertTrue(NativeBuffer.liveBytes() <= nativeBytes);
        // A read the kernel refuses frees its buffer too.
        when(kernel.sys.getsockopt(eq(FD), eq(MptcpUapi.SOL_MPTCP), eq(MptcpUapi.MPTCP_INFO),
                any())).thenAnswer(inv -> {
                    seen.add(inv.getArgument(3));
                    throw new ErrnoException("getsockopt", Errno.EOPNOTSUPP);
                });
        assertThrows(SocketException.class, () -> ch.getOption(MptcpSocketOptions.MPTCP_INFO));

        assertEquals(1 + 6 + 1000 + 1, seen.size());
        for (ByteBuffer b : seen) {
            assertFalse(NativeBuffer.isLive(b), "left to the collector: " + b);
        }
    }

    private static BufferPoolMXBean directPool() {
        return ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class).stream()
                .filter(p -> p.getName().equals("direct")).findFirst().orElseThrow();
    }

    @Test
    void tokenPrintsAsTheKernelToolsPrintIt() {
        assertEquals("e940b7e", new MptcpToken(0x0e940b7eL).toString(), "as ss -M prints it");
        assertThrows(IllegalArgumentException.class, () -> new MptcpToken(1L << 32));
    }

    private static void header(ByteBuffer b, int count, int elementSize) {
        b.putInt(StructMptcpSubflowData.NUM_SUBFLOWS, count);
        b.putInt(StructMptcpSubflowData.SIZE_KERNEL, elementSize);
        b.putInt(StructMptcpSubflowData.SIZE_USER, elementSize);
    }

    /** struct sockaddr_in: family (host order), port and address (network order). */
    private static void sockaddrIn(ByteBuffer b, int base, InetSocketAddress a) {
        b.putShort(base, (short) LinuxUapi.AF_INET);
        b.put(base + 2, (byte) (a.getPort() >> 8)).put(base + 3, (byte) a.getPort());
        b.put(base + 4, a.getAddress().getAddress(), 0, 4);
    }

    private static InetSocketAddress address(int net, int port) {
        try {
            return new InetSocketAddress(
                    InetAddress.getByAddress(new byte[] {10, (byte) net, 0, 1}), port);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }
}
