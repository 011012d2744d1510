package io.mptcp.ffi;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Objects;

/**
 * Native memory for the by-reference arguments of system calls, one set per thread, so that a
 * call allocates nothing once its thread has made its first call.
 *
 * <p>The small area (allocated with the set) holds a sockaddr and its length, an option or
 * counter value, two {@code struct pollfd}, one {@code struct epoll_event}, the destination
 * sockaddr of a datagram, and a {@code struct msghdr} with its one {@code struct iovec}. The
 * {@code struct iovec} array of readv/writev is separate and grows on demand, in powers of two up
 * to {@link LinuxUapi#IOV_MAX} entries, so threads that never scatter or gather do not pay for
 * 16 KiB; the array it replaces is freed at once.
 *
 * <p>The memory is {@link NativeBuffer}s: a platform thread's set is freed soon after the
 * thread ends ({@link ThreadExit}), as the JDK frees its per-thread native buffers at thread
 * termination. A virtual thread gets its own set like any thread (the JDK's are per carrier,
 * which needs its internals); that one is freed by the collector once the thread is gone.
 *
 * <p>An area belongs to one system call at a time: it is written just before the call and read
 * just after it, with no other call in between on the same thread.
 */
final class Scratch {
    // uapi/asm-generic/poll.h: struct pollfd
    private static final CLayout POLLFD = CLayout.struct();
    static final int POLLFD_FD = POLLFD.u32();
    static final int POLLFD_EVENTS = POLLFD.u16();
    static final int POLLFD_REVENTS = POLLFD.u16();
    static final int SIZEOF_POLLFD = POLLFD.size();

    // uapi/linux/uio.h: struct iovec { void *iov_base; __kernel_size_t iov_len; }
    private static final CLayout IOVEC = CLayout.struct();
    static final int IOV_BASE = IOVEC.u64();
    static final int IOV_LEN = IOVEC.u64();
    static final int SIZEOF_IOVEC = IOVEC.size();

    /** A sockaddr of any family the kernel returns ({@code __kernel_sockaddr_storage}). */
    static final int SOCKADDR = 0;
    /** The {@code socklen_t} in/out length of {@link #SOCKADDR} or of an option value. */
    static final int SOCKLEN = SOCKADDR + SockAddr.SIZEOF_SOCKADDR_STORAGE;
    /** 8 bytes: an int option, the {@code FIONREAD} count, an eventfd counter, or two fds. */
    static final int VALUE = SOCKLEN + 8;
    /** Two {@code struct pollfd}: the descriptor waited on and the wakeup descriptor. */
    static final int POLLFDS = VALUE + 8;
    /** One {@code struct epoll_event} for epoll_ctl. */
    static final int EPOLL_EVENT = POLLFDS + 2 * SIZEOF_POLLFD;
    // uapi/linux/socket.h: struct user_msghdr, the struct msghdr of sendmsg/recvmsg
    private static final CLayout MSGHDR = CLayout.struct();
    static final int MSG_NAME = MSGHDR.u64();
    static final int MSG_NAMELEN = MSGHDR.u32();
    static final int MSG_IOV = MSGHDR.u64();
    static final int MSG_IOVLEN = MSGHDR.u64();
    static final int MSG_CONTROL = MSGHDR.u64();
    static final int MSG_CONTROLLEN = MSGHDR.u64();
    static final int MSG_FLAGS = MSGHDR.u32();
    static final int SIZEOF_MSGHDR = MSGHDR.size();

    /** The destination sockaddr of a datagram, kept apart so it can be reused. */
    static final int TARGET = (EPOLL_EVENT + EpollEventBuffer.SIZEOF_EVENT + 7) & -8;
    /** One {@code struct msghdr} and the one {@code struct iovec} it points to. */
    static final int MESSAGE = (TARGET + SockAddr.SIZEOF_SOCKADDR_IN6 + 7) & -8;
    static final int MESSAGE_IOV = MESSAGE + SIZEOF_MSGHDR;
    private static final int SMALL_SIZE = MESSAGE_IOV + SIZEOF_IOVEC;

    private static final int MIN_IOVECS = 16;

    private static final ThreadLocal<Scratch> CURRENT = ThreadLocal.withInitial(Scratch::new);

    /** The small area, native byte order, at {@link #address}. */
    final ByteBuffer small = NativeBuffer.allocate(SMALL_SIZE).order(ByteOrder.nativeOrder());
    final long address = NativeMemory.address(small);

    private ByteBuffer iovecs;
    private long iovecsAddress;

    // What TARGET holds: the encoding of this address (compared by identity: an
    // InetSocketAddress is immutable) for this family, and its length.
    private InetSocketAddress target;
    private int targetFamily;
    private int targetLength;

    private Scratch() {
        Thread owner = Thread.currentThread();
        if (!ThreadExit.isVirtual(owner)) {
            ThreadExit.whenEnded(owner, new Release(this));
        }
    }

    /** Frees a set once its thread has ended; refers to the set, not to the thread. */
    private static final class Release implements Runnable {
        private final Scratch scratch;

        Release(Scratch scratch) {
            this.scratch = scratch;
        }

        @Override
        public void run() {
            NativeBuffer.free(scratch.small);
            if (scratch.iovecs != null) {
                NativeBuffer.free(scratch.iovecs);
            }
        }
    }

    /** This thread's set. */
    static Scratch get() {
        return CURRENT.get();
    }

