package io.mptcp.nio.internal.datagram;

import org.junit.jupiter.api.Test;

import java.net.DatagramPacket;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The buffer length of a packet across receives, as the JDK's private field would keep it. */
class DatagramPacketLengthsTest {

    @Test
    void aFreshPacketTakesItsLength() {
        DatagramPacket p = new DatagramPacket(new byte[32], 4, 20);
        assertEquals(20, DatagramPacketLengths.bufLength(p));
    }

    @Test
    void aReceiveShortensTheDataButNotTheBuffer() {
        DatagramPacket p = new DatagramPacket(new byte[32], 4, 20);
        DatagramPacketLengths.received(p, 5, 20);
        assertEquals(5, p.getLength());
        assertEquals(20, DatagramPacketLengths.bufLength(p));
        DatagramPacketLengths.received(p, 20, 20);
        assertEquals(20, p.getLength());
        assertEquals(20, DatagramPacketLengths.bufLength(p));
    }

    @Test
    void setLengthOrSetDataSetsTheBufferAgain() {
        DatagramPacket p = new DatagramPacket(new byte[32], 4, 20);
        DatagramPacketLengths.received(p, 5, 20);
        p.setLength(8);
        assertEquals(8, DatagramPacketLengths.bufLength(p));

        DatagramPacketLengths.received(p, 3, 8);
        p.setData(new byte[12]);
        assertEquals(12, DatagramPacketLengths.bufLength(p));

        DatagramPacketLengths.received(p, 3, 12);
        p.setData(p.getData(), 1, 3);
        assertEquals(3, DatagramPacketLengths.bufLength(p), "a new offset: a new buffer");
    }
}
