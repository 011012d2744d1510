package io.mptcp.nio.internal.stream;

import io.mptcp.ffi.ErrnoException;
import io.mptcp.ffi.LinuxSyscalls;
import io.mptcp.ffi.LinuxUapi;
import io.mptcp.nio.internal.fd.NioExceptions;
import io.mptcp.nio.internal.net.Net;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;

/**
 * INET and INET6 stream sockets: {@link InetSocketAddress}es, the wildcard address when none
 * is given, a wildcard remote meaning loopback, IPv4 addresses IPv4-mapped on a dual-stack
 * socket (all as the JDK's {@code Net}).
 *
 * @param af {@code AF_INET} or {@code AF_INET6}: the socket's family, which decides what
 *     addresses it takes
 */
record InetStreamFamily(int af) implements StreamFamily {

    InetStreamFamily {
        if (af != LinuxUapi.AF_INET && af != LinuxUapi.AF_INET6) {
            throw new IllegalArgumentException("not an INET family: " + af);
        }
    }

    @Override
    public SocketAddress checkRemote(SocketAddress remote) {
        return Net.checkRemote(remote, af);
    }

    @Override
    public SocketAddress bind(LinuxSyscalls sys, int fd, SocketAddress local) throws IOException {
        InetSocketAddress isa = local == null ? Net.anyLocal(af) : Net.checkAddress(local, af);
        try {
            sys.bind(fd, af, isa);
            return sys.getsockname(fd);
        } catch (ErrnoException e) {
            throw NioExceptions.socket(e);
        }
    }

    @Override
    public SocketAddress bindListener(LinuxSyscalls sys, int fd, SocketAddress local,
            int backlog) throws IOException {
        InetSocketAddress isa = local == null ? Net.anyLocal(af) : Net.checkAddress(local, af);
        try {
            sys.bind(fd, af, isa);
            sys.listen(fd, backlog < 1 ? ListeningSocket.DEFAULT_BACKLOG : backlog);
            return sys.getsockname(fd);
        } catch (ErrnoException e) {
            throw NioExceptions.socket(e);
        }
    }

    @Override
    public ConnectResult connect(LinuxSyscalls sys, int fd, SocketAddress remote)
            throws IOException {
        try {
            return sys.connect(fd, af, (InetSocketAddress) remote)
                    ? ConnectResult.CONNECTED : ConnectResult.IN_PROGRESS;
        } catch (ErrnoException e) {
            throw NioExceptions.socket(e);
        }
    }

    @Override
    public InetSocketAddress localAddress(LinuxSyscalls sys, int fd) throws ErrnoException {
        return sys.getsockname(fd);
    }

    @Override
    public LinuxSyscalls.Accepted<InetSocketAddress> accept(LinuxSyscalls sys, int fd,
            int flags) throws ErrnoException {
        return sys.acceptInet(fd, flags);
    }
}
