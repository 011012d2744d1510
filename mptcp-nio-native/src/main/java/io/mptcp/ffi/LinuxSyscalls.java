package io.mptcp.ffi;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

/**
 * The Linux system calls this library uses, with Java types, behind one mockable interface.
 *
 * <p>This is the only way the rest of the library reaches the kernel. The implementation that
 * calls libc ({@link #system()}) reads errno on the calling thread right after each call and
 * turns it into an {@link ErrnoException} that names the syscall; nothing above this interface
 * sees a raw errno. The conventions:
 * <ul>
 *   <li>{@code EINTR} is retried here (a blocking wait is retried with the time that is left),
 *       except where a method says otherwise.</li>
 *   <li>{@code EAGAIN}/{@code EWOULDBLOCK} from a data or accept call is not an error: the call
 *       returns {@link IoStatus#UNAVAILABLE}.</li>
 *   <li>Every other failure throws {@link ErrnoException}.</li>
 *   <li>Buffers passed for data must be direct; the call uses the bytes between position and
 *       limit and never moves the position (callers own the NIO bookkeeping). A heap buffer,
 *       or a read-only one to be written into, is refused with
 *       {@link IllegalArgumentException}.</li>
 *   <li>File descriptors are plain ints; sockets and pipes are created non-blocking and
 *       close-on-exec by their callers through the flags they pass.</li>
 * </ul>
 */
public interface LinuxSyscalls {

    /**
     * The libc-backed implementation, loaded on first use.
     *
     * @throws NativeUnavailableException if native access cannot be set up here (jffi could not
     *     load its stub, not Linux, unsupported architecture); the message says what to fix
     */
    static LinuxSyscalls system() throws NativeUnavailableException {
        return NativeLoader.syscalls();
    }


    // ---- sockets ------------------------------------------------------------------------

    /** socket(2); {@code type} carries {@code SOCK_NONBLOCK|SOCK_CLOEXEC} as the caller wants. */
    int socket(int domain, int type, int protocol) throws ErrnoException;

    /** socketpair(2); returns the two descriptors. */
    int[] socketpair(int domain, int type, int protocol) throws ErrnoException;

    /**
     * bind(2) of an INET socket of {@code family} ({@code AF_INET} or {@code AF_INET6}). On an
     * {@code AF_INET6} socket an IPv4 address is bound IPv4-mapped, and the IPv4 wildcard as
     * {@code ::} (as the JDK does); an IPv6 address on an {@code AF_INET} socket fails with
     * {@code EAFNOSUPPORT}, as the kernel reports it. An unresolved address is refused with
     * {@link IllegalArgumentException}.
     */
    void bind(int fd, int family, InetSocketAddress local) throws ErrnoException;

    /** listen(2). */
    void listen(int fd, int backlog) throws ErrnoException;

    /**
     * accept4(2) without reading the peer address. A connection aborted before it was
     * accepted ({@code ECONNABORTED}) is skipped, as the JDK does.
     *
     * @return the new descriptor, or {@link IoStatus#UNAVAILABLE} when none is pending
     */
    int accept4(int fd, int flags) throws ErrnoException;

    /**
     * One connection accept4(2) returned: its descriptor, and the peer's address as the call
     * itself reported it.
     *
     * @param <A> the address: {@link InetSocketAddress}, or a UNIX path's bytes
     */
    record Accepted<A>(int fd, A peer) {
    }

    /**
     * accept4(2) of an INET listener, with the peer's address from the call itself, as the
     * JDK takes it. A connection reset while it waited in the backlog is still accepted with
     * its address (the kernel reads it for accept even from a closed socket, where
     * getpeername fails with {@code ENOTCONN}); its first read reports the reset.
     * {@code ECONNABORTED} is skipped. An IPv4-mapped IPv6 address comes back as IPv4.
     *
     * @return the connection, or null when none is pending
     */
    Accepted<InetSocketAddress> acceptInet(int fd, int flags) throws ErrnoException;

