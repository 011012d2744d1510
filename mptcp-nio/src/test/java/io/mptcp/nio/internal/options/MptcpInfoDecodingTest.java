package io.mptcp.nio.internal.options;

import io.mptcp.ffi.StructMptcpInfo;
import io.mptcp.ffi.StructTcpInfo;
import io.mptcp.nio.MptcpInfo;
import io.mptcp.nio.MptcpToken;
import io.mptcp.nio.TcpInfo;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.OptionalInt;
import java.util.OptionalLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code mptcp_info} as each kernel generation returns it: which fields are reported, and that
 * the zeroed padding an older kernel returns where a later one put a field is not taken for it.
 */
class MptcpInfoDecodingTest {
    // What getsockopt(MPTCP_INFO) returns (StructMptcpInfo's class comment).
    private static final int LINUX_5_16 = 48;
    private static final int LINUX_6_5 = 80;
    private static final int LINUX_6_8 = 88;
    private static final int LINUX_6_10 = 96;

    /** A struct as the newest kernel fills it, every field distinct. */
    private static ByteBuffer full() {
        ByteBuffer b = ByteBuffer.allocate(StructMptcpInfo.SIZEOF).order(ByteOrder.nativeOrder());
        b.put(StructMptcpInfo.MPTCPI_SUBFLOWS, (byte) 1);
        b.put(StructMptcpInfo.MPTCPI_ADD_ADDR_SIGNAL, (byte) 2);
        b.put(StructMptcpInfo.MPTCPI_ADD_ADDR_ACCEPTED, (byte) 3);
        b.put(StructMptcpInfo.MPTCPI_SUBFLOWS_MAX, (byte) 4);
        b.put(StructMptcpInfo.MPTCPI_ADD_ADDR_SIGNAL_MAX, (byte) 5);
        b.put(StructMptcpInfo.MPTCPI_ADD_ADDR_ACCEPTED_MAX, (byte) 6);
        b.putInt(StructMptcpInfo.MPTCPI_FLAGS, (int) MptcpInfo.FLAG_REMOTE_KEY_RECEIVED);
        b.putInt(StructMptcpInfo.MPTCPI_TOKEN, 0xe940b7e0);
        b.putLong(StructMptcpInfo.MPTCPI_WRITE_SEQ, -2L);
        b.putLong(StructMptcpInfo.MPTCPI_SND_UNA, 8);
        b.putLong(StructMptcpInfo.MPTCPI_RCV_NXT, 9);
        b.put(StructMptcpInfo.MPTCPI_LOCAL_ADDR_USED, (byte) 10);
        b.put(StructMptcpInfo.MPTCPI_LOCAL_ADDR_MAX, (byte) 11);
        b.put(StructMptcpInfo.MPTCPI_CSUM_ENABLED, (byte) 1);
        b.putInt(StructMptcpInfo.MPTCPI_RETRANSMITS, 12);
        b.putLong(StructMptcpInfo.MPTCPI_BYTES_RETRANS, 13);
        b.putLong(StructMptcpInfo.MPTCPI_BYTES_SENT, 14);
        b.putLong(StructMptcpInfo.MPTCPI_BYTES_RECEIVED, 15);
        b.putLong(StructMptcpInfo.MPTCPI_BYTES_ACKED, 16);
        b.put(StructMptcpInfo.MPTCPI_SUBFLOWS_TOTAL, (byte) 2);
        b.put(StructMptcpInfo.MPTCPI_ENDP_LAMINAR_MAX, (byte) 17);
        b.putInt(StructMptcpInfo.MPTCPI_LAST_DATA_SENT, 18);
        b.putInt(StructMptcpInfo.MPTCPI_LAST_DATA_RECV, 19);
        b.putInt(StructMptcpInfo.MPTCPI_LAST_ACK_RECV, 20);
        return b;
    }

    @Test
    void linux610AndLaterReportEveryField() {
        MptcpInfo i = MptcpIntrospection.decodeInfo(full(), 0, LINUX_6_10);
        assertEquals(1, i.extraSubflows());
        assertEquals(2, i.addAddrSignal());
        assertEquals(3, i.addAddrAccepted());
        assertEquals(4, i.extraSubflowsMax());
        assertEquals(5, i.addAddrSignalMax());
        assertEquals(6, i.addAddrAcceptedMax());
        assertTrue(i.remoteKeyReceived());
        assertEquals(new MptcpToken(0xe940b7e0L), i.token());
        assertEquals(-2L, i.writeSeq(), "unsigned 2^64 - 2, bits kept");
        assertEquals(8, i.sndUna());
        assertEquals(9, i.rcvNxt());
        assertEquals(10, i.localAddrUsed());
        assertEquals(11, i.localAddrMax());
        assertTrue(i.checksumEnabled());
        assertEquals(OptionalLong.of(12), i.retransmits());
        assertEquals(OptionalLong.of(13), i.bytesRetransmitted());
        assertEquals(OptionalLong.of(14), i.bytesSent());
        assertEquals(OptionalLong.of(15), i.bytesReceived());
        assertEquals(OptionalLong.of(16), i.bytesAcked());
        assertEquals(OptionalInt.of(2), i.subflowsTotal());
        assertEquals(OptionalInt.of(17), i.endpointsLaminarMax());
        assertEquals(OptionalLong.of(18), i.lastDataSentMillis());
        assertEquals(OptionalLong.of(19), i.lastDataReceivedMillis());
        assertEquals(OptionalLong.of(20), i.lastAckReceivedMillis());
        assertTrue(i.toString().contains("writeSeq=18446744073709551614"), i.toString());
    }

