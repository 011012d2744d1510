package io.mptcp.nio.internal.netlink;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mptcp.nio.internal.netlink.InetDiagMsg.MptcpSubflowDiag;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The socket-diagnostics requests and answers captured from Linux 6.18
 * ({@code sock-diag-6.18.txt}, {@code src/test/netlink-capture/sockdiag.py}): an IPv4 and an
 * IPv6 MPTCP connection on loopback, each with a join from a "subflow backup dev lo" endpoint,
 * asked by root and by uid 65534. The requests the library writes must be the captured bytes;
 * the answers must decode to what {@code ss} showed.
 */
@Timeout(10)
class SockDiagFixturesTest {
    // What the capture's connections were (its header).
    private static final InetSocketAddress SERVER4 = v4("127.0.0.1", 33365);
    private static final InetSocketAddress CLIENT4 = v4("127.0.0.1", 44248);
    private static final InetSocketAddress JOIN4 = v4("127.0.0.2", 41367);
    private static final InetSocketAddress SERVER6 = v6("fd00:5d::1", 32933);
    private static final InetSocketAddress CLIENT6 = v6("fd00:5d::1", 47348);
    private static final InetSocketAddress JOIN6 = v6("fd00:5d::2", 59195);
    private static final long CLIENT_TOKEN = 0xe1d94c7eL;
    private static final long SERVER_TOKEN = 0x7b0e9731L;
    private static final int LO = 1;

    @Test
    void requestsAreTheCapturedBytes() {
        assertArrayEquals(Fixtures.sockDiag("lookup-v4-initial-request"),
                SockDiag.lookup(5001, SockDiag.AF_INET, CLIENT4, SERVER4, 0));
        assertArrayEquals(Fixtures.sockDiag("lookup-v4-join-ifindex-request"),
                SockDiag.lookup(5004, SockDiag.AF_INET, JOIN4, SERVER4, LO));
        assertArrayEquals(Fixtures.sockDiag("dump-v4-join-request"),
                SockDiag.dumpPorts(5005, SockDiag.AF_INET, JOIN4.getPort(), SERVER4.getPort()));
        assertArrayEquals(Fixtures.sockDiag("lookup-v6-initial-request"),
                SockDiag.lookup(5007, SockDiag.AF_INET6, CLIENT6, SERVER6, 0));
        assertArrayEquals(Fixtures.sockDiag("dump-v6-join-request"),
                SockDiag.dumpPorts(5008, SockDiag.AF_INET6, JOIN6.getPort(), SERVER6.getPort()));
        assertArrayEquals(Fixtures.sockDiag("lookup-v6-server-join-request"),
                SockDiag.lookup(5009, SockDiag.AF_INET6, SERVER6, JOIN6, 0));
    }