    /**
     * accept4(2) of a UNIX listener, with the peer's {@code sun_path} bytes from the call
     * itself (empty for an unnamed peer), as for {@link #acceptInet}.
     *
     * @return the connection, or null when none is pending
     */
    Accepted<byte[]> acceptUnix(int fd, int flags) throws ErrnoException;

    /**
     * connect(2) of an INET socket of {@code family}; addresses map as for {@link #bind}.
     *
     * @return {@code true} if connected at once, {@code false} if the connection is in progress
     *     ({@code EINPROGRESS}, or {@code EINTR}, after which it also goes on asynchronously)
     */
    boolean connect(int fd, int family, InetSocketAddress remote) throws ErrnoException;

    /** getsockname(2) of an INET socket; an IPv4-mapped IPv6 address comes back as IPv4. */
    InetSocketAddress getsockname(int fd) throws ErrnoException;

    /** getpeername(2) of an INET socket; an IPv4-mapped IPv6 address comes back as IPv4. */
    InetSocketAddress getpeername(int fd) throws ErrnoException;

    /** shutdown(2); {@code how} is {@code SHUT_RD}, {@code SHUT_WR} or {@code SHUT_RDWR}. */
    void shutdown(int fd, int how) throws ErrnoException;

    /** getsockopt(2) of an int-valued option. */
    int getsockoptInt(int fd, int level, int optname) throws ErrnoException;

    /** setsockopt(2) of an int-valued option. */
    void setsockoptInt(int fd, int level, int optname, int value) throws ErrnoException;

    /**
     * getsockopt(2) into {@code value} (direct; position to limit is the option buffer).
     * {@code MPTCP_FULL_INFO} is refused with {@link IllegalArgumentException}: its buffer
     * carries user pointers, which only {@link #getsockoptMptcpFullInfo} can set.
     *
     * @return the option length the kernel wrote back
     */
    int getsockopt(int fd, int level, int optname, ByteBuffer value) throws ErrnoException;

    /**
     * getsockopt(2) of {@code SOL_MPTCP}/{@code MPTCP_FULL_INFO} (Linux 6.5): {@code info} holds
     * a request prepared with {@link StructMptcpFullInfo#prepare}; this call points it at
     * {@code subflowInfo} and {@code tcpInfo} (direct, writable; filled from their positions)
     * and the kernel writes into all three.
     *
     * @return the option length the kernel wrote back (40 + the {@code mptcp_info} bytes)
     * @throws IllegalArgumentException if {@code info} has fewer than 40 bytes remaining or an
     *     array has less room than the request's entry count times its entry size: the kernel
     *     would write past it
     */
    int getsockoptMptcpFullInfo(int fd, ByteBuffer info, ByteBuffer subflowInfo,
            ByteBuffer tcpInfo) throws ErrnoException;

    /** setsockopt(2) from {@code value} (direct; position to limit is the option value). */
    void setsockopt(int fd, int level, int optname, ByteBuffer value) throws ErrnoException;


    // ---- data ---------------------------------------------------------------------------

    /**
     * read(2) into {@code dst} (direct) at its position, at most {@code dst.remaining()} bytes.
     *
     * @return bytes read, 0 at end of stream, or {@link IoStatus#UNAVAILABLE}
     */
    int read(int fd, ByteBuffer dst) throws ErrnoException;

    /**
     * write(2) from {@code src} (direct) at its position.
     *
     * @return bytes written, or {@link IoStatus#UNAVAILABLE}
     */
    int write(int fd, ByteBuffer src) throws ErrnoException;

    /**
     * readv(2) into {@code dsts[offset .. offset+length)} (all direct; {@code length} at most
     * {@link LinuxUapi#IOV_MAX}, else {@link IllegalArgumentException}).
     *
     * @return bytes read, 0 at end of stream, or {@link IoStatus#UNAVAILABLE}
     */
    long readv(int fd, ByteBuffer[] dsts, int offset, int length) throws ErrnoException;

