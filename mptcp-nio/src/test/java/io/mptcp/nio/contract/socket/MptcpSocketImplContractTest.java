package io.mptcp.nio.contract.socket;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mptcp.nio.FallbackReason;
import io.mptcp.nio.MptcpSocketOptions;

import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;

import org.junit.jupiter.api.Test;

/**
 * {@link SocketImplContract} against our impl, mode {@code all} (MPTCP), and what only ours
 * has: the MPTCP options through {@code Socket.getOption}.
 */
class MptcpSocketImplContractTest extends SocketImplContract implements Modes.All {

    @Override
    protected SocketKinds.Kind kind() {
        return SocketKinds.ours(true);
    }

    @Test
    void mptcpEnabledOnBothEnds() throws Exception {
        Socket[] p = pair();
        assertTrue(p[0].getOption(MptcpSocketOptions.MPTCP_ENABLED), "client");
        assertTrue(p[1].getOption(MptcpSocketOptions.MPTCP_ENABLED), "accepted");
        assertFalse(p[0].getOption(MptcpSocketOptions.MPTCP_SUBFLOWS).isEmpty());
        assertTrue(p[0].getOption(MptcpSocketOptions.MPTCP_TOKEN).isPresent());
        for (Socket s : p) {
            assertEquals(FallbackReason.Kind.MPTCP_IN_USE,
                    s.getOption(MptcpSocketOptions.MPTCP_FALLBACK_REASON).kind());
        }
    }

    @Test
    void mptcpEnabledChosenPerSocket() throws Exception {
        ServerSocket ss = listener();
        Socket s = socket();
        s.setOption(MptcpSocketOptions.MPTCP_ENABLED, false);
        s.connect(ss.getLocalSocketAddress());
        Socket a = ss.accept();
        try {
            assertFalse(s.getOption(MptcpSocketOptions.MPTCP_ENABLED));
            assertFalse(a.getOption(MptcpSocketOptions.MPTCP_ENABLED), "a TCP client");
            assertEquals(FallbackReason.Kind.NOT_REQUESTED,
                    s.getOption(MptcpSocketOptions.MPTCP_FALLBACK_REASON).kind());
            assertEquals(FallbackReason.Kind.PEER_DID_NOT_REQUEST,
                    a.getOption(MptcpSocketOptions.MPTCP_FALLBACK_REASON).kind());
            org.junit.jupiter.api.Assertions.assertThrows(SocketException.class,
                    () -> s.setOption(MptcpSocketOptions.MPTCP_FALLBACK_REASON,
                            s.getOption(MptcpSocketOptions.MPTCP_FALLBACK_REASON)));
            SocketException late = org.junit.jupiter.api.Assertions.assertThrows(
                    SocketException.class,
                    () -> s.setOption(MptcpSocketOptions.MPTCP_ENABLED, true));
            assertTrue(late.getMessage().contains("connected"), late.getMessage());
        } finally {
            a.close();
        }
    }

    @Test
    void listenerReportsMptcp() throws Exception {
        ServerSocket ss = listener();
        assertEquals(Boolean.TRUE, ss.getOption(MptcpSocketOptions.MPTCP_ENABLED));
        assertEquals(FallbackReason.Kind.MPTCP_IN_USE,
                ss.getOption(MptcpSocketOptions.MPTCP_FALLBACK_REASON).kind());
    }
}