    /**
     * Describes {@code buffers[offset .. offset+length)} (direct; from position to limit) in
     * this thread's iovec array and returns its address.
     *
     * @param writable whether the kernel will write into the buffers (readv)
     * @throws IllegalArgumentException for more than {@link LinuxUapi#IOV_MAX} buffers, a heap
     *     buffer, or a read-only buffer to be written
     */
    long iovecs(ByteBuffer[] buffers, int offset, int length, boolean writable) {
        Objects.checkFromIndexSize(offset, length, buffers.length);
        if (length > LinuxUapi.IOV_MAX) {
            throw new IllegalArgumentException(length + " buffers exceed IOV_MAX");
        }
        if (iovecs == null || iovecs.capacity() < length * SIZEOF_IOVEC) {
            int entries = Math.max(MIN_IOVECS, Integer.highestOneBit(length - 1) << 1);
            ByteBuffer grown = NativeBuffer.allocate(
                    Math.min(entries, LinuxUapi.IOV_MAX) * SIZEOF_IOVEC)
                    .order(ByteOrder.nativeOrder());
            // Only this thread uses the old array, and no call is using it now.
            if (iovecs != null) {
                NativeBuffer.free(iovecs);
            }
            iovecs = grown;
            iovecsAddress = NativeMemory.address(iovecs);
        }
        for (int i = 0; i < length; i++) {
            ByteBuffer b = buffers[offset + i];
            long base = writable
                    ? NativeMemory.writableAddress(b)
                    : NativeMemory.readableAddress(b);
            iovecs.putLong(i * SIZEOF_IOVEC + IOV_BASE, base);
            iovecs.putLong(i * SIZEOF_IOVEC + IOV_LEN, b.remaining());
        }
        return iovecsAddress;
    }

    /** The iovec array, or null before the first readv/writev (for tests). */
    ByteBuffer iovecArray() {
        return iovecs;
    }

    /**
     * Writes {@code address} at {@link #SOCKADDR} as {@link SockAddr#encode} does.
     *
     * @return the sockaddr length
     */
    int putSockaddr(String syscall, int family, InetSocketAddress address)
            throws ErrnoException {
        return SockAddr.encode(syscall, family, address, small, SOCKADDR);
    }

    /**
     * Writes {@code address} at {@link #TARGET} as a datagram destination
     * ({@link SockAddr#encodeDestination}), unless it is already there: a thread that sends to
     * the same address object again encodes and allocates nothing.
     *
     * @return the sockaddr length
     */
    int putTarget(String syscall, int family, InetSocketAddress address) throws ErrnoException {
        if (address != target || family != targetFamily) {
            target = null;
            targetLength = SockAddr.encodeDestination(syscall, family, address, small, TARGET);
            target = address;
            targetFamily = family;
        }
        return targetLength;
    }

    /**
     * Sets the {@link #MESSAGE} of one sendmsg/recvmsg: the sockaddr at {@code name} of
     * {@code namelen} bytes and one buffer, no control data.
     *
     * @return the address of the {@code struct msghdr}
     */
    long message(long name, int namelen, long buf, long len) {
        small.putLong(MESSAGE_IOV + IOV_BASE, buf);
        small.putLong(MESSAGE_IOV + IOV_LEN, len);
        small.putLong(MESSAGE + MSG_NAME, name);
        small.putInt(MESSAGE + MSG_NAMELEN, namelen);
        small.putLong(MESSAGE + MSG_IOV, address + MESSAGE_IOV);
        small.putLong(MESSAGE + MSG_IOVLEN, 1);
        small.putLong(MESSAGE + MSG_CONTROL, 0);
        small.putLong(MESSAGE + MSG_CONTROLLEN, 0);
        small.putInt(MESSAGE + MSG_FLAGS, 0);
        return address + MESSAGE;
    }

    /** The sockaddr length recvmsg left in {@link #MESSAGE}. */
    int messageNameLength() {
        return small.getInt(MESSAGE + MSG_NAMELEN);
    }

    /** Declares all of {@link #SOCKADDR} in {@link #SOCKLEN}, for a call to fill it. */
    void offerSockaddr() {
        small.putInt(SOCKLEN, SockAddr.SIZEOF_SOCKADDR_STORAGE);
    }

    /** The sockaddr a call left at {@link #SOCKADDR}, its length at {@link #SOCKLEN}. */
    InetSocketAddress sockaddr() {
        // The kernel reports the full length even where it had to truncate.
        int length = Math.min(small.getInt(SOCKLEN), SockAddr.SIZEOF_SOCKADDR_STORAGE);
        return SockAddr.decode(small, SOCKADDR, length);
    }

    /** Sets {@code struct pollfd} {@code i} of {@link #POLLFDS}, with no returned events. */
    void putPollfd(int i, int fd, int events) {
        int at = POLLFDS + i * SIZEOF_POLLFD;
        small.putInt(at + POLLFD_FD, fd);
        small.putShort(at + POLLFD_EVENTS, (short) events);
        small.putShort(at + POLLFD_REVENTS, (short) 0);
    }

    /** The events poll returned for {@code struct pollfd} {@code i}. */
    int revents(int i) {
        return small.getShort(POLLFDS + i * SIZEOF_POLLFD + POLLFD_REVENTS) & 0xffff;
    }

    /** Sets the {@link #EPOLL_EVENT}: {@code events}, with {@code fd} as its data. */
    void putEpollEvent(int events, int fd) {
        small.putInt(EPOLL_EVENT, events);
        small.putLong(EPOLL_EVENT + EpollEventBuffer.DATA_OFFSET, fd);
    }

    /** The {@code int[2]} pipe2 or socketpair wrote at {@link #VALUE}. */
    int[] fdPair() {
        return new int[] {small.getInt(VALUE), small.getInt(VALUE + Integer.BYTES)};
    }
}
