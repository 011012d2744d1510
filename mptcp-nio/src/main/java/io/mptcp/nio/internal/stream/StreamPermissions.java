package io.mptcp.nio.internal.stream;

import io.mptcp.nio.internal.net.SecurityChecks;

import java.net.InetSocketAddress;
import java.net.SocketAddress;

/**
 * The security manager's checks of the stream channels, per address family, where the JDK's
 * {@code SocketChannelImpl} and {@code ServerSocketChannelImpl} make them (see
 * {@link SecurityChecks}): INET sockets check {@code SocketPermission}s, UNIX-domain ones
 * {@code NetPermission accessUnixDomainSocket}.
 */
final class StreamPermissions {
    private StreamPermissions() {
    }

    /** Before a connect, once the address is known to be of the family's kind. */
    static void checkConnect(StreamFamily family, SocketAddress remote) {
        if (family instanceof InetStreamFamily inet) {
            SecurityChecks.checkConnect(remote, inet.af());
        } else {
            SecurityChecks.checkUnixDomain();
        }
    }

    /** Before a bind of a client or a listener. */
    static void checkBind(StreamFamily family, SocketAddress local) {
        if (family instanceof InetStreamFamily) {
            SecurityChecks.checkListen(local);
        } else {
            SecurityChecks.checkUnixDomain();
        }
    }

    /** Before accept4: a UNIX-domain listener needs the permission to accept at all. */
    static void checkAcceptAny(StreamFamily family) {
        if (family instanceof UnixStreamFamily) {
            SecurityChecks.checkUnixDomain();
        }
    }

    /** After accept4: an INET connection is checked against its peer. */
    static void checkAccepted(StreamFamily family, SocketAddress peer) {
        if (family instanceof InetStreamFamily) {
            SecurityChecks.checkAccept((InetSocketAddress) peer);
        }
    }
}