    @Test
    void anIpv4AddressInAnIpv6LookupIsWrittenV4Mapped() throws Exception {
        ByteBuffer b = ByteBuffer.wrap(SockDiag.lookup(1, SockDiag.AF_INET6, CLIENT4, SERVER4, 0));
        byte[] src = new byte[16];
        b.get(Netlink.NLMSG_HDRLEN + 8 + 4, src);
        assertArrayEquals(new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, -1, -1, 127, 0, 0, 1}, src);
    }

    @Test
    void initialSubflowsAreMptcpCapableWithoutBackup() throws Exception {
        InetDiagMsg client = only("lookup-v4-initial-reply");
        assertEquals(SockDiag.AF_INET, client.family());
        assertEquals(SockDiag.TCP_ESTABLISHED, client.state());
        assertEquals(CLIENT4, client.local());
        assertEquals(SERVER4, client.remote());
        assertTrue(client.matches(CLIENT4, SERVER4));
        MptcpSubflowDiag c = client.subflow().orElseThrow();
        assertEquals(CLIENT_TOKEN, c.localToken());
        // ss: flags:Mmec
        assertEquals(SockDiag.MPTCP_SUBFLOW_FLAG_MCAP_REM | SockDiag.MPTCP_SUBFLOW_FLAG_MCAP_LOC
                | SockDiag.MPTCP_SUBFLOW_FLAG_FULLY_ESTABLISHED
                | SockDiag.MPTCP_SUBFLOW_FLAG_CONNECTED, c.flags());
        MptcpSubflowDiag s = only("lookup-v4-server-initial-reply").subflow().orElseThrow();
        assertEquals(SERVER_TOKEN, s.localToken());
        assertFalse(s.has(SockDiag.MPTCP_SUBFLOW_FLAG_BKUP_LOC));
        assertFalse(s.has(SockDiag.MPTCP_SUBFLOW_FLAG_BKUP_REM));
        assertTrue(s.has(SockDiag.MPTCP_SUBFLOW_FLAG_FULLY_ESTABLISHED));
    }

    @Test
    void theBackupEndpointIsLocalBackupOnTheJoinerAndRemoteBackupOnThePeer() throws Exception {
        InetDiagMsg joiner = only("lookup-v4-join-ifindex-reply");
        assertEquals(LO, joiner.ifindex(), "the endpoint's dev lo binds the join");
        MptcpSubflowDiag j = joiner.subflow().orElseThrow();
        assertTrue(j.has(SockDiag.MPTCP_SUBFLOW_FLAG_BKUP_LOC));
        assertFalse(j.has(SockDiag.MPTCP_SUBFLOW_FLAG_BKUP_REM));
        assertTrue(j.has(SockDiag.MPTCP_SUBFLOW_FLAG_JOIN_LOC));
        assertEquals(1, j.localId(), "the endpoint's id");
        assertEquals(SERVER_TOKEN, j.remoteToken());
        MptcpSubflowDiag p = only("lookup-v4-server-join-reply").subflow().orElseThrow();
        assertTrue(p.has(SockDiag.MPTCP_SUBFLOW_FLAG_BKUP_REM));
        assertFalse(p.has(SockDiag.MPTCP_SUBFLOW_FLAG_BKUP_LOC));
        assertEquals(SERVER_TOKEN, p.localToken());
        MptcpSubflowDiag p6 = only("lookup-v6-server-join-reply").subflow().orElseThrow();
        assertTrue(p6.has(SockDiag.MPTCP_SUBFLOW_FLAG_BKUP_REM));
        assertEquals(SockDiag.AF_INET6, only("lookup-v6-server-join-reply").family());
    }

    @Test
    void aJoinBoundToAnInterfaceIsNotFoundWithoutItButTheDumpByPortsHasIt() throws Exception {
        Reply unbound = reply("lookup-v4-join-unbound", 5003);
        assertEquals(-2, unbound.error().orElseThrow().error(), "ENOENT");
        Reply dump = reply("dump-v4-join", 5005);
        assertTrue(dump.error().isEmpty());
        assertEquals(1, dump.messages().size());
        InetDiagMsg m = InetDiagMsg.decode(dump.messages().get(0));
        assertTrue(m.matches(JOIN4, SERVER4));
        assertTrue(m.subflow().orElseThrow().has(SockDiag.MPTCP_SUBFLOW_FLAG_BKUP_LOC));
        Reply dump6 = reply("dump-v6-join", 5008);
        InetDiagMsg m6 = InetDiagMsg.decode(dump6.messages().get(0));
        assertTrue(m6.matches(JOIN6, SERVER6));
        assertEquals(LO, m6.ifindex());
        assertTrue(m6.subflow().orElseThrow().has(SockDiag.MPTCP_SUBFLOW_FLAG_BKUP_LOC));
    }

    @Test
    void withoutPrivilegesTheFlagsComeButNotTheSequenceNumbers() throws Exception {
        MptcpSubflowDiag root = only("lookup-v4-join-ifindex-reply").subflow().orElseThrow();
        MptcpSubflowDiag user = only("unpriv-lookup-v4-join-ifindex-reply").subflow()
                .orElseThrow();
        assertEquals(root.flags(), user.flags());
        assertEquals(root.localToken(), user.localToken());
        // MPTCP_SUBFLOW_ATTR_RELWRITE_SEQ (3): CAP_NET_ADMIN only on 6.18.
        assertTrue(root.attributes().find(3).isPresent());
        assertTrue(user.attributes().find(3).isEmpty());
        assertTrue(only("unpriv-lookup-v4-server-join-reply").subflow().orElseThrow()
                .has(SockDiag.MPTCP_SUBFLOW_FLAG_BKUP_REM));
    }

    @Test
    void aPlainTcpSocketHasNoSubflowInformation() throws Exception {
        InetDiagMsg tcp = only("lookup-tcp-reply");
        assertEquals(SockDiag.TCP_ESTABLISHED, tcp.state());
        assertEquals(Optional.empty(), tcp.subflow());
    }

    @Test
    void anAnswerForOtherAddressesOrAListenerDoesNotMatch() throws Exception {
        InetDiagMsg client = only("lookup-v4-initial-reply");
        assertFalse(client.matches(SERVER4, CLIENT4));
        assertFalse(client.matches(CLIENT4, JOIN4));
        assertFalse(client.matches(v4("127.0.0.3", CLIENT4.getPort()), SERVER4));
        InetDiagMsg listener = new InetDiagMsg(SockDiag.AF_INET, SockDiag.TCP_LISTEN, CLIENT4,
                SERVER4, 0, Optional.empty(), client.attributes());
        assertFalse(listener.matches(CLIENT4, SERVER4));
    }

    @Test
    void aMissingSocketIsEnoentForEveryone() throws Exception {
        assertEquals(-2, reply("lookup-missing", 5011).error().orElseThrow().error());
        assertEquals(-2, reply("unpriv-lookup-missing", 5011).error().orElseThrow().error());
    }

    @Test
    void everyAnswerCompletesAReply() throws Exception {
        int answers = 0;
        for (Map.Entry<String, byte[]> f : Fixtures.sockDiag().entrySet()) {
            List<NetlinkMessage> ms = NetlinkReader.read(ByteBuffer.wrap(f.getValue()));
            assertEquals(1, ms.size(), f.getKey() + ": one message per datagram");
            Object decoded = SockDiagDecode.message(ms.get(0));
            if (f.getKey().endsWith("-request")) {
                assertInstanceOf(NetlinkMessage.class, decoded, f.getKey());
            } else {
                assertFalse(decoded instanceof NetlinkMessage, f.getKey() + " decoded");
                answers++;
            }
        }
        // 11 questions by root, 7 without privileges: a lookup that finds its socket and a
        // dump answer in two datagrams (the socket, then the ACK or NLMSG_DONE), a miss in one.
        assertEquals(32, answers);
    }

    private static Reply reply(String name, int seq) throws NetlinkProtocolException {
        Reply r = new Reply(seq);
        for (int part = 1; ; part++) {
            String key = name + "-reply" + (part == 1 ? "" : "-" + part);
            if (r.accept(NetlinkReader.read(ByteBuffer.wrap(Fixtures.sockDiag(key))))) {
                return r;
            }
        }
    }

    private static InetDiagMsg only(String fixture) throws NetlinkProtocolException {
        List<NetlinkMessage> ms = NetlinkReader.read(ByteBuffer.wrap(Fixtures.sockDiag(fixture)));
        assertEquals(1, ms.size(), fixture);
        return InetDiagMsg.decode(ms.get(0));
    }

    private static InetSocketAddress v4(String a, int port) {
        return new InetSocketAddress(a, port);
    }

    private static InetSocketAddress v6(String a, int port) {
        return new InetSocketAddress(a, port);
    }
}