    /**
     * writev(2) from {@code srcs[offset .. offset+length)} (all direct; {@code length} at most
     * {@link LinuxUapi#IOV_MAX}, else {@link IllegalArgumentException}).
     *
     * @return bytes written, or {@link IoStatus#UNAVAILABLE}
     */
    long writev(int fd, ByteBuffer[] srcs, int offset, int length) throws ErrnoException;

    /**
     * send(2) from {@code src} (direct) with {@code flags} (e.g. {@code MSG_OOB}).
     *
     * @return bytes sent, or {@link IoStatus#UNAVAILABLE}
     */
    int send(int fd, ByteBuffer src, int flags) throws ErrnoException;

    /**
     * Whether a stream socket has data to read, without taking it and without waiting:
     * recv(2) of one byte with {@code MSG_PEEK | MSG_DONTWAIT}.
     *
     * @return 1 if data is queued, 0 at end of stream, or {@link IoStatus#UNAVAILABLE} if
     *     nothing is queued now
     */
    int peek(int fd) throws ErrnoException;

    /**
     * recv(2) into {@code dst} (direct) at its position with {@code flags} (e.g.
     * {@code MSG_PEEK | MSG_DONTWAIT}); the position is left as it was.
     *
     * @return bytes received, 0 at end of stream, or {@link IoStatus#UNAVAILABLE}
     */
    int recv(int fd, ByteBuffer dst, int flags) throws ErrnoException;

    /** ioctl(FIONREAD): bytes that can be read without blocking. */
    int available(int fd) throws ErrnoException;

    /**
     * close(2). {@code EINTR} is neither retried nor reported: Linux has released the
     * descriptor anyway, and a retry could close a descriptor another thread just opened.
     */
    void close(int fd) throws ErrnoException;

    /** fcntl(2) {@code F_SETFL} toggling {@code O_NONBLOCK}. */
    void setBlocking(int fd, boolean blocking) throws ErrnoException;

    /** pipe2(2); returns {read end, write end}. */
    int[] pipe2(int flags) throws ErrnoException;

    /**
     * dup3(2): makes {@code newfd} refer to the open file of {@code oldfd}, closing what
     * {@code newfd} referred to, atomically. {@code EINTR} is retried ({@code EBUSY}, a race
     * with a concurrent open, is reported).
     */
    void dup3(int oldfd, int newfd, int flags) throws ErrnoException;

    /** open(2) of {@code path} (no {@code O_CREAT}); returns the descriptor. */
    int open(String path, int flags) throws ErrnoException;

    /**
     * setns(2): moves the <em>calling thread</em> into the namespace {@code fd} refers to;
     * {@code nstype} is a {@code CLONE_NEW*} constant or 0.
     */
    void setns(int fd, int nstype) throws ErrnoException;


    // ---- waiting ------------------------------------------------------------------------

    /**
     * poll(2) on {@code fd} for {@code events}, and on {@code wakeupFd} for {@code POLLIN} when
     * it is not negative (a per-channel eventfd that close() signals).
     *
     * @param timeoutMillis negative to wait forever
     * @return the revents of {@code fd}, or 0 when the wait timed out, was woken through
     *     {@code wakeupFd}, or was interrupted by a signal (not retried: callers re-check
     *     their state and wait again)
     */
    int poll(int fd, int events, int wakeupFd, int timeoutMillis) throws ErrnoException;

    /** epoll_create1(EPOLL_CLOEXEC). */
    int epollCreate() throws ErrnoException;

    /** epoll_ctl(2); the event's data is {@code fd} itself. */
    void epollCtl(int epfd, int op, int fd, int events) throws ErrnoException;

    /**
     * epoll_wait(2) into {@code events}; {@code EINTR} is retried with the time left.
     *
     * @param timeoutMillis negative to wait forever, 0 to poll
     * @return the number of ready events, 0 only when the timeout expired
     * @throws IllegalStateException if {@code events} is closed
     */
    int epollWait(int epfd, EpollEventBuffer events, int timeoutMillis) throws ErrnoException;

    /** eventfd(2). */
    int eventfd(int initval, int flags) throws ErrnoException;

