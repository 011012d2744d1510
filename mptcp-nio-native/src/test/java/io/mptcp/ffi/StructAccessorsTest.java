package io.mptcp.ffi;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

import org.junit.jupiter.api.Test;

/** Mirror accessors on hand-built bytes: versions by length, unsigned values, base offsets. */
class StructAccessorsTest {
    // The struct sits at BASE inside a larger buffer, as in MPTCP_FULL_INFO or an array.
    private static final int BASE = 40;

    private static ByteBuffer garbage(int size) {
        ByteBuffer b = ByteBuffer.allocate(BASE + size).order(ByteOrder.nativeOrder());
        Arrays.fill(b.array(), (byte) 0xa5);
        return b;
    }

    private static ByteBuffer mptcpInfo() {
        ByteBuffer b = garbage(StructMptcpInfo.SIZEOF);
        b.put(BASE + StructMptcpInfo.MPTCPI_SUBFLOWS, (byte) 0xff);
        b.putInt(BASE + StructMptcpInfo.MPTCPI_TOKEN, 0xfedc_ba98);
        b.putLong(BASE + StructMptcpInfo.MPTCPI_WRITE_SEQ, 0x8000_0000_0000_0001L);
        b.put(BASE + StructMptcpInfo.MPTCPI_LOCAL_ADDR_USED, (byte) 2);
        b.put(BASE + StructMptcpInfo.MPTCPI_CSUM_ENABLED, (byte) 1);
        b.putLong(BASE + StructMptcpInfo.MPTCPI_BYTES_ACKED, 123_456_789_012L);
        b.put(BASE + StructMptcpInfo.MPTCPI_SUBFLOWS_TOTAL, (byte) 3);
        b.putInt(BASE + StructMptcpInfo.MPTCPI_LAST_DATA_SENT, 17);
        b.putInt(BASE + StructMptcpInfo.MPTCPI_LAST_ACK_RECV, 19);
        return b;
    }

    @Test
    void mptcpInfoFieldsAreUnsigned() {
        ByteBuffer b = mptcpInfo();
        int length = StructMptcpInfo.SIZEOF;
        assertAll(
                () -> assertEquals(255, StructMptcpInfo.subflows(b, BASE, length)),
                () -> assertEquals(0xfedc_ba98L, StructMptcpInfo.token(b, BASE, length)),
                () -> assertEquals(0x8000_0000_0000_0001L,
                        StructMptcpInfo.writeSeq(b, BASE, length)),
                () -> assertEquals(123_456_789_012L, StructMptcpInfo.bytesAcked(b, BASE, length)),
                () -> assertEquals(3, StructMptcpInfo.subflowsTotal(b, BASE, length)),
                () -> assertEquals(19, StructMptcpInfo.lastAckRecv(b, BASE, length)));
    }

    @Test
    void mptcpInfoFieldsBeyondTheReturnedLengthAreAbsent() {
        ByteBuffer b = mptcpInfo();
        // 40: Linux 5.9 to 5.11
        assertEquals(0xfedc_ba98L, StructMptcpInfo.token(b, BASE, 40));
        assertEquals(-1, StructMptcpInfo.localAddrUsed(b, BASE, 40));
        // 48: Linux 5.12 to 6.4
        assertEquals(2, StructMptcpInfo.localAddrUsed(b, BASE, 48));
        assertEquals(1, StructMptcpInfo.csumEnabled(b, BASE, 48));
        assertEquals(-1, StructMptcpInfo.bytesSent(b, BASE, 48));
        // A 6.5 field in the tail padding of the 5.12 struct: a length cannot rule it out.
        assertEquals(0xa5a5_a5a5L, StructMptcpInfo.retransmits(b, BASE, 48));
        // 80: Linux 6.5 to 6.7
        assertEquals(123_456_789_012L, StructMptcpInfo.bytesAcked(b, BASE, 80));
        assertEquals(-1, StructMptcpInfo.subflowsTotal(b, BASE, 80));
        // 88: Linux 6.8 and 6.9
        assertEquals(3, StructMptcpInfo.subflowsTotal(b, BASE, 88));
        assertEquals(-1, StructMptcpInfo.lastDataRecv(b, BASE, 88));
        // A 6.10 field in the tail padding of the 6.8 struct, likewise.
        assertEquals(17, StructMptcpInfo.lastDataSent(b, BASE, 88));
        // 96: Linux 6.10 on
        assertEquals(17, StructMptcpInfo.lastDataSent(b, BASE, 96));
    }