    @Test
    void linux516To64ReportNoCountersNotEvenTheRetransmitsInTheirPadding() {
        ByteBuffer b = full();
        b.putInt(StructMptcpInfo.MPTCPI_RETRANSMITS, 0); // padding, zeroed by the kernel
        MptcpInfo i = MptcpIntrospection.decodeInfo(b, 0, LINUX_5_16);
        assertEquals(11, i.localAddrMax());
        assertTrue(i.checksumEnabled());
        assertEquals(OptionalLong.empty(), i.retransmits());
        assertEquals(OptionalLong.empty(), i.bytesRetransmitted());
        assertEquals(OptionalLong.empty(), i.bytesSent());
        assertEquals(OptionalLong.empty(), i.bytesReceived());
        assertEquals(OptionalLong.empty(), i.bytesAcked());
        assertEquals(OptionalInt.empty(), i.subflowsTotal());
        assertEquals(OptionalInt.empty(), i.endpointsLaminarMax());
        assertEquals(OptionalLong.empty(), i.lastDataSentMillis());
        assertEquals(OptionalLong.empty(), i.lastDataReceivedMillis());
        assertEquals(OptionalLong.empty(), i.lastAckReceivedMillis());
        assertFalse(i.toString().contains("retransmits"), "not reported, left out: " + i);
    }

    @Test
    void linux65To67ReportTheCounters() {
        MptcpInfo i = MptcpIntrospection.decodeInfo(full(), 0, LINUX_6_5);
        assertEquals(OptionalLong.of(12), i.retransmits());
        assertEquals(OptionalLong.of(16), i.bytesAcked());
        assertEquals(OptionalInt.empty(), i.subflowsTotal());
        assertEquals(OptionalInt.empty(), i.endpointsLaminarMax());
        assertEquals(OptionalLong.empty(), i.lastDataSentMillis());
    }

    @Test
    void linux68And69ReportTheSubflowTotalNotTheLastDataSentInTheirPadding() {
        ByteBuffer b = full();
        b.put(StructMptcpInfo.MPTCPI_ENDP_LAMINAR_MAX, (byte) 0); // 6.8 to 6.17: reserved, 0
        b.putInt(StructMptcpInfo.MPTCPI_LAST_DATA_SENT, 0); // 6.8 and 6.9: padding
        MptcpInfo i = MptcpIntrospection.decodeInfo(b, 0, LINUX_6_8);
        assertEquals(OptionalInt.of(2), i.subflowsTotal());
        assertEquals(OptionalInt.of(0), i.endpointsLaminarMax(), "none before 6.18");
        assertEquals(OptionalLong.empty(), i.lastDataSentMillis());
        assertEquals(OptionalLong.empty(), i.lastDataReceivedMillis());
        assertEquals(OptionalLong.empty(), i.lastAckReceivedMillis());
    }

    @Test
    void tcpInfoOfTheOldestListingKernelHasEveryFigure() {
        int linux54 = 232; // the tcp_info of 5.4 to 6.1
        ByteBuffer b = ByteBuffer.allocate(StructTcpInfo.SIZEOF).order(ByteOrder.nativeOrder());
        b.put(StructTcpInfo.TCPI_STATE, (byte) TcpInfo.STATE_ESTABLISHED);
        b.putInt(StructTcpInfo.TCPI_RTT, 1);
        b.putInt(StructTcpInfo.TCPI_RTTVAR, 2);
        b.putInt(StructTcpInfo.TCPI_SND_CWND, 3);
        b.putLong(StructTcpInfo.TCPI_BYTES_SENT, 4);
        b.putLong(StructTcpInfo.TCPI_BYTES_ACKED, 5);
        b.putLong(StructTcpInfo.TCPI_BYTES_RECEIVED, 6);
        b.putInt(StructTcpInfo.TCPI_TOTAL_RETRANS, 7);
        b.putLong(StructTcpInfo.TCPI_DELIVERY_RATE, 8);
        b.putLong(StructTcpInfo.TCPI_PACING_RATE, 9);
        TcpInfo expected = TcpInfo.builder().state(1).rttMicros(1).rttVarMicros(2).sndCwnd(3)
                .bytesSent(4).bytesAcked(5).bytesReceived(6).retransmits(7)
                .deliveryRateBytesPerSecond(8).pacingRateBytesPerSecond(9).build();
        assertEquals(expected, MptcpIntrospection.decodeTcpInfo(b, 0, linux54));
    }
}
