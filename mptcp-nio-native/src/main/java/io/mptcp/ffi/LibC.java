package io.mptcp.ffi;

import jnr.ffi.LibraryLoader;
import jnr.ffi.Platform;
import jnr.ffi.types.size_t;
import jnr.ffi.types.ssize_t;
import jnr.ffi.types.u_int32_t;
import jnr.ffi.types.u_int64_t;

/**
 * The libc functions this library calls, bound by jnr-ffi. Only {@link JnrLinuxSyscalls} calls
 * them.
 *
 * <p>The functions sit in a nested <em>public</em> interface because jnr-ffi defines its
 * generated implementation in a class loader of its own, and a class there may only implement a
 * public interface; the package-private enclosing class keeps it out of reach of other packages.
 */
final class LibC {
    private LibC() {
    }

    /** Binds {@link Functions} to the C library of this platform (glibc or musl). */
    static Functions load() {
        return LibraryLoader.create(Functions.class)
                .load(Platform.getNativePlatform().getStandardCLibraryName());
    }

    /**
     * The functions, in C names and C argument order.
     *
     * <p>Every memory argument is a {@code long} address of native memory the caller owns (a
     * direct buffer or thread scratch), never a Java object: with only integer arguments jnr-ffi
     * compiles a direct stub that marshals nothing and allocates nothing per call. Each function
     * returns -1 and sets errno on failure; jnr-ffi saves errno after every call for
     * {@code LastError.getLastError}. {@code fcntl} and {@code ioctl} are variadic in C and are
     * declared with the one argument they get here; the LP64 calling conventions of x86-64 and
     * aarch64 Linux pass it like a fixed argument.
     */
    public interface Functions {
        int socket(int domain, int type, int protocol);

        /** {@code sv}: {@code int[2]}. */
        int socketpair(int domain, int type, int protocol, long sv);

        int bind(int sockfd, long addr, int addrlen);

        int listen(int sockfd, int backlog);

        /** {@code addr} and {@code addrlen} may be 0 (NULL). */
        int accept4(int sockfd, long addr, long addrlen, int flags);

        int connect(int sockfd, long addr, int addrlen);

        /** {@code addrlen}: {@code socklen_t *}, in: room at {@code addr}, out: sockaddr length. */
        int getsockname(int sockfd, long addr, long addrlen);

        int getpeername(int sockfd, long addr, long addrlen);

        int shutdown(int sockfd, int how);

        /** {@code optlen}: {@code socklen_t *}, in: room at {@code optval}, out: bytes written. */
        int getsockopt(int sockfd, int level, int optname, long optval, long optlen);

        int setsockopt(int sockfd, int level, int optname, long optval, int optlen);

        @ssize_t
        long read(int fd, long buf, @size_t long count);

        @ssize_t
        long write(int fd, long buf, @size_t long count);

        /** {@code iov}: {@code struct iovec[iovcnt]}. */
        @ssize_t
        long readv(int fd, long iov, int iovcnt);

        @ssize_t
        long writev(int fd, long iov, int iovcnt);

        @ssize_t
        long send(int sockfd, long buf, @size_t long len, int flags);

        @ssize_t
        long recv(int sockfd, long buf, @size_t long len, int flags);

        int ioctl(int fd, @u_int64_t long request, long argp);

        int close(int fd);

        int fcntl(int fd, int cmd, int arg);

        /** {@code pipefd}: {@code int[2]}. */
        int pipe2(long pipefd, int flags);

        /** {@code fds}: {@code struct pollfd[nfds]}. */
        int poll(long fds, @u_int64_t long nfds, int timeout);

        int epoll_create1(int flags);

        /** {@code event}: one {@code struct epoll_event}. */
        int epoll_ctl(int epfd, int op, int fd, long event);

        /** {@code events}: {@code struct epoll_event[maxevents]}. */
        int epoll_wait(int epfd, long events, int maxevents, int timeout);

        int eventfd(@u_int32_t int initval, int flags);

        int dup3(int oldfd, int newfd, int flags);

        /** {@code pathname}: a NUL-terminated string. */
        int open(long pathname, int flags);

        int setns(int fd, int nstype);


        // ---- unix domain and inherited descriptors

        /**
         * {@code pwd}: a {@code struct passwd}; {@code buf}: room for its strings;
         * {@code result}: a {@code struct passwd *}, set to {@code pwd} or NULL. Returns 0 or
         * an errno value (errno itself is not used).
         */
        int getpwuid_r(@u_int32_t int uid, long pwd, long buf, @size_t long buflen, long result);

        /** As {@link #getpwuid_r}, for a {@code struct group}. */
        int getgrgid_r(@u_int32_t int gid, long grp, long buf, @size_t long buflen, long result);

        // ---- datagrams: sendto/recvfrom go through these because jffi passes the sixth
        // argument of a call wrongly (even mmap(..., offset 0) fails with EINVAL), and
        // sendto/recvfrom have six.

        /** {@code msg}: one {@code struct msghdr}. */
        @ssize_t
        long sendmsg(int sockfd, long msg, int flags);

        /** {@code msg}: one {@code struct msghdr}; the kernel updates its name length. */
        @ssize_t
        long recvmsg(int sockfd, long msg, int flags);


        // ---- file transfer (sendfile) ----

        /** {@code offset}: {@code off_t *}, in: where to read {@code in_fd}, out: past it. */
        @ssize_t
        long sendfile(int out_fd, int in_fd, long offset, @size_t long count);
    }
}
