package io.mptcp.ffi;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * The sender of the datagrams one receiver takes with {@link LinuxSyscalls#recvfrom}: the
 * {@link InetSocketAddress} decoded from the kernel's sockaddr, decoded again only when the
 * sockaddr differs from the previous one, as the JDK's {@code DatagramChannelImpl} caches it.
 * A receiver that hears from the same peer again allocates nothing.
 *
 * <p>The value handed out is immutable ({@code InetSocketAddress}), so reusing it exposes
 * nothing that a caller could change. Not thread-safe: one receiving thread at a time (a
 * channel's read lock).
 */
public final class SenderAddress {
    // The raw sockaddr the value was decoded from: its length bytes of a sockaddr_storage.
    private final byte[] raw = new byte[SockAddr.SIZEOF_SOCKADDR_STORAGE];
    private int rawLength;
    private InetSocketAddress value;

    /** An empty one: {@link #get()} is null until the first datagram. */
    public SenderAddress() {
    }

    /** The sender of the last datagram received with this, or null before the first. */
    public InetSocketAddress get() {
        return value;
    }

    /**
     * Sets the sender directly, as the kernel would have reported it: for tests of code above
     * the seam, where {@link LinuxSyscalls} is a mock.
     */
    public void set(InetSocketAddress sender) {
        value = Objects.requireNonNull(sender, "sender");
        rawLength = -1;
    }

    /**
     * Takes the sockaddr of {@code length} bytes the kernel left at {@code offset} of
     * {@code sockaddr}: keeps the current value when the bytes are the same, else decodes.
     *
     * @throws IllegalArgumentException if the sockaddr is not {@code AF_INET} or
     *     {@code AF_INET6} (a datagram socket of another family)
     */
    void update(ByteBuffer sockaddr, int offset, int length) {
        // The kernel reports the full length even where it had to truncate.
        int n = Math.min(length, raw.length);
        if (value != null && n == rawLength && sameBytes(sockaddr, offset, n)) {
            return;
        }
        value = SockAddr.decode(sockaddr, offset, n);
        for (int i = 0; i < n; i++) {
            raw[i] = sockaddr.get(offset + i);
        }
        rawLength = n;
    }

    private boolean sameBytes(ByteBuffer sockaddr, int offset, int n) {
        for (int i = 0; i < n; i++) {
            if (raw[i] != sockaddr.get(offset + i)) {
                return false;
            }
        }
        return true;
    }
}
