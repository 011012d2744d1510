package io.mptcp.ffi;

import static io.mptcp.ffi.Errno.EAGAIN;
import static io.mptcp.ffi.Errno.ECONNABORTED;
import static io.mptcp.ffi.Errno.EINPROGRESS;
import static io.mptcp.ffi.Errno.EBADF;
import static io.mptcp.ffi.Errno.EINTR;
import static io.mptcp.ffi.Errno.ENOENT;
import static io.mptcp.ffi.Errno.EPERM;
import static io.mptcp.ffi.Errno.ERANGE;
import static io.mptcp.ffi.Errno.ESRCH;

import java.lang.ref.Reference;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

import jnr.ffi.LastError;
import jnr.ffi.Runtime;

/**
 * {@link LinuxSyscalls} over libc through jnr-ffi: the only class that calls {@link LibC} and
 * reads errno.
 *
 * <p>Each method makes one libc call per attempt and, when it returns -1, reads errno at once on
 * the same thread (jnr-ffi keeps it per thread, so nothing in between can clobber it but another
 * native call, and there is none). Calls that can block retry {@code EINTR}; the others cannot
 * see it. Memory arguments point into the caller's direct buffers or into this thread's
 * {@link Scratch}, so the data and wait calls allocate nothing.
 */
final class JnrLinuxSyscalls implements LinuxSyscalls {
    private final LibC.Functions libc;
    private final Runtime runtime;

    JnrLinuxSyscalls(LibC.Functions libc) {
        this.libc = libc;
        this.runtime = Runtime.getRuntime(libc);
    }

    private int errno() {
        return LastError.getLastError(runtime);
    }

    /** The exception for the call that just returned -1. */
    private ErrnoException failure(String syscall) {
        return new ErrnoException(syscall, errno());
    }

    /**
     * After a data call returned -1: {@code true} for {@code EINTR} (call again), {@code false}
     * for {@code EAGAIN} (report {@link IoStatus#UNAVAILABLE}); any other errno is thrown.
     */
    private boolean shouldRetry(String syscall) throws ErrnoException {
        int errno = errno();
        if (errno == EINTR) {
            return true;
        }
        if (errno == EAGAIN) {
            return false;
        }
        throw new ErrnoException(syscall, errno);
    }

    private ErrnoException sockoptFailure(String call, int level, int optname) {
        int errno = errno();
        return new ErrnoException(call + "(level=" + level + ", optname=" + optname + ")", errno);
    }

    @Override
    public int socket(int domain, int type, int protocol) throws ErrnoException {
        int fd = libc.socket(domain, type, protocol);
        if (fd < 0) {
            throw failure("socket");
        }
        return fd;
    }

    @Override
    public int[] socketpair(int domain, int type, int protocol) throws ErrnoException {
        Scratch s = Scratch.get();
        if (libc.socketpair(domain, type, protocol, s.address + Scratch.VALUE) < 0) {
            throw failure("socketpair");
        }
        return s.fdPair();
    }

    @Override
    public void bind(int fd, int family, InetSocketAddress local) throws ErrnoException {
        Scratch s = Scratch.get();
        int len = s.putSockaddr("bind", family, local);
        if (libc.bind(fd, s.address + Scratch.SOCKADDR, len) < 0) {
            throw failure("bind");
        }
    }

    @Override
    public void listen(int fd, int backlog) throws ErrnoException {
        if (libc.listen(fd, backlog) < 0) {
            throw failure("listen");
        }
    }

    @Override
    public int accept4(int fd, int flags) throws ErrnoException {
        for (;;) {
            int accepted = libc.accept4(fd, 0, 0, flags);
            if (accepted >= 0) {
                return accepted;
            }
            int errno = errno();
            if (errno == EAGAIN) {
                return IoStatus.UNAVAILABLE;
            }
            if (errno != EINTR && errno != ECONNABORTED) {
                throw new ErrnoException("accept4", errno);
            }
        }
    }

    @Override
    public Accepted<InetSocketAddress> acceptInet(int fd, int flags) throws ErrnoException {
        Scratch s = Scratch.get();
        int accepted = acceptWithAddress(s, fd, flags);
        if (accepted < 0) {
            return null;
        }
        try {
            return new Accepted<>(accepted, s.sockaddr());
        } catch (RuntimeException e) {
            closeAfter(accepted, e);
            throw e;
        }
    }

