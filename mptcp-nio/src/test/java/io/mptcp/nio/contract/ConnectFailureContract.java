package io.mptcp.nio.contract;

import static io.mptcp.nio.contract.ContractSupport.awaitReady;
import static io.mptcp.nio.contract.ContractSupport.loopback;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Case 6: refused connections and connect timeouts; a failed connect closes the channel. */
abstract class ConnectFailureContract extends ChannelContract {

    /**
     * A loopback port on which nothing listens, held by a bound, non-listening
     * {@code java.net.Socket} (independent of the provider under test) so that no other test
     * can start listening there: SYNs to it are answered with RST.
     */
    private InetSocketAddress closedPort(InetAddress host) throws IOException {
        Socket holder = track(new Socket());
        holder.bind(new InetSocketAddress(host, 0));
        return (InetSocketAddress) holder.getLocalSocketAddress();
    }

    private static void assertClosedAfterFailure(SocketChannel ch) {
        assertFalse(ch.isOpen(), "a failed connect closes the channel");
        assertFalse(ch.isConnected());
        assertFalse(ch.isConnectionPending());
        assertThrows(ClosedChannelException.class, () -> ch.read(ByteBuffer.allocate(1)));
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @ValueSource(strings = {"127.0.0.1", "::1"})
    void blockingConnectToAClosedPortIsRefused(String host) throws Exception {
        InetSocketAddress target = closedPort(loopback(host));
        SocketChannel ch = openSocketChannel();
        assertThrows(ConnectException.class, () -> ch.connect(target));
        assertClosedAfterFailure(ch);
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @ValueSource(strings = {"127.0.0.1", "::1"})
    void nonBlockingConnectToAClosedPortFailsInFinishConnect(String host) throws Exception {
        InetSocketAddress target = closedPort(loopback(host));
        Selector selector = openSelector();
        SocketChannel ch = openSocketChannel();
        ch.configureBlocking(false);
        boolean connected;
        try {
            connected = ch.connect(target);
        } catch (ConnectException refusedAtOnce) {
            // Allowed by the API (the JDK on Linux reports EINPROGRESS first, then the refusal).
            assertClosedAfterFailure(ch);
            return;
        }
        assertFalse(connected, "nothing listens there");
        assertTrue(ch.isConnectionPending());
        SelectionKey key = ch.register(selector, SelectionKey.OP_CONNECT);
        awaitReady(selector, key, SelectionKey.OP_CONNECT);
        assertThrows(ConnectException.class, ch::finishConnect);
        assertClosedAfterFailure(ch);
        assertFalse(key.isValid(), "closing the channel cancelled its key");
    }

    @Test
    void adaptorConnectToAClosedPortIsRefused() throws Exception {
        InetSocketAddress target = closedPort(ContractSupport.LOOPBACK_V4);
        SocketChannel ch = openSocketChannel();
        assertThrows(ConnectException.class, () -> ch.socket().connect(target, 5000));
        assertClosedAfterFailure(ch);
        assertTrue(ch.socket().isClosed());
    }

    @Test
    void adaptorConnectWithATimeoutToAFullBacklogTimesOutAndClosesTheChannel() throws Exception {
        InetSocketAddress target = unresponsiveListener();
        SocketChannel ch = openSocketChannel();
        long start = System.nanoTime();
        assertThrows(SocketTimeoutException.class, () -> ch.socket().connect(target, 500));
        long elapsedMillis = (System.nanoTime() - start) / 1_000_000;
        assertTrue(elapsedMillis >= 250, "timed out after only " + elapsedMillis + " ms");
        assertClosedAfterFailure(ch);
        assertTrue(ch.socket().isClosed());
    }
}
