package io.mptcp.it.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import java.util.List;

/**
 * The {@code ss} parsing, on output captured on Linux 6.18 with iproute2 6.1. The fallback case
 * (an MPTCP client whose server spoke plain TCP) is hard to produce from Java without the
 * provider, so it is checked here on what the kernel printed for it.
 */
class KernelViewTest {

    // ss -HMni: a JDK Netty connection under mptcpize run (IPv4-mapped IPv6 sockets).
    private static final String MPTCP = """
            ESTAB 0      0      [::ffff:127.0.0.1]:41310 [::ffff:127.0.0.1]:45311
            \t subflows_max:2 remote_key token:98280e35 write_seq:e0648acb7bbb47b2 \
            snd_una:e0648acb7bbb47b2 rcv_nxt:87d4977a341daa02
            ESTAB 0      0      [::ffff:127.0.0.1]:45311 [::ffff:127.0.0.1]:41310
            \t subflows_max:2 remote_key token:f7a92f40 write_seq:87d4977a341daa02 \
            snd_una:87d4977a341daa02 rcv_nxt:e0648acb7bbb47b2
            """;

    // ss -Htni: the two subflows of that connection (details shortened).
    private static final String SUBFLOWS = """
            ESTAB 0      0      [::ffff:127.0.0.1]:41310 [::ffff:127.0.0.1]:45311
            \t bbr wscale:10,10 rto:200 mss:32768 tcp-ulp-mptcp flags:Mmc \
            token:0000(id:0)/98280e35(id:0) seq:0 sfseq:0 ssnoff:7bf59ad5 maplen:0
            ESTAB 0      0      [::ffff:127.0.0.1]:45311 [::ffff:127.0.0.1]:41310
            \t bbr wscale:10,10 rto:200 mss:32768 tcp-ulp-mptcp flags:Mec \
            token:0000(id:0)/f7a92f40(id:0) seq:0 sfseq:0 ssnoff:72d82a32 maplen:3e8
            """;

    // ss -HMni: MPTCP client to a plain-TCP server. Only the client is an MPTCP socket.
    private static final String FALLBACK = """
            ESTAB 0      0      127.0.0.1:39868 127.0.0.1:40857
            \t subflows_max:2 fallback token:32318446 write_seq:a78bc4ef9f3274f4 \
            snd_una:a78bc4ef9f3274f4
            """;

    // ss -Htni: a plain TCP connection, plus an unrelated TIME-WAIT on the same ports.
    private static final String TCP = """
            ESTAB 0      0      127.0.0.1:40857 127.0.0.1:39868
            \t bbr wscale:10,10 rto:200 rtt:0.019/0.009 mss:32768 cwnd:10
            ESTAB 0      0      127.0.0.1:39868 127.0.0.1:40857
            \t bbr wscale:10,10 rto:204 rtt:0.024/0.013 mss:35328 cwnd:11
            TIME-WAIT 0  0      127.0.0.1:39868 127.0.0.1:40857
            """;

    @Test
    void parsesEntriesWithTheirDetails() {
        List<KernelView.Entry> entries = KernelView.parse(MPTCP);
        assertEquals(2, entries.size());
        assertEquals("41310", entries.get(0).localPort());
        assertEquals("45311", entries.get(0).peerPort());
        assertTrue(entries.get(1).details().contains("token:f7a92f40"));
    }

    @Test
    void bothEndsMptcpAndNotFallenBackIsMptcp() {
        KernelView view = view(MPTCP, SUBFLOWS, 41310, 45311);
        assertTrue(view.isMptcp());
        assertFalse(view.isPlainTcp());
    }

    @Test
    void aFallenBackConnectionIsNeitherMptcpNorPlainTcp() {
        KernelView view = view(FALLBACK, TCP, 40857, 39868);
        assertTrue(view.mptcp().get(0).fallback());
        assertFalse(view.isMptcp());
        assertFalse(view.isPlainTcp());
    }

    @Test
    void plainTcpIsNotMptcpAndOldSocketsOnTheSamePortsAreIgnored() {
        KernelView view = view("", TCP, 39868, 40857);
        assertEquals(2, view.tcp().size());
        assertTrue(view.isPlainTcp());
        assertFalse(view.isMptcp());
    }

    @Test
    void otherConnectionsAreNotMatched() {
        KernelView view = view(MPTCP, SUBFLOWS, 41310, 40857);
        assertTrue(view.mptcp().isEmpty());
        assertFalse(view.isMptcp());
    }

    @Test
    void connectionsOnAPortAreFoundFromEitherEndOneViewEach() {
        // 45311 is the server's end of the MPTCP connection; 40857 of the plain one.
        List<KernelView> onMptcpServer = KernelView.connectionsOn(KernelView.parse(MPTCP),
                KernelView.parse(SUBFLOWS + TCP), 45311);
        assertEquals(1, onMptcpServer.size());
        assertTrue(onMptcpServer.get(0).isMptcp());
        List<KernelView> onTcpServer = KernelView.connectionsOn(KernelView.parse(MPTCP),
                KernelView.parse(SUBFLOWS + TCP), 40857);
        assertEquals(1, onTcpServer.size());
        assertTrue(onTcpServer.get(0).isPlainTcp());
        assertTrue(KernelView.connectionsOn(KernelView.parse(MPTCP), KernelView.parse(TCP),
                1234).isEmpty());
    }

    private static KernelView view(String mptcp, String tcp, int a, int b) {
        return KernelView.select(KernelView.parse(mptcp), KernelView.parse(tcp), a, b);
    }
}
