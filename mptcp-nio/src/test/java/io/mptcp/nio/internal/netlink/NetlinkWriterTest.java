package io.mptcp.nio.internal.netlink;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;

/**
 * The writer against the requests the capture's independent Python encoder sent to the kernel
 * (byte for byte, which the kernel accepted), and writer-to-reader round trips.
 */
class NetlinkWriterTest {
    private static final int PM = Decode.MPTCP_PM_FAMILY;

    /** The sequence number of a captured request, to build ours with the same one. */
    private static int seq(String fixture) {
        return ByteBuffer.wrap(Fixtures.bytes(fixture)).order(ByteOrder.nativeOrder()).getInt(8);
    }

    private static void same(String fixture, byte[] ours) {
        assertArrayEquals(Fixtures.bytes(fixture), ours, fixture);
    }

    private static InetAddress ip(String literal) throws Exception {
        return InetAddress.getByName(literal);
    }

    @Test
    void requestsMatchTheCapturedOnes() throws Exception {
        String f = "getfamily-mptcp_pm-request";
        same(f, Requests.getFamily(seq(f), "mptcp_pm"));
        same("get-limits-request", Requests.getLimits(PM, seq("get-limits-request")));
        same("set-limits-request", Requests.setLimits(PM, seq("set-limits-request"),
                new PmLimits(2, 2)));
        same("get-addr-dump-request", Requests.dumpAddrs(PM, seq("get-addr-dump-request"), -1));
        same("flush-userspace-request", Requests.flushAddrs(PM, seq("flush-userspace-request")));
        same("add-addr-v6-request", Requests.addAddr(PM, seq("add-addr-v6-request"),
                PmAddress.of(ip("fd00:250:2::9")).withId(9)
                        .withFlags(MptcpPm.MPTCP_PM_ADDR_FLAG_SUBFLOW)));
        same("add-addr-port-request", Requests.addAddr(PM, seq("add-addr-port-request"),
                PmAddress.of(ip("10.250.1.1")).withId(10).withPort(10009)
                        .withFlags(MptcpPm.MPTCP_PM_ADDR_FLAG_SIGNAL)));
        same("del-addr-request", Requests.delAddr(PM, seq("del-addr-request"),
                PmAddress.of(ip("0.0.0.0")).withId(9)));
    }

    @Test
    void userspaceRequestsMatchTheCapturedOnes() throws Exception {
        // The token attribute is the first after nlmsghdr and genlmsghdr: its value at 24.
        long token = Integer.toUnsignedLong(ByteBuffer.wrap(Fixtures.bytes("create-request"))
                .order(ByteOrder.nativeOrder()).getInt(24));
        PmAddress remote = PmAddress.of(ip("10.250.2.2")).withPort(5202);
        same("create-request", Requests.subflowCreate(PM, seq("create-request"), token,
                PmAddress.of(ip("10.250.2.1")).withId(23), remote));
        same("set-backup-request", Requests.setFlags(PM, seq("set-backup-request"), token,
                PmAddress.of(ip("10.250.2.1")).withFlags(MptcpPm.MPTCP_PM_ADDR_FLAG_BACKUP),
                remote));
        same("announce-request", Requests.announce(PM, seq("announce-request"), token,
                PmAddress.of(ip("10.250.2.1")).withId(24).withPort(6000)
                        .withFlags(MptcpPm.MPTCP_PM_ADDR_FLAG_SIGNAL)));
        same("remove-request", Requests.remove(PM, seq("remove-request"), token, 24));
        same("get-addr-dump-token-request",
                Requests.dumpAddrs(PM, seq("get-addr-dump-token-request"), token));
        same("create-ifidx-request", Requests.subflowCreate(PM, seq("create-ifidx-request"),
                token, PmAddress.of(ip("0.0.0.0")).withId(26).withIfIndex(2),
                PmAddress.of(ip("10.250.1.2")).withPort(5202)));
    }