    @Override
    public Accepted<byte[]> acceptUnix(int fd, int flags) throws ErrnoException {
        Scratch s = Scratch.get();
        int accepted = acceptWithAddress(s, fd, flags);
        if (accepted < 0) {
            return null;
        }
        try {
            return new Accepted<>(accepted, sockaddrUn(s));
        } catch (RuntimeException e) {
            closeAfter(accepted, e);
            throw e;
        }
    }

    /** accept4 with the peer's sockaddr left in {@code s}; {@code -1} when none is pending. */
    private int acceptWithAddress(Scratch s, int fd, int flags) throws ErrnoException {
        for (;;) {
            s.offerSockaddr();
            int accepted = libc.accept4(fd, s.address + Scratch.SOCKADDR,
                    s.address + Scratch.SOCKLEN, flags);
            if (accepted >= 0) {
                return accepted;
            }
            int errno = errno();
            if (errno == EAGAIN) {
                return -1;
            }
            if (errno != EINTR && errno != ECONNABORTED) {
                throw new ErrnoException("accept4", errno);
            }
        }
    }

    /** Closes a descriptor the caller cannot hand out because {@code failure} happened. */
    private void closeAfter(int fd, RuntimeException failure) {
        if (libc.close(fd) < 0) {
            failure.addSuppressed(failure("close"));
        }
    }

    @Override
    public boolean connect(int fd, int family, InetSocketAddress remote) throws ErrnoException {
        Scratch s = Scratch.get();
        int len = s.putSockaddr("connect", family, remote);
        if (libc.connect(fd, s.address + Scratch.SOCKADDR, len) == 0) {
            return true;
        }
        int errno = errno();
        // After EINTR the handshake goes on in the background, exactly as after EINPROGRESS.
        if (errno == EINPROGRESS || errno == EINTR) {
            return false;
        }
        throw new ErrnoException("connect", errno);
    }

    @Override
    public InetSocketAddress getsockname(int fd) throws ErrnoException {
        Scratch s = Scratch.get();
        s.offerSockaddr();
        if (libc.getsockname(fd, s.address + Scratch.SOCKADDR, s.address + Scratch.SOCKLEN) < 0) {
            throw failure("getsockname");
        }
        return s.sockaddr();
    }

    @Override
    public InetSocketAddress getpeername(int fd) throws ErrnoException {
        Scratch s = Scratch.get();
        s.offerSockaddr();
        if (libc.getpeername(fd, s.address + Scratch.SOCKADDR, s.address + Scratch.SOCKLEN) < 0) {
            throw failure("getpeername");
        }
        return s.sockaddr();
    }

    @Override
    public void shutdown(int fd, int how) throws ErrnoException {
        if (libc.shutdown(fd, how) < 0) {
            throw failure("shutdown");
        }
    }

    @Override
    public int getsockoptInt(int fd, int level, int optname) throws ErrnoException {
        Scratch s = Scratch.get();
        s.small.putInt(Scratch.VALUE, 0);
        s.small.putInt(Scratch.SOCKLEN, Integer.BYTES);
        long optval = s.address + Scratch.VALUE;
        if (libc.getsockopt(fd, level, optname, optval, s.address + Scratch.SOCKLEN) < 0) {
            throw sockoptFailure("getsockopt", level, optname);
        }
        return s.small.getInt(Scratch.VALUE);
    }

    @Override
    public void setsockoptInt(int fd, int level, int optname, int value) throws ErrnoException {
        Scratch s = Scratch.get();
        s.small.putInt(Scratch.VALUE, value);
        if (libc.setsockopt(fd, level, optname, s.address + Scratch.VALUE, Integer.BYTES) < 0) {
            throw sockoptFailure("setsockopt", level, optname);
        }
    }

    @Override
    public int getsockopt(int fd, int level, int optname, ByteBuffer value)
            throws ErrnoException {
        if (level == MptcpUapi.SOL_MPTCP && optname == MptcpUapi.MPTCP_FULL_INFO) {
            throw new IllegalArgumentException(
                    "MPTCP_FULL_INFO carries user pointers: use getsockoptMptcpFullInfo");
        }
        return getsockoptInto(fd, level, optname, value);
    }

