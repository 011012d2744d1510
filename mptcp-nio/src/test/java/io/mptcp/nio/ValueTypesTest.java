package io.mptcp.nio;

import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.OptionalInt;
import java.util.OptionalLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The public value types: builders, "not reported", equality and their text. */
class ValueTypesTest {
    private static final InetSocketAddress LOCAL =
            new InetSocketAddress(InetAddress.getLoopbackAddress(), 40001);
    private static final InetSocketAddress REMOTE =
            new InetSocketAddress(InetAddress.getLoopbackAddress(), 5201);

    @Test
    void mptcpInfoFieldsNotSetAreZeroOrNotReported() {
        MptcpInfo i = MptcpInfo.builder().token(new MptcpToken(7)).build();
        assertEquals(0, i.extraSubflows());
        assertEquals(0, i.flags());
        assertFalse(i.remoteKeyReceived());
        assertFalse(i.checksumEnabled());
        assertEquals(OptionalLong.empty(), i.bytesSent());
        assertEquals(OptionalInt.empty(), i.subflowsTotal());
        assertEquals(OptionalLong.empty(), i.lastAckReceivedMillis());
        assertEquals("MptcpInfo[extraSubflows=0, addAddrSignal=0, addAddrAccepted=0,"
                + " extraSubflowsMax=0, addAddrSignalMax=0, addAddrAcceptedMax=0, flags=0,"
                + " token=7, writeSeq=0, sndUna=0, rcvNxt=0, localAddrUsed=0, localAddrMax=0,"
                + " checksumEnabled=false]", i.toString());
    }

    @Test
    void mptcpInfoNeedsAToken() {
        assertThrows(NullPointerException.class, () -> MptcpInfo.builder().build());
        assertThrows(NullPointerException.class, () -> MptcpInfo.builder().token(null));
    }

    @Test
    void mptcpInfoEqualityCountsReportedZeroApartFromNotReported() {
        MptcpInfo.Builder b = MptcpInfo.builder().token(new MptcpToken(1)).extraSubflows(1)
                .flags(MptcpInfo.FLAG_REMOTE_KEY_RECEIVED);
        MptcpInfo without = b.build();
        MptcpInfo withZero = b.bytesSent(0).build();
        assertTrue(without.remoteKeyReceived());
        assertEquals(OptionalLong.of(0), withZero.bytesSent());
        assertEquals(OptionalLong.empty(), without.bytesSent(), "a built value does not change");
        assertNotEquals(without, withZero);
        MptcpInfo again = MptcpInfo.builder().token(new MptcpToken(1)).extraSubflows(1)
                .flags(MptcpInfo.FLAG_REMOTE_KEY_RECEIVED).bytesSent(0).build();
        assertEquals(withZero, again);
        assertEquals(withZero.hashCode(), again.hashCode());
        assertTrue(withZero.toString().contains("bytesSent=0"), withZero.toString());
        assertFalse(without.toString().contains("bytesSent"), without.toString());
    }

    @Test
    void tcpInfoIsAValue() {
        TcpInfo a = TcpInfo.builder().state(TcpInfo.STATE_ESTABLISHED).rttMicros(120)
                .pacingRateBytesPerSecond(-1).build();
        TcpInfo b = TcpInfo.builder().state(1).rttMicros(120).pacingRateBytesPerSecond(-1).build();
        assertTrue(a.isEstablished());
        assertEquals(a, b);
        assertEquals(a.hashCode(), b.hashCode());
        assertNotEquals(a, TcpInfo.builder().build());
        assertFalse(TcpInfo.builder().build().isEstablished());
        assertTrue(a.toString().contains("pacingRateBytesPerSecond=18446744073709551615"),
                "unsigned: " + a);
    }

    @Test
    void subflowIdIsOptionalAndTheRestRequired() {
        TcpInfo tcp = TcpInfo.builder().state(1).build();
        Subflow noId = Subflow.builder().local(LOCAL).remote(REMOTE).tcp(tcp).build();
        Subflow one = Subflow.builder().id(1).local(LOCAL).remote(REMOTE).tcp(tcp).build();
        assertEquals(OptionalInt.empty(), noId.id());
        assertEquals(OptionalInt.of(1), one.id());
        assertNotEquals(noId, one);
        assertEquals(one, Subflow.builder().id(1).local(LOCAL).remote(REMOTE).tcp(tcp).build());
        assertTrue(one.toString().startsWith("Subflow[id=1, local="), one.toString());
        assertTrue(noId.toString().startsWith("Subflow[local="), noId.toString());
        assertThrows(NullPointerException.class,
                () -> Subflow.builder().local(LOCAL).remote(REMOTE).build());
        assertThrows(NullPointerException.class,
                () -> Subflow.builder().local(LOCAL).tcp(tcp).build());
        assertThrows(NullPointerException.class,
                () -> Subflow.builder().remote(REMOTE).tcp(tcp).build());
    }

    @Test
    void tokenIsAnUnsigned32BitNumber() {
        assertEquals(0xFFFF_FFFFL, new MptcpToken(0xFFFF_FFFFL).value());
        assertEquals("ffffffff", new MptcpToken(0xFFFF_FFFFL).toString());
        assertThrows(IllegalArgumentException.class, () -> new MptcpToken(-1));
        assertThrows(IllegalArgumentException.class, () -> new MptcpToken(1L << 32));
    }
}
