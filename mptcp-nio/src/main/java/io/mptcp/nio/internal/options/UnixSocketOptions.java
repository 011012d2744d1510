package io.mptcp.nio.internal.options;

import io.mptcp.ffi.ErrnoException;
import io.mptcp.ffi.LinuxSyscalls;
import io.mptcp.ffi.LinuxUapi;
import io.mptcp.ffi.StructUcred;
import io.mptcp.nio.internal.fd.DirectBufferCache;
import io.mptcp.nio.internal.fd.NioExceptions;

import java.io.IOException;
import java.lang.reflect.Field;
import java.net.SocketException;
import java.net.SocketOption;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.Charset;
import java.nio.file.FileSystems;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.UserPrincipal;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.util.Collections;
import java.util.HashSet;
import java.util.Objects;
import java.util.Set;

/**
 * The options of UNIX-domain stream channels, exactly the JDK's: {@code SO_SNDBUF},
 * {@code SO_RCVBUF}, {@code SO_LINGER} and (read-only) {@code jdk.net}'s {@code SO_PEERCRED} on
 * socket channels; {@code SO_RCVBUF} alone on server channels. None of the MPTCP keys: these are
 * not MPTCP sockets.
 *
 * <p>{@code SO_PEERCRED} reads the kernel's {@code struct ucred} and names its user and group
 * as the JDK does ({@code UnixUserPrincipals.fromUid}: the user database's name, else the
 * number), through the file system's {@link UserPrincipalLookupService}, so that the principals
 * equal those the JDK returns and those of {@code Files.getOwner}.
 */
public final class UnixSocketOptions {
    /** {@code jdk.net.ExtendedSocketOptions.SO_PEERCRED}, or null in a runtime without jdk.net. */
    static final SocketOption<?> SO_PEERCRED = jdkNetOption("SO_PEERCRED");

    private static final Set<SocketOption<?>> SOCKET;
    private static final Set<SocketOption<?>> SERVER =
            Set.of(StandardSocketOptions.SO_RCVBUF);

    static {
        Set<SocketOption<?>> socket = new HashSet<>(Set.of(StandardSocketOptions.SO_SNDBUF,
                StandardSocketOptions.SO_RCVBUF, StandardSocketOptions.SO_LINGER));
        if (SO_PEERCRED != null) {
            socket.add(SO_PEERCRED);
        }
        SOCKET = Collections.unmodifiableSet(socket);
    }

    private UnixSocketOptions() {
    }

    private static SocketOption<?> jdkNetOption(String field) {
        try {
            Field f = Class.forName("jdk.net.ExtendedSocketOptions").getField(field);
            return (SocketOption<?>) f.get(null);
        } catch (ReflectiveOperationException | LinkageError absent) {
            // A runtime without jdk.net: not offered, as the JDK's channels would not either.
            return null;
        }
    }

    public static Set<SocketOption<?>> socketOptions() {
        return SOCKET;
    }

    public static Set<SocketOption<?>> serverOptions() {
        return SERVER;
    }

    /** {@code setOption} arguments, checked as the JDK's channels check them. */
    public static void checkSet(SocketOption<?> name, Object value, Set<SocketOption<?>> supported)
            throws SocketException {
        checkGet(name, supported);
        if (!name.type().isInstance(value)) {
            throw new IllegalArgumentException("Invalid value '" + value + "' for " + name.name()
                    + ": expected a " + name.type().getSimpleName());
        }
        if (name == SO_PEERCRED) {
            throw new SocketException("SO_PEERCRED cannot be set: it reports the peer's"
                    + " credentials");
        }
    }

    /** {@code getOption} arguments: null → NPE, unsupported → UnsupportedOperationException. */
    public static void checkGet(SocketOption<?> name, Set<SocketOption<?>> supported) {
        Objects.requireNonNull(name, "name");
        if (!supported.contains(name)) {
            throw new UnsupportedOperationException("'" + name + "' not supported");
        }
    }

    /** Reads a checked option of a UNIX-domain socket. */
    public static Object get(LinuxSyscalls sys, int fd, NativeSocketOptions options,
            SocketOption<?> name) throws IOException {
        return name == SO_PEERCRED ? PeerCredentials.read(sys, fd) : options.get(name);
    }

    /** Loaded only when {@code SO_PEERCRED} is read, so jdk.net stays optional. */
    private static final class PeerCredentials {
        private static final Charset NAME_CHARSET = jnuCharset();

        private static Charset jnuCharset() {
            String name = System.getProperty("sun.jnu.encoding");
            try {
                return name != null ? Charset.forName(name) : Charset.defaultCharset();
            } catch (IllegalArgumentException unsupported) {
                return Charset.defaultCharset();
            }
        }

        static jdk.net.UnixDomainPrincipal read(LinuxSyscalls sys, int fd) throws IOException {
            int uid;
            int gid;
            ByteBuffer cred =
                    DirectBufferCache.acquire(StructUcred.SIZEOF).order(ByteOrder.nativeOrder());
            try {
                sys.getsockopt(fd, LinuxUapi.SOL_SOCKET, LinuxUapi.SO_PEERCRED, cred);
                uid = StructUcred.uid(cred, cred.position());
                gid = StructUcred.gid(cred, cred.position());
            } catch (ErrnoException e) {
                throw NioExceptions.peerCredentials(e);
            } finally {
                DirectBufferCache.release(cred);
            }
            if (uid == -1) {
                // The kernel's answer for a socket that has no peer (not connected).
                throw new SocketException("get SO_PEERCRED failed: the socket has no peer"
                        + " (not connected)");
            }
            try {
                UserPrincipalLookupService lookup =
                        FileSystems.getDefault().getUserPrincipalLookupService();
                UserPrincipal user = lookup.lookupPrincipalByName(
                        name(sys.userName(uid), uid));
                GroupPrincipal group = lookup.lookupPrincipalByGroupName(
                        name(sys.groupName(gid), gid));
                return new jdk.net.UnixDomainPrincipal(user, group);
            } catch (ErrnoException e) {
                throw NioExceptions.socket(e);
            } catch (IOException e) {
                SocketException x = new SocketException("get SO_PEERCRED: cannot name uid "
                        + Integer.toUnsignedString(uid) + " / gid "
                        + Integer.toUnsignedString(gid) + ": " + e);
                x.initCause(e);
                throw x;
            }
        }

        /** The database's name, else the number, as the JDK's {@code fromUid}/{@code fromGid}. */
        private static String name(byte[] name, int id) {
            return name != null ? new String(name, NAME_CHARSET) : Integer.toString(id);
        }
    }
}
