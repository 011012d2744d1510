package io.mptcp.nio.internal.stream;

import org.junit.jupiter.api.Test;

import static io.mptcp.ffi.LinuxUapi.EPOLLERR;
import static io.mptcp.ffi.LinuxUapi.EPOLLHUP;
import static io.mptcp.ffi.LinuxUapi.EPOLLIN;
import static io.mptcp.ffi.LinuxUapi.EPOLLOUT;
import static java.nio.channels.SelectionKey.OP_ACCEPT;
import static java.nio.channels.SelectionKey.OP_CONNECT;
import static java.nio.channels.SelectionKey.OP_READ;
import static java.nio.channels.SelectionKey.OP_WRITE;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The JDK's readiness rules for stream sockets and listeners. */
class StreamReadinessTest {

    @Test
    void connectCompletionIsWatchedAsWritability() {
        assertEquals(EPOLLOUT, StreamReadiness.socketInterest(OP_CONNECT));
        assertEquals(EPOLLIN | EPOLLOUT, StreamReadiness.socketInterest(OP_READ | OP_WRITE));
        assertEquals(0, StreamReadiness.socketInterest(0));
    }

    @Test
    void readAndWriteAreReadyOnlyWhileConnectedAndConnectOnlyWhilePending() {
        int all = OP_READ | OP_WRITE | OP_CONNECT;
        assertEquals(OP_CONNECT, StreamReadiness.socketReady(EPOLLIN | EPOLLOUT, all, false, true));
        assertEquals(OP_READ | OP_WRITE,
                StreamReadiness.socketReady(EPOLLIN | EPOLLOUT, all, true, false));
        assertEquals(OP_READ, StreamReadiness.socketReady(EPOLLIN | EPOLLOUT, OP_READ, true, false));
        assertEquals(0, StreamReadiness.socketReady(EPOLLOUT, OP_READ, true, false));
    }

    @Test
    void errorOrHangUpMakesEveryInterestOpReady() {
        assertEquals(OP_READ | OP_WRITE,
                StreamReadiness.socketReady(EPOLLERR, OP_READ | OP_WRITE, false, false));
        assertEquals(OP_CONNECT, StreamReadiness.socketReady(EPOLLHUP, OP_CONNECT, false, true));
        assertEquals(OP_ACCEPT, StreamReadiness.listenerReady(EPOLLHUP, OP_ACCEPT));
    }

    @Test
    void listenerIsReadyToAcceptWhenReadable() {
        assertEquals(EPOLLIN, StreamReadiness.listenerInterest(OP_ACCEPT));
        assertEquals(OP_ACCEPT, StreamReadiness.listenerReady(EPOLLIN, OP_ACCEPT));
        assertEquals(0, StreamReadiness.listenerReady(EPOLLIN, 0));
    }
}