    @Test
    void tcpInfoFieldsFollowTheKernelsLength() {
        ByteBuffer b = garbage(StructTcpInfo.SIZEOF);
        b.put(BASE + StructTcpInfo.TCPI_STATE, (byte) 1);
        b.putInt(BASE + StructTcpInfo.TCPI_SND_CWND, 0xffff_fff0);
        b.putLong(BASE + StructTcpInfo.TCPI_BYTES_SENT, 1L << 40);
        b.putInt(BASE + StructTcpInfo.TCPI_SND_WND, 65535);
        b.putInt(BASE + StructTcpInfo.TCPI_RCV_WND, 131072);
        b.putShort(BASE + StructTcpInfo.TCPI_TOTAL_RTO, (short) 0xfffe);
        assertAll(
                () -> assertEquals(1, StructTcpInfo.state(b, BASE, 232)),
                () -> assertEquals(0xffff_fff0L, StructTcpInfo.sndCwnd(b, BASE, 232)),
                () -> assertEquals(1L << 40, StructTcpInfo.bytesSent(b, BASE, 232)),
                () -> assertEquals(65535, StructTcpInfo.sndWnd(b, BASE, 232)),
                () -> assertEquals(-1, StructTcpInfo.rcvWnd(b, BASE, 232), "6.2 field on 6.1"),
                () -> assertEquals(131072, StructTcpInfo.rcvWnd(b, BASE, 240)),
                () -> assertEquals(-1, StructTcpInfo.totalRto(b, BASE, 240), "6.7 field on 6.2"),
                () -> assertEquals(0xfffe, StructTcpInfo.totalRto(b, BASE, 248)),
                () -> assertEquals(-1, StructTcpInfo.state(b, BASE, 0)));
    }

    @Test
    void subflowDataRequestHasOnlyTheUserFieldsSet() {
        ByteBuffer b = garbage(StructMptcpSubflowData.SIZEOF);
        StructMptcpSubflowData.prepare(b, BASE, StructMptcpSubflowAddrs.SIZEOF);
        assertEquals(16, b.getInt(BASE + StructMptcpSubflowData.SIZE_SUBFLOW_DATA));
        assertEquals(0, StructMptcpSubflowData.numSubflows(b, BASE));
        assertEquals(0, StructMptcpSubflowData.sizeKernel(b, BASE));
        assertEquals(256, StructMptcpSubflowData.sizeUser(b, BASE));
    }

    @Test
    void fullInfoRequestHasOnlyTheUserFieldsSet() {
        ByteBuffer b = garbage(StructMptcpFullInfo.SIZEOF);
        StructMptcpFullInfo.prepare(b, BASE, 8, 264, 280);
        assertAll(
                () -> assertEquals(0, StructMptcpFullInfo.sizeTcpinfoKernel(b, BASE)),
                () -> assertEquals(280, StructMptcpFullInfo.sizeTcpinfoUser(b, BASE)),
                () -> assertEquals(0, StructMptcpFullInfo.sizeSfinfoKernel(b, BASE)),
                () -> assertEquals(264, StructMptcpFullInfo.sizeSfinfoUser(b, BASE)),
                () -> assertEquals(0, StructMptcpFullInfo.numSubflows(b, BASE)),
                () -> assertEquals(8, StructMptcpFullInfo.sizeArraysUser(b, BASE)),
                () -> assertEquals(0, b.getLong(BASE + StructMptcpFullInfo.SUBFLOW_INFO)),
                () -> assertEquals(0, b.getLong(BASE + StructMptcpFullInfo.TCP_INFO)));
    }
}
