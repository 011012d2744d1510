package io.mptcp.nio.internal.datagram;

import io.mptcp.ffi.Errno;
import io.mptcp.ffi.ErrnoException;
import io.mptcp.ffi.IoStatus;
import io.mptcp.ffi.LinuxSyscalls;
import io.mptcp.ffi.SenderAddress;
import io.mptcp.nio.internal.fd.DirectBufferCache;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

/**
 * One non-blocking receive or send of a datagram with the JDK's NIO bookkeeping (the part of
 * {@code DatagramChannelImpl} below its locks): heap buffers go through
 * {@link DirectBufferCache}, positions advance by what was transferred, and the ICMP errors an
 * unconnected socket may still hold are ignored as the JDK ignores them.
 *
 * <p>Results: bytes transferred ({@code >= 0}; 0 is an empty datagram) or
 * {@link IoStatus#UNAVAILABLE} when the call would block.
 */
public final class DatagramIo {
    private DatagramIo() {
    }

    /**
     * Receives one datagram into {@code dst}: what does not fit is discarded, as the kernel
     * does. An empty {@code dst} still takes (and discards) a datagram, as in the JDK. The
     * sender goes to {@code sender}.
     *
     * @param connected whether the socket is connected: only then is a refused earlier
     *     datagram ({@code ECONNREFUSED}) reported; otherwise it is skipped, as in the JDK
     */
    public static int receive(LinuxSyscalls sys, int fd, ByteBuffer dst, SenderAddress sender,
            boolean connected) throws ErrnoException {
        int remaining = dst.remaining();
        if (dst.isDirect() && remaining > 0) {
            int n = receiveOnce(sys, fd, dst, sender, connected);
            if (n > 0) {
                dst.position(dst.position() + n);
            }
            return n;
        }
        // A zero-length buffer would not take a datagram on some systems: the JDK always
        // receives into at least one byte.
        ByteBuffer tmp = DirectBufferCache.acquire(Math.max(remaining, 1));
        try {
            int n = receiveOnce(sys, fd, tmp, sender, connected);
            if (n > 0 && remaining > 0) {
                tmp.limit(n);
                dst.put(tmp);
            }
            return n;
        } finally {
            DirectBufferCache.release(tmp);
        }
    }

    private static int receiveOnce(LinuxSyscalls sys, int fd, ByteBuffer dst,
            SenderAddress sender, boolean connected) throws ErrnoException {
        for (;;) {
            try {
                return sys.recvfrom(fd, dst, 0, sender);
            } catch (ErrnoException e) {
                if (connected || e.errno() != Errno.ECONNREFUSED) {
                    throw e;
                }
                // An ICMP error left from an earlier association: the JDK retries.
            }
        }
    }

    /**
     * Sends {@code src}'s remaining bytes as one datagram to {@code target} on a socket of
     * {@code family}. On an unconnected socket a refusal ({@code ECONNREFUSED}, an ICMP error
     * of an earlier datagram) counts as sent, as in the JDK.
     */
    public static int send(LinuxSyscalls sys, int fd, int family, ByteBuffer src,
            InetSocketAddress target, boolean connected) throws ErrnoException {
        int remaining = src.remaining();
        ByteBuffer from = src;
        ByteBuffer tmp = null;
        if (!src.isDirect()) {
            tmp = DirectBufferCache.acquire(remaining);
            // An absolute copy: no duplicate of src, so a send allocates nothing.
            tmp.put(0, src, src.position(), remaining);
            from = tmp;
        }
        try {
            int n;
            try {
                n = sys.sendto(fd, from, 0, family, target);
            } catch (ErrnoException e) {
                if (connected || e.errno() != Errno.ECONNREFUSED) {
                    throw e;
                }
                n = remaining;
            }
            if (n > 0) {
                src.position(src.position() + n);
            }
            return n;
        } finally {
            if (tmp != null) {
                DirectBufferCache.release(tmp);
            }
        }
    }
}
