package io.mptcp.nio.internal.datagram;

import java.net.DatagramPacket;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The buffer length of a {@link DatagramPacket} across receives, without JDK internals.
 *
 * <p>A packet has two lengths: its buffer length (set by its constructor, {@code setData} and
 * {@code setLength}) and the length of its data. A receive must accept a datagram as long as
 * the buffer length and then set only the data length, so that a program that receives into
 * the same packet in a loop, without resetting its length, still gets full datagrams. The JDK's
 * adaptor reads and writes the private fields for that; the public API can set only both
 * together. So this remembers, per packet, the buffer length it had before a receive shortened
 * it, and uses it again as long as the packet still shows the data, offset and length that
 * receive left (the program has not called {@code setData} or {@code setLength} since). If the
 * program sets the length to exactly the length of the datagram last received, this cannot tell
 * and keeps the earlier, longer buffer length: the datagram still lands within the part of the
 * array the program gave the packet.
 */
final class DatagramPacketLengths {
    // Guards RECEIVED. Packets are keys by identity (DatagramPacket does not override equals)
    // and weakly, so a packet the program drops is forgotten.
    private static final ReentrantLock LOCK = new ReentrantLock();
    private static final Map<DatagramPacket, Received> RECEIVED = new WeakHashMap<>();

    /** What a receive left in a packet, and the buffer length the packet had before. */
    private record Received(byte[] data, int offset, int length, int bufLength) {
    }

    private DatagramPacketLengths() {
    }

    /**
     * How long a datagram {@code p} takes now. Takes {@code p}'s monitor (as the receive that
     * calls it does for its whole length) so that data, offset and length are read as one.
     */
    static int bufLength(DatagramPacket p) {
        synchronized (p) {
            LOCK.lock();
            try {
                Received r = RECEIVED.get(p);
                if (r != null && r.data == p.getData() && r.offset == p.getOffset()
                        && r.length == p.getLength()) {
                    return r.bufLength;
                }
                return p.getLength();
            } finally {
                LOCK.unlock();
            }
        }
    }

    /**
     * Sets the data length of {@code p} to {@code length} after a receive, keeping
     * {@code bufLength} for the next one, under {@code p}'s monitor.
     */
    static void received(DatagramPacket p, int length, int bufLength) {
        synchronized (p) {
            p.setLength(length);
            LOCK.lock();
            try {
                if (length == bufLength) {
                    RECEIVED.remove(p);
                } else {
                    RECEIVED.put(p, new Received(p.getData(), p.getOffset(), length,
                            bufLength));
                }
            } finally {
                LOCK.unlock();
            }
        }
    }
}
