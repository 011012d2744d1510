package io.mptcp.nio;

import io.mptcp.nio.internal.ChannelFactory;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketImplFactory;

/**
 * {@code java.net.Socket} and {@code ServerSocket} over mptcp-nio: Multipath TCP for the
 * programs and libraries that use the classic socket API (JDBC drivers, Redis clients, OkHttp,
 * RMI), which a {@code SelectorProvider} does not reach.
 *
 * <p>{@link #install()} sets the JVM-wide {@link Socket#setSocketImplFactory} and
 * {@link ServerSocket#setSocketFactory}, which the JDK allows once per JVM and which apply to
 * the sockets created afterwards. Those sockets are MPTCP or TCP by the same rules as the
 * channels ({@code io.mptcp.nio.mode}, {@code io.mptcp.nio.strict}, read at each socket), fall
 * back to TCP in the same way, and report {@link MptcpSocketOptions#MPTCP_ENABLED} and the
 * other MPTCP options through {@code Socket.getOption}. A {@code Socket(Proxy)} with a SOCKS or
 * HTTP proxy keeps the JDK's implementation (plain TCP through the proxy); a connect that the
 * default {@code ProxySelector} would send through a SOCKS proxy is refused, since mptcp-nio
 * does not speak SOCKS (see the README).
 *
 * <p>The {@code mptcp-nio-agent} jar calls {@link #install()} from its {@code premain};
 * without the agent, a program calls it first thing in {@code main}.
 */
public final class MptcpSockets {

    private static final Object LOCK = new Object();
    // Guarded by LOCK.
    private static ChannelFactory channels;
    private static boolean installed;

    private MptcpSockets() {
    }

    private static ChannelFactory channels() {
        synchronized (LOCK) {
            if (channels == null) {
                // A provider of its own: the JVM-wide one may be the JDK's, and asking for it
                // would fix the JVM's choice early.
                channels = new ChannelFactory(new MptcpSelectorProvider(), null, null);
            }
            return channels;
        }
    }

    /**
     * The factory of mptcp-nio's client {@code SocketImpl}s (connecting and accepted).
     *
     * @return a factory for {@code Socket.setSocketImplFactory}
     */
    public static SocketImplFactory socketImplFactory() {
        ChannelFactory factory = channels();
        return () -> factory.newSocketImpl(false);
    }

    /**
     * The factory of mptcp-nio's {@code ServerSocket} {@code SocketImpl}s.
     *
     * @return a factory for {@code ServerSocket.setSocketFactory}
     */
    public static SocketImplFactory serverSocketImplFactory() {
        ChannelFactory factory = channels();
        return () -> factory.newSocketImpl(true);
    }

    /**
     * Installs both factories for the whole JVM: every {@code Socket} and {@code ServerSocket}
     * created afterwards is mptcp-nio's. Calling it again does nothing.
     *
     * @throws SocketException if another {@code SocketImplFactory} is already installed; if
     *     the server factory is the one taken, the client factory stays installed (the JDK
     *     cannot remove it), and the message says so
     */
    @SuppressWarnings("deprecation") // the JDK's only way in; deprecated, not for removal
    public static void install() throws IOException {
        synchronized (LOCK) {
            if (installed) {
                return;
            }
            try {
                Socket.setSocketImplFactory(socketImplFactory());
            } catch (SocketException e) {
                throw chained("Socket.setSocketImplFactory: another factory is already"
                        + " installed in this JVM (" + e.getMessage() + ")", e);
            }
            try {
                ServerSocket.setSocketFactory(serverSocketImplFactory());
            } catch (SocketException e) {
                installed = true;
                throw chained("ServerSocket.setSocketFactory: another factory is already"
                        + " installed in this JVM (" + e.getMessage() + "); new Socket"
                        + " instances are mptcp-nio's, new ServerSockets are not", e);
            }
            installed = true;
        }
    }

    private static SocketException chained(String message, SocketException cause) {
        SocketException e = new SocketException(message);
        e.initCause(cause);
        return e;
    }

    /**
     * Whether {@link #install()} has installed the factories in this JVM.
     *
     * @return true once {@link #install()} succeeded (or half-succeeded, see there)
     */
    public static boolean isInstalled() {
        synchronized (LOCK) {
            return installed;
        }
    }
}