    private int getsockoptInto(int fd, int level, int optname, ByteBuffer value)
            throws ErrnoException {
        long optval = NativeMemory.writableAddress(value);
        Scratch s = Scratch.get();
        s.small.putInt(Scratch.SOCKLEN, value.remaining());
        if (libc.getsockopt(fd, level, optname, optval, s.address + Scratch.SOCKLEN) < 0) {
            throw sockoptFailure("getsockopt", level, optname);
        }
        return s.small.getInt(Scratch.SOCKLEN);
    }

    @Override
    public int getsockoptMptcpFullInfo(int fd, ByteBuffer info, ByteBuffer subflowInfo,
            ByteBuffer tcpInfo) throws ErrnoException {
        StructMptcpFullInfo.pointAt(info, subflowInfo, tcpInfo);
        return getsockoptInto(fd, MptcpUapi.SOL_MPTCP, MptcpUapi.MPTCP_FULL_INFO, info);
    }

    @Override
    public void setsockopt(int fd, int level, int optname, ByteBuffer value)
            throws ErrnoException {
        long optval = NativeMemory.readableAddress(value);
        if (libc.setsockopt(fd, level, optname, optval, value.remaining()) < 0) {
            throw sockoptFailure("setsockopt", level, optname);
        }
    }

    @Override
    public int read(int fd, ByteBuffer dst) throws ErrnoException {
        long address = NativeMemory.writableAddress(dst);
        long n;
        do {
            n = libc.read(fd, address, dst.remaining());
        } while (n < 0 && shouldRetry("read"));
        return n < 0 ? IoStatus.UNAVAILABLE : (int) n;
    }

    @Override
    public int write(int fd, ByteBuffer src) throws ErrnoException {
        long address = NativeMemory.readableAddress(src);
        long n;
        do {
            n = libc.write(fd, address, src.remaining());
        } while (n < 0 && shouldRetry("write"));
        return n < 0 ? IoStatus.UNAVAILABLE : (int) n;
    }

    @Override
    public long readv(int fd, ByteBuffer[] dsts, int offset, int length) throws ErrnoException {
        long iov = Scratch.get().iovecs(dsts, offset, length, true);
        long n;
        do {
            n = libc.readv(fd, iov, length);
        } while (n < 0 && shouldRetry("readv"));
        return n < 0 ? IoStatus.UNAVAILABLE : n;
    }

    @Override
    public long writev(int fd, ByteBuffer[] srcs, int offset, int length) throws ErrnoException {
        long iov = Scratch.get().iovecs(srcs, offset, length, false);
        long n;
        do {
            n = libc.writev(fd, iov, length);
        } while (n < 0 && shouldRetry("writev"));
        return n < 0 ? IoStatus.UNAVAILABLE : n;
    }

    @Override
    public int send(int fd, ByteBuffer src, int flags) throws ErrnoException {
        long address = NativeMemory.readableAddress(src);
        long n;
        do {
            n = libc.send(fd, address, src.remaining(), flags);
        } while (n < 0 && shouldRetry("send"));
        return n < 0 ? IoStatus.UNAVAILABLE : (int) n;
    }

    @Override
    public int peek(int fd) throws ErrnoException {
        Scratch s = Scratch.get();
        long n;
        do {
            n = libc.recv(fd, s.address + Scratch.VALUE, 1,
                    LinuxUapi.MSG_PEEK | LinuxUapi.MSG_DONTWAIT);
        } while (n < 0 && shouldRetry("recv"));
        return n < 0 ? IoStatus.UNAVAILABLE : (int) n;
    }

    @Override
    public int recv(int fd, ByteBuffer dst, int flags) throws ErrnoException {
        long address = NativeMemory.writableAddress(dst);
        long n;
        do {
            n = libc.recv(fd, address, dst.remaining(), flags);
        } while (n < 0 && shouldRetry("recv"));
        return n < 0 ? IoStatus.UNAVAILABLE : (int) n;
    }

    @Override
    public int available(int fd) throws ErrnoException {
        Scratch s = Scratch.get();
        if (libc.ioctl(fd, LinuxUapi.FIONREAD, s.address + Scratch.VALUE) < 0) {
            throw failure("ioctl(FIONREAD)");
        }
        return s.small.getInt(Scratch.VALUE);
    }