    /** Adds {@code value} to an eventfd counter; a full (non-blocking) counter is not an error. */
    void eventfdWrite(int fd, long value) throws ErrnoException;

    /** Reads and resets a non-blocking eventfd counter; 0 when it was not signalled. */
    long eventfdRead(int fd) throws ErrnoException;


    // ---- unix domain --------------------------------------------------------------------

    /**
     * The longest UNIX-domain socket path, in bytes, that the {@code *Unix} calls accept: 106,
     * the JDK's limit ({@code sun_path} less a leading and a trailing NUL).
     */
    int UNIX_PATH_MAX_BYTES = SockAddrUn.MAX_PATH_BYTES;

    /**
     * bind(2) of an {@code AF_UNIX} socket to the pathname {@code path} (its bytes, without a
     * terminating NUL).
     *
     * @throws IllegalArgumentException if {@code path} is longer than
     *     {@link #UNIX_PATH_MAX_BYTES} or holds a NUL byte
     */
    void bindUnix(int fd, byte[] path) throws ErrnoException;

    /**
     * connect(2) of an {@code AF_UNIX} socket to the pathname {@code path}. A non-blocking
     * socket whose listener's backlog is full fails with {@code EAGAIN} (thrown, not
     * {@link IoStatus#UNAVAILABLE}: it is no data call and nothing is in progress).
     *
     * @return {@code true} once connected; {@code false} only after {@code EINTR} on a
     *     blocking socket, after which the connection may still complete
     * @throws IllegalArgumentException as {@link #bindUnix}
     */
    boolean connectUnix(int fd, byte[] path) throws ErrnoException;

    /**
     * getsockname(2) of an {@code AF_UNIX} socket: the bytes of its pathname, empty when it is
     * unnamed (or in the abstract namespace, which the JDK cannot name either).
     */
    byte[] getsocknameUnix(int fd) throws ErrnoException;

    /** getpeername(2) of an {@code AF_UNIX} socket, read as {@link #getsocknameUnix}. */
    byte[] getpeernameUnix(int fd) throws ErrnoException;

    /**
     * getpwuid_r(3): the bytes of the login name of user {@code uid} (through NSS, as
     * {@code ls -l} resolves it), or null when the user database has no entry for it.
     */
    byte[] userName(int uid) throws ErrnoException;

    /** getgrgid_r(3): the bytes of the name of group {@code gid}, or null without an entry. */
    byte[] groupName(int gid) throws ErrnoException;


    // ---- inherited descriptors ------------------------------------------------------------

    /** fcntl(2) {@code F_DUPFD_CLOEXEC}: a close-on-exec duplicate of {@code fd}. */
    int dup(int fd) throws ErrnoException;

    // ---- datagrams ----------------------------------------------------------------------

    /**
     * sendto(2) of one datagram from {@code src} (direct) to {@code target} on a socket of
     * {@code family}. The sockaddr is written as for {@link #connect}, except that on an
     * {@code AF_INET6} socket the IPv4 wildcard stays IPv4-mapped (as the JDK sends it). It
     * is encoded into thread scratch memory once per target object: sending to the same
     * {@link InetSocketAddress} again allocates nothing. Made with sendmsg(2), which
     * failures name.
     *
     * @return bytes sent (the whole datagram), or {@link IoStatus#UNAVAILABLE}
     */
    int sendto(int fd, ByteBuffer src, int flags, int family, InetSocketAddress target)
            throws ErrnoException;

    /**
     * recvfrom(2) of one datagram into {@code dst} (direct) at its position; a datagram
     * longer than {@code dst.remaining()} is truncated (the rest is discarded, as the kernel
     * does). The sender's sockaddr lands in thread scratch memory and is handed to
     * {@code sender}, which decodes it only when it differs from the previous one. Made with
     * recvmsg(2), which failures name.
     *
     * @return bytes stored (0 for an empty datagram: no end-of-stream here), or
     *     {@link IoStatus#UNAVAILABLE}; {@code sender} is updated only for a datagram
     */
    int recvfrom(int fd, ByteBuffer dst, int flags, SenderAddress sender) throws ErrnoException;