    @Test
    void roundTripOfEveryCommand() throws Exception {
        long token = 0xfedcba98L;
        PmAddress local = new PmAddress(10, 7, Optional.of(ip("2001:db8::7")), 40000,
                MptcpPm.MPTCP_PM_ADDR_FLAG_BACKUP, 3, List.of());
        PmAddress remote = PmAddress.of(ip("192.0.2.1")).withPort(443);
        byte[][] requests = {
            Requests.addAddr(PM, 1, local), Requests.delAddr(PM, 2, local),
            Requests.getAddr(PM, 3, 7), Requests.dumpAddrs(PM, 4, token),
            Requests.flushAddrs(PM, 5), Requests.setLimits(PM, 6, new PmLimits(3, -1)),
            Requests.getLimits(PM, 7), Requests.setFlags(PM, 8, token, local, remote),
            Requests.announce(PM, 9, token, local), Requests.remove(PM, 10, token, 7),
            Requests.subflowCreate(PM, 11, token, local, remote),
            Requests.subflowDestroy(PM, 12, token, local, remote),
        };
        int[] commands = {1, 2, 3, 3, 4, 5, 6, 7, 8, 9, 10, 11};
        for (int i = 0; i < requests.length; i++) {
            List<NetlinkMessage> ms = NetlinkReader.read(ByteBuffer.wrap(requests[i]));
            assertEquals(1, ms.size());
            NlMsgHdr h = ms.get(0).header();
            assertEquals(requests[i].length, h.length());
            assertEquals(0, requests[i].length % 4, "padded");
            assertEquals(i + 1, h.sequence());
            assertTrue(h.has(Netlink.NLM_F_REQUEST | Netlink.NLM_F_ACK));
            GenlMessage g = GenlMessage.decode(ms.get(0));
            assertEquals(commands[i], g.command());
            assertEquals(MptcpPm.MPTCP_PM_VER, g.version());
            for (NlAttr a : g.attributes().all()) {
                if (a.type() == MptcpPm.MPTCP_PM_ATTR_TOKEN) {
                    assertEquals(token, a.u32());
                } else if (a.type() == MptcpPm.MPTCP_PM_ATTR_ADDR && commands[i] != 3) {
                    assertTrue(a.isNested());
                    assertEquals(local, PmAddress.decode(g.attributes(), a));
                } else if (a.type() == MptcpPm.MPTCP_PM_ATTR_ADDR_REMOTE) {
                    assertEquals(remote, PmAddress.decode(g.attributes(), a));
                }
            }
        }
        GenlMessage limits = GenlMessage.decode(
                NetlinkReader.read(ByteBuffer.wrap(requests[5])).get(0));
        assertEquals(new PmLimits(3, -1), PmLimits.decode(limits));
    }

    @Test
    void writerPadsAndNests() throws Exception {
        NetlinkWriter w = new NetlinkWriter().begin(0x20, Netlink.NLM_F_REQUEST, 9).genl(1, 1);
        int outer = w.beginNest(1);
        int inner = w.beginNest(2);
        w.u8(3, 0xab).be16(4, 0x1234).string(5, "ab").endNest(inner).endNest(outer);
        w.u16(6 | Netlink.NLA_F_NET_BYTEORDER, 0);
        byte[] bytes = w.finish();
        NlAttrs top = GenlMessage.decode(NetlinkReader.read(ByteBuffer.wrap(bytes)).get(0))
                .attributes();
        NlAttrs mid = top.nested(top.find(1).get());
        NlAttrs leaf = mid.nested(mid.find(2).get());
        assertAll(
                () -> assertEquals(3, leaf.depth()),
                () -> assertEquals(0xab, leaf.find(3).get().u8()),
                () -> assertEquals(0x1234, leaf.find(4).get().be16()),
                () -> assertEquals("ab", leaf.find(5).get().string()),
                () -> assertEquals(8, leaf.find(4).get().offset() - leaf.find(3).get().offset(),
                        "a u8 attribute takes 8 bytes with its padding"),
                () -> assertEquals(8, leaf.find(5).get().offset() - leaf.find(4).get().offset()),
                () -> assertTrue(top.find(6).get().isNetByteOrder()),
                () -> assertEquals(0, bytes.length % 4));
        assertThrows(IllegalStateException.class, w::finish);
    }

    @Test
    void rtnetlinkDumpRequests() throws Exception {
        NetlinkMessage links = NetlinkReader.read(ByteBuffer.wrap(Requests.dumpLinks(5))).get(0);
        assertEquals(RtNetlink.RTM_GETLINK, links.header().type());
        assertEquals(16 + RtNetlink.SIZEOF_IFINFOMSG, links.header().length());
        assertTrue(links.header().has(Netlink.NLM_F_DUMP));
        NetlinkMessage addrs = NetlinkReader.read(
                ByteBuffer.wrap(Requests.dumpAddresses(6, 10))).get(0);
        assertEquals(16 + RtNetlink.SIZEOF_IFADDRMSG, addrs.header().length());
        assertEquals(10, addrs.bytes().get(16));
    }
}
