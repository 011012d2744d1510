package io.mptcp.nio.contract.socket;

import io.mptcp.nio.MptcpSockets;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketImpl;
import java.net.SocketImplFactory;

/**
 * How each side of the {@link SocketImplContract} makes its sockets. The factories of
 * {@code Socket}/{@code ServerSocket} are JVM-wide and can be set once, so the test JVM never
 * sets them: the JDK's side is {@code new Socket()} (the JDK's own impl), ours goes through the
 * {@code protected} constructors that take a {@code SocketImpl}, and accepts with
 * {@code implAccept} into a socket holding our client impl. The factory route itself runs in a
 * child JVM ({@code SocketImplFactoryChildJvmTest}).
 */
final class SocketKinds {

    private SocketKinds() {
    }

    /** Makes unconnected sockets and unbound server sockets. */
    interface Kind {
        Socket socket() throws IOException;

        ServerSocket serverSocket() throws IOException;

        /** Whether the sockets are ours with MPTCP asked for (mode {@code all}). */
        boolean mptcp();
    }

    /** The JDK's {@code NioSocketImpl}, as every unconfigured JVM has it. */
    static final Kind JDK = new Kind() {
        @Override
        public Socket socket() {
            return new Socket();
        }

        @Override
        public ServerSocket serverSocket() throws IOException {
            return new ServerSocket();
        }

        @Override
        public boolean mptcp() {
            return false;
        }
    };

    /** Ours, through the same factories {@code MptcpSockets.install()} installs. */
    static Kind ours(boolean mptcp) {
        SocketImplFactory client = MptcpSockets.socketImplFactory();
        SocketImplFactory server = MptcpSockets.serverSocketImplFactory();
        return new Kind() {
            @Override
            public Socket socket() throws IOException {
                return new ImplSocket(client.createSocketImpl());
            }

            @Override
            public ServerSocket serverSocket() throws IOException {
                return new ImplServerSocket(server.createSocketImpl(), client);
            }

            @Override
            public boolean mptcp() {
                return mptcp;
            }
        };
    }

    /** A {@code Socket} over a given impl. */
    static final class ImplSocket extends Socket {
        ImplSocket(SocketImpl impl) throws SocketException {
            super(impl);
        }
    }

    /** A {@code ServerSocket} over a given impl, accepting into sockets of the client factory. */
    static final class ImplServerSocket extends ServerSocket {
        private final SocketImplFactory client;

        ImplServerSocket(SocketImpl impl, SocketImplFactory client) throws IOException {
            super(impl);
            this.client = client;
        }

        @Override
        public Socket accept() throws IOException {
            if (isClosed()) {
                throw new SocketException("Socket is closed");
            }
            if (!isBound()) {
                throw new SocketException("Socket is not bound yet");
            }
            Socket s = new ImplSocket(client.createSocketImpl());
            implAccept(s);
            return s;
        }
    }
}
