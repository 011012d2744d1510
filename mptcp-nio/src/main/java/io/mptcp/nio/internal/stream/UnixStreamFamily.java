package io.mptcp.nio.internal.stream;

import io.mptcp.ffi.Errno;
import io.mptcp.ffi.ErrnoException;
import io.mptcp.ffi.LinuxSyscalls;
import io.mptcp.nio.internal.fd.NioExceptions;
import io.mptcp.nio.internal.net.UnixDomainNames;

import java.io.IOException;
import java.net.BindException;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Path;

/**
 * UNIX-domain stream sockets, as the JDK's {@code UnixDomainSockets} and the UNIX branches of
 * its socket channels: {@link UnixDomainSocketAddress}es; a client bound to {@code null} or to
 * the empty path stays unnamed (no syscall); a server bound to {@code null} gets a fresh name
 * in the temporary directory (and, as in the JDK, the socket file stays when the channel is
 * closed: deleting it is the application's business); a server cannot bind the empty path.
 */
enum UnixStreamFamily implements StreamFamily {
    INSTANCE;

    /** How many automatic names a server bound to null tries, as the JDK. */
    private static final int TEMP_NAME_ATTEMPTS = 10;

    @Override
    public SocketAddress checkRemote(SocketAddress remote) {
        return UnixDomainNames.checkAddress(remote);
    }

    @Override
    public SocketAddress bind(LinuxSyscalls sys, int fd, SocketAddress local) throws IOException {
        if (local == null) {
            return UnixDomainNames.unnamed();
        }
        Path path = UnixDomainNames.checkAddress(local).getPath();
        if (path.toString().isEmpty()) {
            return UnixDomainNames.unnamed();
        }
        bindPath(sys, fd, path);
        return localAddress(sys, fd);
    }

    @Override
    public SocketAddress bindListener(LinuxSyscalls sys, int fd, SocketAddress local,
            int backlog) throws IOException {
        if (local == null) {
            bindTemporaryName(sys, fd);
        } else {
            Path path = UnixDomainNames.checkAddress(local).getPath();
            if (path.toString().isEmpty()) {
                throw new BindException("Server socket cannot bind to unnamed address");
            }
            bindPath(sys, fd, path);
        }
        try {
            sys.listen(fd, backlog < 1 ? ListeningSocket.DEFAULT_BACKLOG : backlog);
            return localAddress(sys, fd);
        } catch (ErrnoException e) {
            throw NioExceptions.socket(e);
        }
    }

    private static void bindTemporaryName(LinuxSyscalls sys, int fd) throws IOException {
        BindException last = null;
        for (int attempt = 0; attempt < TEMP_NAME_ATTEMPTS; attempt++) {
            try {
                bindPath(sys, fd, UnixDomainNames.temporaryName().getPath());
                return;
            } catch (BindException e) {
                last = e;
            }
        }
        BindException x = new BindException("Could not bind to temporary name");
        x.initCause(last);
        throw x;
    }

    private static void bindPath(LinuxSyscalls sys, int fd, Path path) throws IOException {
        try {
            sys.bindUnix(fd, UnixDomainNames.pathBytes(path));
        } catch (ErrnoException e) {
            throw NioExceptions.socket(e);
        }
    }

    @Override
    public ConnectResult connect(LinuxSyscalls sys, int fd, SocketAddress remote)
            throws IOException {
        byte[] path = UnixDomainNames.pathBytes(((UnixDomainSocketAddress) remote).getPath());
        try {
            return sys.connectUnix(fd, path) ? ConnectResult.CONNECTED : ConnectResult.IN_PROGRESS;
        } catch (ErrnoException e) {
            if (e.errno() == Errno.EAGAIN) {
                return ConnectResult.BACKLOG_FULL;
            }
            throw NioExceptions.socket(e);
        }
    }

    @Override
    public UnixDomainSocketAddress localAddress(LinuxSyscalls sys, int fd)
            throws ErrnoException {
        return UnixDomainNames.address(sys.getsocknameUnix(fd));
    }

    @Override
    public LinuxSyscalls.Accepted<UnixDomainSocketAddress> accept(LinuxSyscalls sys, int fd,
            int flags) throws ErrnoException {
        LinuxSyscalls.Accepted<byte[]> accepted = sys.acceptUnix(fd, flags);
        return accepted == null ? null : new LinuxSyscalls.Accepted<>(accepted.fd(),
                UnixDomainNames.address(accepted.peer()));
    }
}