    @Override
    public void close(int fd) throws ErrnoException {
        if (libc.close(fd) < 0) {
            int errno = errno();
            if (errno != EINTR) {
                throw new ErrnoException("close", errno);
            }
        }
    }

    @Override
    public void setBlocking(int fd, boolean blocking) throws ErrnoException {
        int flags = libc.fcntl(fd, LinuxUapi.F_GETFL, 0);
        if (flags < 0) {
            throw failure("fcntl(F_GETFL)");
        }
        int wanted = blocking ? flags & ~LinuxUapi.O_NONBLOCK : flags | LinuxUapi.O_NONBLOCK;
        if (wanted != flags && libc.fcntl(fd, LinuxUapi.F_SETFL, wanted) < 0) {
            throw failure("fcntl(F_SETFL)");
        }
    }

    @Override
    public int[] pipe2(int flags) throws ErrnoException {
        Scratch s = Scratch.get();
        if (libc.pipe2(s.address + Scratch.VALUE, flags) < 0) {
            throw failure("pipe2");
        }
        return s.fdPair();
    }

    @Override
    public void dup3(int oldfd, int newfd, int flags) throws ErrnoException {
        while (libc.dup3(oldfd, newfd, flags) < 0) {
            int errno = errno();
            if (errno != EINTR) {
                throw new ErrnoException("dup3", errno);
            }
        }
    }

    @Override
    public int open(String path, int flags) throws ErrnoException {
        byte[] bytes = path.getBytes(StandardCharsets.UTF_8);
        // Rare (namespace handles), so a buffer per call beats growing the scratch area; freed
        // at return, not left to the collector.
        ByteBuffer name = NativeBuffer.allocate(bytes.length + 1);
        try {
            name.put(bytes).put((byte) 0);
            for (;;) {
                int fd = libc.open(NativeMemory.address(name), flags);
                if (fd >= 0) {
                    return fd;
                }
                int errno = errno();
                if (errno != EINTR) {
                    throw new ErrnoException("open(" + path + ")", errno);
                }
            }
        } finally {
            NativeBuffer.free(name);
        }
    }

    @Override
    public void setns(int fd, int nstype) throws ErrnoException {
        if (libc.setns(fd, nstype) < 0) {
            throw failure("setns");
        }
    }

    @Override
    public int poll(int fd, int events, int wakeupFd, int timeoutMillis) throws ErrnoException {
        Scratch s = Scratch.get();
        s.putPollfd(0, fd, events);
        int nfds = 1;
        if (wakeupFd >= 0) {
            s.putPollfd(nfds++, wakeupFd, LinuxUapi.POLLIN);
        }
        int n = libc.poll(s.address + Scratch.POLLFDS, nfds, Math.max(timeoutMillis, -1));
        if (n < 0) {
            int errno = errno();
            if (errno == EINTR) {
                return 0;
            }
            throw new ErrnoException("poll", errno);
        }
        return s.revents(0);
    }

    @Override
    public int epollCreate() throws ErrnoException {
        int epfd = libc.epoll_create1(LinuxUapi.EPOLL_CLOEXEC);
        if (epfd < 0) {
            throw failure("epoll_create1");
        }
        return epfd;
    }

    @Override
    public void epollCtl(int epfd, int op, int fd, int events) throws ErrnoException {
        Scratch s = Scratch.get();
        s.putEpollEvent(events, fd);
        if (libc.epoll_ctl(epfd, op, fd, s.address + Scratch.EPOLL_EVENT) < 0) {
            throw failure("epoll_ctl");
        }
    }

