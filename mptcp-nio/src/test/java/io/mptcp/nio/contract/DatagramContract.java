package io.mptcp.nio.contract;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ProtocolFamily;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;

/**
 * Root of the datagram suites: opens datagram channels through the provider under test and
 * closes them after the test, and has the datagram helpers the suites share.
 *
 * <p>"Nothing arrived" is shown without waiting for a timeout: the sender follows the
 * datagram that must not arrive with a sentinel over the same loopback path, and the receiver
 * must see the sentinel first (loopback delivers one sender's datagrams in order).
 */
abstract class DatagramContract extends ChannelContract {

    static final InetAddress LOOPBACK_V4 = ContractSupport.LOOPBACK_V4;
    static final byte[] SENTINEL = "sentinel".getBytes(StandardCharsets.US_ASCII);

    protected final DatagramChannel openDatagram() throws IOException {
        DatagramChannel ch = track(provider().openDatagramChannel());
        assertSame(provider(), ch.provider(), "channel's provider()");
        return ch;
    }

    protected final DatagramChannel openDatagram(ProtocolFamily family) throws IOException {
        DatagramChannel ch = track(provider().openDatagramChannel(family));
        assertSame(provider(), ch.provider(), "channel's provider()");
        return ch;
    }

    /** A blocking channel of {@code family} bound to {@code address}, ephemeral port. */
    protected final DatagramChannel bound(ProtocolFamily family, InetAddress address)
            throws IOException {
        return openDatagram(family).bind(new InetSocketAddress(address, 0));
    }

    /** A blocking IPv4 channel bound to 127.0.0.1. */
    protected final DatagramChannel boundV4() throws IOException {
        return bound(StandardProtocolFamily.INET, LOOPBACK_V4);
    }

    static ByteBuffer text(String s) {
        return ByteBuffer.wrap(s.getBytes(StandardCharsets.US_ASCII));
    }

    static String text(ByteBuffer filled) {
        ByteBuffer b = filled.duplicate().flip();
        byte[] bytes = new byte[b.remaining()];
        b.get(bytes);
        return new String(bytes, StandardCharsets.US_ASCII);
    }

    /** Sends {@code s} from {@code from} to {@code to}'s local address. */
    static void send(DatagramChannel from, String s, DatagramChannel to) throws IOException {
        int n = from.send(text(s), to.getLocalAddress());
        assertEquals(s.length(), n, "a datagram is sent whole");
    }

    /** Receives one datagram in blocking mode and returns its text; checks the sender. */
    static String receiveFrom(DatagramChannel ch, SocketAddress expectedSender)
            throws IOException {
        ByteBuffer dst = ByteBuffer.allocate(2048);
        SocketAddress sender = ch.receive(dst);
        if (sender == null) {
            fail("a blocking receive returned no sender");
        }
        assertEquals(expectedSender, sender, "sender");
        return text(dst);
    }

    /**
     * Sends the sentinel from {@code from} to {@code to} (both bound) and asserts it is the next
     * datagram {@code to} receives: whatever {@code from} sent just before did not arrive.
     */
    static void assertNextIsSentinel(DatagramChannel from, SocketAddress toAddress,
            DatagramChannel to) throws IOException {
        from.send(ByteBuffer.wrap(SENTINEL), toAddress);
        ByteBuffer dst = ByteBuffer.allocate(2048);
        awaitDatagram(to, dst, "the sentinel");
        assertEquals("sentinel", text(dst), "a datagram arrived that should not have");
    }

    /**
     * Receives one datagram into {@code dst} within {@link ContractSupport#PROMPTLY}, whatever
     * the channel's blocking mode (a non-blocking channel is polled); fails naming
     * {@code what} if none comes.
     */
    static SocketAddress awaitDatagram(DatagramChannel ch, ByteBuffer dst, String what)
            throws IOException {
        if (ch.isBlocking()) {
            return ch.receive(dst);
        }
        long deadline = System.nanoTime() + ContractSupport.PROMPTLY.toNanos();
        do {
            SocketAddress sender = ch.receive(dst);
            if (sender != null) {
                return sender;
            }
            try {
                Thread.sleep(1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new java.io.InterruptedIOException("waiting for " + what);
            }
        } while (System.nanoTime() < deadline);
        fail(what + " did not arrive within " + ContractSupport.PROMPTLY);
        throw new AssertionError("unreachable");
    }

    /** As {@link #receiveFrom}, through {@link #awaitDatagram}: names what did not arrive. */
    static String awaitFrom(DatagramChannel ch, SocketAddress expectedSender, String what)
            throws IOException {
        ByteBuffer dst = ByteBuffer.allocate(2048);
        assertEquals(expectedSender, awaitDatagram(ch, dst, what), "sender of " + what);
        return text(dst);
    }
}