    /**
     * connect(2) with an {@code AF_UNSPEC} address: dissolves a datagram socket's association
     * with its peer. Linux also resets the local port to 0 unless it was bound explicitly to a
     * non-zero port, and the local address to the wildcard unless it was bound to one.
     */
    void disconnect(int fd) throws ErrnoException;


    // ---- file transfer ------------------------------------------------------------------

    /**
     * sendfile(2): sends up to {@code count} bytes of the file {@code inFd} from
     * {@code offset} to {@code outFd}, without copying them through user space. The file's own
     * position does not move. One call sends at most 1 GiB (the kernel's own limit is just
     * under 2 GiB), so any {@code count} is accepted.
     *
     * @return bytes sent, 0 at end of file (or when {@code count} is 0), or
     *     {@link IoStatus#UNAVAILABLE} when {@code outFd} is non-blocking and full
     */
    long sendfile(int outFd, int inFd, long offset, long count) throws ErrnoException;


    // ---- netlink --------------------------------------------------------------------------
    // Open a netlink socket with socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK,
    // NetlinkUapi.NETLINK_GENERIC, NETLINK_ROUTE or NETLINK_SOCK_DIAG); set its SOL_NETLINK
    // options (membership, NETLINK_EXT_ACK, NETLINK_CAP_ACK) and SO_RCVBUF(FORCE) with
    // setsockoptInt.

    /**
     * bind(2) of a netlink socket to {@code struct sockaddr_nl} {@code {pid, groups}}. Pass
     * {@code pid} 0 to have the kernel assign a unique port ID (read it with
     * {@link #getsocknameNetlink}); {@code groups} is the legacy mask of multicast groups 1..32
     * (0 here, and join groups with {@code NETLINK_ADD_MEMBERSHIP}).
     */
    void bindNetlink(int fd, int pid, int groups) throws ErrnoException;

    /**
     * getsockname(2) of a netlink socket: its port ID ({@code nl_pid}), which the kernel puts
     * into the {@code nlmsg_pid} of its replies to this socket.
     *
     * @throws ErrnoException {@code EAFNOSUPPORT} (as {@code "getsockname"}) if {@code fd} is not
     *     a netlink socket
     */
    int getsocknameNetlink(int fd) throws ErrnoException;

    /**
     * sendmsg(2) of the netlink message(s) in {@code src} (direct; position to limit, not moved)
     * to the kernel ({@code nl_pid} 0, no groups), as one datagram.
     *
     * @return bytes sent (all of them), or {@link IoStatus#UNAVAILABLE}
     */
    int sendNetlink(int fd, ByteBuffer src) throws ErrnoException;

    /**
     * recvmsg(2) of one netlink datagram into {@code dst} (direct) at its position, with
     * {@code MSG_TRUNC} added to {@code flags} (e.g. {@code MSG_PEEK}) so that the kernel
     * reports the datagram's real length.
     *
     * <p>Only the kernel speaks here: a datagram from another socket ({@code nl_pid} not 0; a
     * privileged process can send one to any port ID) is dropped and the next one received, so
     * that no process can forge path-manager events or replies.
     *
     * @return the full length of the datagram; a value larger than {@code dst.remaining()}
     *     means it was <em>truncated</em>: only {@code dst.remaining()} bytes were stored and,
     *     unless {@code MSG_PEEK} was given, the rest is lost. {@link IoStatus#UNAVAILABLE}
     *     when none is queued (non-blocking socket)
     * @throws ErrnoException with {@link Errno#ENOBUFS} ({@code "recvmsg"}) when the socket's
     *     receive queue <em>overran</em> since the last receive: the kernel dropped messages
     *     (multicast events, or replies) for it. The socket stays usable; what was lost must be
     *     recovered another way (a dump). Any other errno as usual
     */
    int recvNetlink(int fd, ByteBuffer dst, int flags) throws ErrnoException;
}