    @Override
    public int epollWait(int epfd, EpollEventBuffer events, int timeoutMillis)
            throws ErrnoException {
        // Throws once the buffer is closed: the kernel must never write into freed memory.
        ByteBuffer memory = events.memory();
        long address = NativeMemory.address(memory);
        int capacity = events.capacity();
        int timeout = Math.max(timeoutMillis, -1);
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(Math.max(timeout, 0));
        try {
            for (;;) {
                int n = libc.epoll_wait(epfd, address, capacity, timeout);
                if (n >= 0) {
                    return n;
                }
                int errno = errno();
                if (errno != EINTR) {
                    throw new ErrnoException("epoll_wait", errno);
                }
                if (timeout > 0) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        return 0;
                    }
                    // Round up: waking a little late is fine, returning 0 early is not.
                    timeout = (int) Math.max(1, TimeUnit.NANOSECONDS.toMillis(left + 999_999));
                }
            }
        } finally {
            // Only the address goes to the kernel: the buffer must stay reachable until the
            // wait is over, or the collector could free the memory it is writing into.
            Reference.reachabilityFence(events);
            Reference.reachabilityFence(memory);
        }
    }

    @Override
    public int eventfd(int initval, int flags) throws ErrnoException {
        int fd = libc.eventfd(initval, flags);
        if (fd < 0) {
            throw failure("eventfd");
        }
        return fd;
    }

    @Override
    public void eventfdWrite(int fd, long value) throws ErrnoException {
        Scratch s = Scratch.get();
        s.small.putLong(Scratch.VALUE, value);
        long n;
        do {
            n = libc.write(fd, s.address + Scratch.VALUE, Long.BYTES);
        } while (n < 0 && shouldRetry("write"));
        // n < 0 here means EAGAIN: the counter is at its maximum, the eventfd readable already.
    }

    @Override
    public long eventfdRead(int fd) throws ErrnoException {
        Scratch s = Scratch.get();
        long n;
        do {
            n = libc.read(fd, s.address + Scratch.VALUE, Long.BYTES);
        } while (n < 0 && shouldRetry("read"));
        return n < 0 ? 0 : s.small.getLong(Scratch.VALUE);
    }


    // ---- unix domain --------------------------------------------------------------------

    @Override
    public void bindUnix(int fd, byte[] path) throws ErrnoException {
        Scratch s = Scratch.get();
        int len = SockAddrUn.encode(path, s.small, Scratch.SOCKADDR);
        if (libc.bind(fd, s.address + Scratch.SOCKADDR, len) < 0) {
            throw failure("bind");
        }
    }

    @Override
    public boolean connectUnix(int fd, byte[] path) throws ErrnoException {
        Scratch s = Scratch.get();
        int len = SockAddrUn.encode(path, s.small, Scratch.SOCKADDR);
        if (libc.connect(fd, s.address + Scratch.SOCKADDR, len) == 0) {
            return true;
        }
        int errno = errno();
        // A blocking connect interrupted by a signal goes on in the background, as on TCP.
        if (errno == EINTR || errno == EINPROGRESS) {
            return false;
        }
        throw new ErrnoException("connect", errno);
    }

    @Override
    public byte[] getsocknameUnix(int fd) throws ErrnoException {
        Scratch s = Scratch.get();
        s.offerSockaddr();
        if (libc.getsockname(fd, s.address + Scratch.SOCKADDR, s.address + Scratch.SOCKLEN) < 0) {
            throw failure("getsockname");
        }
        return sockaddrUn(s);
    }

    @Override
    public byte[] getpeernameUnix(int fd) throws ErrnoException {
        Scratch s = Scratch.get();
        s.offerSockaddr();
        if (libc.getpeername(fd, s.address + Scratch.SOCKADDR, s.address + Scratch.SOCKLEN) < 0) {
            throw failure("getpeername");
        }
        return sockaddrUn(s);
    }

    private static byte[] sockaddrUn(Scratch s) {
        int length = Math.min(s.small.getInt(Scratch.SOCKLEN), SockAddr.SIZEOF_SOCKADDR_STORAGE);
        return SockAddrUn.decode(s.small, Scratch.SOCKADDR, length);
    }

    @Override
    public byte[] userName(int uid) throws ErrnoException {
        return databaseName("getpwuid_r", uid);
    }

    @Override
    public byte[] groupName(int gid) throws ErrnoException {
        return databaseName("getgrgid_r", gid);
    }

    /**
     * The name field of the user or group entry of {@code id}. Rare (a peer's credentials), so
     * each call gets its own memory: the struct, the result pointer, then the string buffer,
     * doubled while the entry does not fit ({@code ERANGE}). Each attempt frees its memory when
     * it ends (it can reach {@link #MAX_DATABASE_BUFFER}), rather than leave it to the collector.
     */
    private byte[] databaseName(String call, int id) throws ErrnoException {
        int resultAt = StructPasswdName.SIZEOF;
        int bufAt = resultAt + Long.BYTES;
        for (int size = 1024; ; ) {
            ByteBuffer mem = NativeBuffer.allocate(bufAt + size).order(ByteOrder.nativeOrder());
            try {
                long base = NativeMemory.address(mem);
                int rc = call.equals("getpwuid_r")
                        ? libc.getpwuid_r(id, base, base + bufAt, size, base + resultAt)
                        : libc.getgrgid_r(id, base, base + bufAt, size, base + resultAt);
                if (rc == ERANGE && size < MAX_DATABASE_BUFFER) {
                    size *= 2;
                    continue;
                }
                if (rc == EINTR) {
                    continue;
                }
                if (rc != 0) {
                    // getpwuid_r(3): these mean "no such entry" on some NSS back ends.
                    if (rc == ENOENT || rc == ESRCH || rc == EBADF || rc == EPERM) {
                        return null;
                    }
                    throw new ErrnoException(call, rc);
                }
                if (mem.getLong(resultAt) == 0) {
                    return null;
                }
                long name = mem.getLong(StructPasswdName.NAME) - base;
                if (name < bufAt || name >= mem.capacity()) {
                    throw new IllegalStateException(
                            call + " returned a name outside its buffer");
                }
                int end = (int) name;
                while (end < mem.capacity() && mem.get(end) != 0) {
                    end++;
                }
                byte[] bytes = new byte[end - (int) name];
                mem.get((int) name, bytes);
                return bytes;
            } finally {
                NativeBuffer.free(mem);
            }
        }
    }

    private static final int MAX_DATABASE_BUFFER = 1 << 20;


    // ---- inherited descriptors ------------------------------------------------------------

    @Override
    public int dup(int fd) throws ErrnoException {
        int copy = libc.fcntl(fd, LinuxUapi.F_DUPFD_CLOEXEC, 0);
        if (copy < 0) {
            throw failure("fcntl(F_DUPFD_CLOEXEC)");
        }
        return copy;
    }


    // ---- datagrams ----------------------------------------------------------------------

    /** With sendmsg(2): see {@link LibC.Functions#sendmsg} for why not sendto(2). */
    @Override
    public int sendto(int fd, ByteBuffer src, int flags, int family, InetSocketAddress target)
            throws ErrnoException {
        long address = NativeMemory.readableAddress(src);
        Scratch s = Scratch.get();
        int len = s.putTarget("sendmsg", family, target);
        long msg = s.message(s.address + Scratch.TARGET, len, address, src.remaining());
        long n;
        do {
            n = libc.sendmsg(fd, msg, flags);
        } while (n < 0 && shouldRetry("sendmsg"));
        return n < 0 ? IoStatus.UNAVAILABLE : (int) n;
    }

    /** With recvmsg(2): see {@link LibC.Functions#sendmsg} for why not recvfrom(2). */
    @Override
    public int recvfrom(int fd, ByteBuffer dst, int flags, SenderAddress sender)
            throws ErrnoException {
        long address = NativeMemory.writableAddress(dst);
        Scratch s = Scratch.get();
        long n;
        do {
            s.message(s.address + Scratch.SOCKADDR, SockAddr.SIZEOF_SOCKADDR_STORAGE, address,
                    dst.remaining());
            n = libc.recvmsg(fd, s.address + Scratch.MESSAGE, flags);
        } while (n < 0 && shouldRetry("recvmsg"));
        if (n < 0) {
            return IoStatus.UNAVAILABLE;
        }
        sender.update(s.small, Scratch.SOCKADDR, s.messageNameLength());
        return (int) n;
    }

    @Override
    public void disconnect(int fd) throws ErrnoException {
        Scratch s = Scratch.get();
        // A zeroed sockaddr_in6: sa_family AF_UNSPEC (0) is all the kernel looks at.
        for (int i = 0; i < SockAddr.SIZEOF_SOCKADDR_IN6; i++) {
            s.small.put(Scratch.SOCKADDR + i, (byte) 0);
        }
        if (libc.connect(fd, s.address + Scratch.SOCKADDR, SockAddr.SIZEOF_SOCKADDR_IN6) < 0) {
            throw failure("connect(AF_UNSPEC)");
        }
    }


    // ---- file transfer ------------------------------------------------------------------

    // The kernel sends at most MAX_RW_COUNT (INT_MAX & PAGE_MASK) per call anyway, and refuses
    // with EINVAL a count that makes offset + count overflow.
    private static final long MAX_SENDFILE_COUNT = 1L << 30;

    @Override
    public long sendfile(int outFd, int inFd, long offset, long count) throws ErrnoException {
        Scratch s = Scratch.get();
        long n;
        do {
            // Written before each try: the kernel advances it only by what it sent.
            s.small.putLong(Scratch.VALUE, offset);
            n = libc.sendfile(outFd, inFd, s.address + Scratch.VALUE,
                    Math.min(count, MAX_SENDFILE_COUNT));
        } while (n < 0 && shouldRetry("sendfile"));
        return n < 0 ? IoStatus.UNAVAILABLE : n;
    }


    // ---- netlink --------------------------------------------------------------------------
    // The sockaddr_nl of each call goes into this thread's SOCKADDR area (it is scratch for one
    // call), never into TARGET, which caches the last datagram destination.

    @Override
    public void bindNetlink(int fd, int pid, int groups) throws ErrnoException {
        Scratch s = Scratch.get();
        StructSockaddrNl.put(s.small, Scratch.SOCKADDR, pid, groups);
        if (libc.bind(fd, s.address + Scratch.SOCKADDR, StructSockaddrNl.SIZEOF) < 0) {
            throw failure("bind");
        }
    }

    @Override
    public int getsocknameNetlink(int fd) throws ErrnoException {
        Scratch s = Scratch.get();
        s.offerSockaddr();
        if (libc.getsockname(fd, s.address + Scratch.SOCKADDR, s.address + Scratch.SOCKLEN) < 0) {
            throw failure("getsockname");
        }
        if (s.small.getInt(Scratch.SOCKLEN) < StructSockaddrNl.SIZEOF
                || StructSockaddrNl.family(s.small, Scratch.SOCKADDR) != LinuxUapi.AF_NETLINK) {
            throw new ErrnoException("getsockname", Errno.EAFNOSUPPORT);
        }
        return StructSockaddrNl.pid(s.small, Scratch.SOCKADDR);
    }

    @Override
    public int sendNetlink(int fd, ByteBuffer src) throws ErrnoException {
        long address = NativeMemory.readableAddress(src);
        Scratch s = Scratch.get();
        long n;
        do {
            StructSockaddrNl.put(s.small, Scratch.SOCKADDR, 0, 0);
            long msg = s.message(s.address + Scratch.SOCKADDR, StructSockaddrNl.SIZEOF, address,
                    src.remaining());
            n = libc.sendmsg(fd, msg, 0);
        } while (n < 0 && shouldRetry("sendmsg"));
        return n < 0 ? IoStatus.UNAVAILABLE : (int) n;
    }

    @Override
    public int recvNetlink(int fd, ByteBuffer dst, int flags) throws ErrnoException {
        long address = NativeMemory.writableAddress(dst);
        Scratch s = Scratch.get();
        for (;;) {
            // Rewritten before each try: recvmsg updates the name length and flags.
            long msg = s.message(s.address + Scratch.SOCKADDR, StructSockaddrNl.SIZEOF, address,
                    dst.remaining());
            long n = libc.recvmsg(fd, msg, flags | LinuxUapi.MSG_TRUNC);
            if (n < 0) {
                // ENOBUFS (overrun) is thrown by shouldRetry like any errno but EINTR/EAGAIN.
                if (shouldRetry("recvmsg")) {
                    continue;
                }
                return IoStatus.UNAVAILABLE;
            }
            if (StructSockaddrNl.pid(s.small, Scratch.SOCKADDR) == 0) {
                return (int) Math.min(n, Integer.MAX_VALUE);
            }
            if ((flags & LinuxUapi.MSG_PEEK) != 0) {
                // Peeking would see the forged datagram forever: take it off the queue.
                s.message(s.address + Scratch.SOCKADDR, StructSockaddrNl.SIZEOF, address, 0);
                libc.recvmsg(fd, s.address + Scratch.MESSAGE, LinuxUapi.MSG_DONTWAIT);
            }
        }
    }
}
