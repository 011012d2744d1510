package io.mptcp.nio.internal.pm;

import io.mptcp.ffi.Errno;
import io.mptcp.ffi.ErrnoException;
import io.mptcp.ffi.IoStatus;
import io.mptcp.ffi.LinuxSyscalls;
import io.mptcp.ffi.LinuxUapi;
import io.mptcp.ffi.NetlinkUapi;
import io.mptcp.nio.internal.netlink.NetlinkMessage;
import io.mptcp.nio.internal.netlink.NetlinkProtocolException;
import io.mptcp.nio.internal.netlink.NetlinkReader;
import io.mptcp.nio.internal.netlink.Reply;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

/**
 * One {@code AF_NETLINK} socket over the native seam: bound to a kernel-assigned port id, with
 * extended and capped acknowledgements, always non-blocking. It sends requests and collects
 * their {@link Reply}, joins multicast groups and receives datagrams; the codec in
 * {@code internal.netlink} reads and writes the bytes.
 *
 * <p>Not thread-safe: its owner serialises the calls (the event channel under its read lock,
 * the path manager under its monitor). A socket is either for requests or for a
 * subscription, never both: rtnetlink notifications carry the sequence number and port id of
 * the command that caused them, so they could be taken for its reply.
 */
public final class NetlinkSocket implements AutoCloseable {
    /**
     * Receive buffer: larger than any datagram the kernel builds for us (a dump part is at most
     * 32 KiB, an event a few hundred bytes), so a truncation is a protocol error.
     */
    static final int BUFFER_BYTES = 64 * 1024;
    private static final int REPLY_TIMEOUT_MILLIS = 10_000;

    private final LinuxSyscalls sys;
    private final int fd;
    private final String name;
    private final ByteBuffer in = ByteBuffer.allocateDirect(BUFFER_BYTES)
            .order(ByteOrder.nativeOrder());
    private ByteBuffer out = ByteBuffer.allocateDirect(4096).order(ByteOrder.nativeOrder());
    private int sequence;
    private boolean closed;

    private NetlinkSocket(LinuxSyscalls sys, int fd, String name) {
        this.sys = sys;
        this.fd = fd;
        this.name = name;
        // Sequence numbers start somewhere per socket so that two sockets' replies never
        // look alike in a capture.
        this.sequence = (int) (System.nanoTime() & 0x3fffffff);
    }

    /**
     * Opens a socket of {@code protocol} ({@link NetlinkUapi#NETLINK_GENERIC} or
     * {@link NetlinkUapi#NETLINK_ROUTE}) in the calling thread's network namespace.
     *
     * @param name what it is for, in messages ("mptcp_pm", "rtnetlink")
     */
    public static NetlinkSocket open(LinuxSyscalls sys, int protocol, String name)
            throws ErrnoException {
        int fd = sys.socket(LinuxUapi.AF_NETLINK,
                LinuxUapi.SOCK_RAW | LinuxUapi.SOCK_CLOEXEC | LinuxUapi.SOCK_NONBLOCK, protocol);
        try {
            sys.bindNetlink(fd, 0, 0);
            sys.setsockoptInt(fd, NetlinkUapi.SOL_NETLINK, NetlinkUapi.NETLINK_EXT_ACK, 1);
            sys.setsockoptInt(fd, NetlinkUapi.SOL_NETLINK, NetlinkUapi.NETLINK_CAP_ACK, 1);
        } catch (ErrnoException e) {
            closeQuietly(sys, fd, e);
            throw e;
        }
        return new NetlinkSocket(sys, fd, name);
    }

    public int fd() {
        return fd;
    }

    public String name() {
        return name;
    }

    /** The next sequence number for a request. */
    public int nextSequence() {
        sequence = sequence + 1 & 0x7fffffff;
        return sequence;
    }

    /**
     * Joins multicast group {@code group}.
     *
     * @throws ErrnoException {@code EPERM} where the group needs a capability the caller lacks
     */
    public void join(int group) throws ErrnoException {
        sys.setsockoptInt(fd, NetlinkUapi.SOL_NETLINK, NetlinkUapi.NETLINK_ADD_MEMBERSHIP, group);
    }

    /**
     * Sets the receive buffer (the kernel doubles it, as for any socket): beyond
     * {@code net.core.rmem_max} where the caller may ({@code SO_RCVBUFFORCE}, CAP_NET_ADMIN),
     * else {@code SO_RCVBUF}, which the kernel caps at {@code rmem_max}.
     */
    public void receiveBuffer(int bytes) throws ErrnoException {
        try {
            sys.setsockoptInt(fd, LinuxUapi.SOL_SOCKET, LinuxUapi.SO_RCVBUFFORCE, bytes);
        } catch (ErrnoException e) {
            if (e.errno() != Errno.EPERM) {
                throw e;
            }
            sys.setsockoptInt(fd, LinuxUapi.SOL_SOCKET, LinuxUapi.SO_RCVBUF, bytes);
        }
    }

    /** Sends {@code request} (one datagram). */
    public void send(byte[] request) throws IOException {
        if (out.capacity() < request.length) {
            out = ByteBuffer.allocateDirect(request.length).order(ByteOrder.nativeOrder());
        }
        out.clear();
        out.put(request).flip();
        int n = sys.sendNetlink(fd, out);
        if (n == IoStatus.UNAVAILABLE) {
            // A request to the kernel is processed in sendmsg itself; a full socket here
            // means the kernel cannot take more right now.
            throw new IOException(name + ": the kernel did not take the request (EAGAIN)");
        }
    }

    /**
     * Sends {@code request}, sent with sequence {@code seq}, and collects its whole answer
     * (waiting up to 10 s: the kernel answers within the call, so this is only a guard).
     */
    public Reply transact(int seq, byte[] request) throws IOException {
        send(request);
        Reply reply = new Reply(seq);
        long deadline = System.nanoTime() + REPLY_TIMEOUT_MILLIS * 1_000_000L;
        while (true) {
            List<NetlinkMessage> datagram = receive();
            if (datagram == null) {
                long left = (deadline - System.nanoTime()) / 1_000_000L;
                if (left <= 0) {
                    throw new IOException(name + ": no answer from the kernel within "
                            + REPLY_TIMEOUT_MILLIS + " ms");
                }
                sys.poll(fd, LinuxUapi.POLLIN, -1, (int) left);
                continue;
            }
            if (reply.accept(datagram)) {
                return reply;
            }
        }
    }

    /**
     * Receives one datagram without waiting.
     *
     * @return its messages, or null when none is queued
     * @throws ErrnoException {@code ENOBUFS} when the receive queue overran since the last
     *     receive (messages were lost)
     * @throws NetlinkProtocolException when the datagram does not parse or was truncated
     */
    public List<NetlinkMessage> receive() throws IOException {
        in.clear();
        int n = sys.recvNetlink(fd, in, 0);
        if (n == IoStatus.UNAVAILABLE) {
            return null;
        }
        if (n > in.capacity()) {
            throw new NetlinkProtocolException(name + ": a datagram of " + n + " bytes was cut"
                    + " to the " + in.capacity() + "-byte buffer");
        }
        in.limit(n);
        return NetlinkReader.read(in);
    }

    @Override
    public void close() throws IOException {
        if (!closed) {
            closed = true;
            sys.close(fd);
        }
    }

    private static void closeQuietly(LinuxSyscalls sys, int fd, Exception failure) {
        try {
            sys.close(fd);
        } catch (ErrnoException e) {
            failure.addSuppressed(e);
        }
    }
}
