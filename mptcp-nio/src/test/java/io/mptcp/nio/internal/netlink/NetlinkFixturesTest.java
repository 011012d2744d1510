package io.mptcp.nio.internal.netlink;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

import org.junit.jupiter.api.Test;

/** The codec on datagrams captured from Linux 6.18 (see {@link Fixtures}). */
class NetlinkFixturesTest {

    private static PmEvent event(String name) throws Exception {
        List<NetlinkMessage> messages = NetlinkReader.read(Fixtures.buffer(name));
        assertEquals(1, messages.size(), "one event per datagram");
        assertEquals(Decode.MPTCP_PM_FAMILY, messages.get(0).header().type());
        return PmEvent.decode(GenlMessage.decode(messages.get(0)));
    }

    private static InetAddress ip(String literal) throws Exception {
        return InetAddress.getByName(literal);
    }

    @Test
    void everyFixtureDecodes() throws Exception {
        for (Map.Entry<String, byte[]> f : Fixtures.all().entrySet()) {
            try {
                Decode.all(f.getKey(), java.nio.ByteBuffer.wrap(f.getValue()));
            } catch (NetlinkProtocolException e) {
                throw new AssertionError(f.getKey() + ": " + e.getMessage(), e);
            }
        }
        assertTrue(Fixtures.all().size() > 100, "fixtures: " + Fixtures.all().size());
    }

    @Test
    void everyEventTypeWasCaptured() throws Exception {
        Set<Integer> types = new TreeSet<>();
        for (String name : Fixtures.all().keySet()) {
            if ((name.startsWith("client-") || name.startsWith("server-"))
                    && !name.contains("-rtm-")) {
                types.add(event(name).type());
            }
        }
        assertEquals(Set.of(1, 2, 3, 6, 7, 10, 11, 13, 15, 16), types);
    }

    @Test
    void createdOnTheClient() throws Exception {
        PmEvent e = event("client-created");
        assertAll(
                () -> assertEquals(MptcpPm.MPTCP_EVENT_CREATED, e.type()),
                () -> assertEquals(311448628L, e.token()),
                () -> assertEquals(2, e.family()),
                () -> assertEquals(Optional.of(ip("10.250.1.1")), e.source()),
                () -> assertEquals(Optional.of(ip("10.250.1.2")), e.destination()),
                () -> assertEquals(50032, e.sourcePort(), "be16 on the wire"),
                () -> assertEquals(5201, e.destinationPort()),
                () -> assertEquals(0, e.localId()),
                () -> assertEquals(0, e.remoteId()),
                () -> assertEquals(PmEvent.ABSENT, e.flags(), "no FLAGS on the client"),
                () -> assertEquals(PmEvent.ABSENT, e.serverSide()),
                () -> assertEquals(List.of(), e.unknown()));
    }

    @Test
    void createdOnTheServerCarriesBothServerSideMarks() throws Exception {
        PmEvent e = event("server-created");
        assertAll(
                () -> assertEquals(1945347197L, e.token()),
                () -> assertEquals(1, e.serverSide()),
                () -> assertEquals(MptcpPm.MPTCP_PM_EV_FLAG_SERVER_SIDE, e.flags()),
                () -> assertEquals(5201, e.sourcePort()),
                () -> assertEquals(50032, e.destinationPort()));
    }

    @Test
    void ipv6Connection() throws Exception {
        PmEvent e = event("client-created-2");
        assertAll(
                () -> assertEquals(10, e.family()),
                () -> assertEquals(2776589720L, e.token(), "unsigned 32-bit"),
                () -> assertEquals(Optional.of(ip("fd00:250:1::1")), e.source()),
                () -> assertEquals(Optional.of(ip("fd00:250:1::2")), e.destination()),
                () -> assertEquals(5203, e.destinationPort()));
        PmEvent closed = event("server-listener-closed-2");
        assertEquals(Optional.of(ip("::")), closed.source());
        assertEquals(5203, closed.sourcePort());
    }

    @Test
    void announcedWithoutFamily() throws Exception {
        PmEvent e = event("client-announced");
        assertAll(
                () -> assertEquals(MptcpPm.MPTCP_EVENT_ANNOUNCED, e.type()),
                () -> assertEquals(1, e.remoteId()),
                () -> assertEquals(PmEvent.ABSENT, e.family(), "the kernel sends no family"),
                () -> assertEquals(Optional.of(ip("10.250.2.2")), e.destination()),
                () -> assertEquals(5201, e.destinationPort(), "no port announced: the subflow's"));
        PmEvent withPort = event("server-announced");
        assertEquals(24, withPort.remoteId());
        assertEquals(6000, withPort.destinationPort());
        assertEquals(1, event("client-removed").remoteId());
        assertEquals(311448628L, event("client-closed").token());
    }

    @Test
    void subflowEvents() throws Exception {
        PmEvent refused = event("client-sub-closed-2");
        assertAll(
                () -> assertEquals(MptcpPm.MPTCP_EVENT_SUB_CLOSED, refused.type()),
                () -> assertEquals(111, refused.error(), "ECONNREFUSED"),
                () -> assertEquals(25, refused.localId()),
                () -> assertEquals(9, refused.destinationPort()),
                () -> assertEquals(PmEvent.ABSENT, refused.resetReason()));
        PmEvent reset = event("client-sub-closed-4");
        assertAll(
                () -> assertEquals(104, reset.error(), "ECONNRESET"),
                () -> assertEquals(0L, reset.resetReason(), "MPTCP_RST_EUNSPEC"),
                () -> assertEquals(0L, reset.resetFlags()),
                () -> assertEquals(23, reset.localId()));
        PmEvent bound = event("client-sub-established-2");
        assertEquals(2, bound.ifIndex());
        assertEquals(0, bound.backup());
        PmEvent priority = event("server-sub-priority");
        assertEquals(MptcpPm.MPTCP_EVENT_SUB_PRIORITY, priority.type());
        assertEquals(1, priority.backup(), "the peer's (client's) backup flag");
        PmEvent listener = event("server-listener-created");
        assertEquals(Optional.of(ip("0.0.0.0")), listener.source());
        assertEquals(PmEvent.ABSENT, listener.token());
    }

    @Test
    void families() throws Exception {
        GenlFamily pm = GenlFamily.decode(GenlMessage.decode(
                NetlinkReader.read(Fixtures.buffer("getfamily-mptcp_pm-reply")).get(0)));
        assertAll(
                () -> assertEquals(Decode.MPTCP_PM_FAMILY, pm.id()),
                () -> assertEquals("mptcp_pm", pm.name()),
                () -> assertEquals(1, pm.version()),
                () -> assertEquals(0, pm.maxAttribute(), "per-op policies since 6.7"),
                () -> assertEquals(11, pm.operations().size()),
                () -> assertTrue(pm.operation(MptcpPm.MPTCP_PM_CMD_SUBFLOW_CREATE).get()
                        .has(GenlCtrl.GENL_UNS_ADMIN_PERM)),
                () -> assertFalse(pm.operation(MptcpPm.MPTCP_PM_CMD_GET_LIMITS).get()
                        .has(GenlCtrl.GENL_UNS_ADMIN_PERM), "unprivileged"),
                () -> assertTrue(pm.group("mptcp_pm_events").isPresent()),
                () -> assertTrue(pm.group("mptcp_pm_cmds").isPresent()));
        GenlFamily ctrl = GenlFamily.decode(GenlMessage.decode(
                NetlinkReader.read(Fixtures.buffer("getfamily-nlctrl-reply")).get(0)));
        assertEquals(GenlCtrl.GENL_ID_CTRL, ctrl.id());
        assertEquals("nlctrl", ctrl.name());
    }

    private static NetlinkError error(String name) throws Exception {
        return NetlinkError.decode(NetlinkReader.read(Fixtures.buffer(name)).get(0));
    }

    @Test
    void errorsWithExtendedAck() throws Exception {
        assertTrue(error("set-limits-reply").isAck());
        NetlinkError unknown = error("getfamily-nosuchfamily-reply");
        assertEquals(-2, unknown.error());
        assertEquals(Optional.empty(), unknown.message());
        NetlinkError policy = error("getfamily-toolong-reply");
        assertAll(
                () -> assertEquals(-22, policy.error()),
                () -> assertEquals(Optional.of("Attribute failed policy validation"),
                        policy.message()),
                () -> assertEquals(20, policy.attributeOffset(), "the name attribute"),
                () -> assertTrue(policy.attributes().find(Netlink.NLMSGERR_ATTR_POLICY)
                        .isPresent()));
        assertEquals(Optional.of("limit greater than maximum (8)"),
                error("set-limits-too-big-reply").message());
        assertEquals(Optional.of("invalid token"), error("invalid-token-reply").message());
        NetlinkError missing = error("create-missing-remote-reply");
        assertAll(
                () -> assertEquals(-22, missing.error()),
                () -> assertEquals(Optional.empty(), missing.message()),
                () -> assertEquals(MptcpPm.MPTCP_PM_ATTR_ADDR_REMOTE, missing.missingType()),
                () -> assertEquals(-1, missing.missingNest()),
                () -> assertEquals(MptcpPm.MPTCP_PM_CMD_SUBFLOW_CREATE,
                        missing.request().type() == Decode.MPTCP_PM_FAMILY ? 10 : -1));
    }

    @Test
    void multipartEndpointDump() throws Exception {
        byte[] request = Fixtures.bytes("get-addr-dump-request");
        int seq = java.nio.ByteBuffer.wrap(request).order(java.nio.ByteOrder.nativeOrder())
                .getInt(8);
        Reply reply = new Reply(seq);
        assertFalse(reply.accept(NetlinkReader.read(Fixtures.buffer("get-addr-dump-reply"))));
        assertTrue(reply.accept(NetlinkReader.read(Fixtures.buffer("get-addr-dump-reply-2"))));
        assertEquals(Optional.empty(), reply.error());
        assertEquals(3, reply.messages().size());
        for (NetlinkMessage m : reply.messages()) {
            assertTrue(m.header().has(Netlink.NLM_F_MULTI));
        }
        GenlMessage second = GenlMessage.decode(reply.messages().get(1));
        PmAddress v6 = PmAddress.decode(second.attributes(),
                second.attributes().find(MptcpPm.MPTCP_PM_ATTR_ADDR).get());
        assertAll(
                () -> assertEquals(10, v6.family()),
                () -> assertEquals(9, v6.id()),
                () -> assertEquals(Optional.of(ip("fd00:250:2::9")), v6.address()),
                () -> assertEquals(MptcpPm.MPTCP_PM_ADDR_FLAG_SUBFLOW, v6.flags()),
                () -> assertEquals(0, v6.port(), "the kernel sends port 0"));
        GenlMessage third = GenlMessage.decode(reply.messages().get(2));
        PmAddress signal = PmAddress.decode(third.attributes(),
                third.attributes().find(MptcpPm.MPTCP_PM_ATTR_ADDR).get());
        assertEquals(10009, signal.port(), "host order in commands and replies");
        PmLimits limits = PmLimits.decode(GenlMessage.decode(
                NetlinkReader.read(Fixtures.buffer("get-limits-reply")).get(0)));
        assertEquals(new PmLimits(2, 2), limits);
    }

    @Test
    void rtnetlinkAddresses() throws Exception {
        RtAddress added = RtAddress.decode(
                NetlinkReader.read(Fixtures.buffer("client-rtm-newaddr-v4")).get(0));
        assertAll(
                () -> assertEquals(RtNetlink.RTM_NEWADDR, added.type()),
                () -> assertEquals(2, added.family()),
                () -> assertEquals(24, added.prefixLength()),
                () -> assertEquals(3, added.index()),
                () -> assertEquals(Optional.of(ip("10.250.3.1")), added.localAddress()),
                () -> assertEquals(Optional.of("mp2:x"), added.label()),
                () -> assertEquals(RtNetlink.IFA_F_PERMANENT, added.flags()));
        RtAddress removed = RtAddress.decode(
                NetlinkReader.read(Fixtures.buffer("client-rtm-deladdr-v4")).get(0));
        assertEquals(RtNetlink.RTM_DELADDR, removed.type());
        RtAddress v6 = RtAddress.decode(
                NetlinkReader.read(Fixtures.buffer("client-rtm-deladdr-v6")).get(0));
        assertEquals(10, v6.family());
        assertEquals(Optional.empty(), v6.local());
        assertEquals(Optional.of(ip("fd00:250:2::1")), v6.localAddress());
    }

    @Test
    void rtnetlinkLinks() throws Exception {
        RtLink down = RtLink.decode(
                NetlinkReader.read(Fixtures.buffer("client-rtm-newlink-1002")).get(0));
        assertAll(
                () -> assertEquals(Optional.of("mp2"), down.name()),
                () -> assertEquals(3, down.index()),
                () -> assertEquals(RtNetlink.IF_OPER_DOWN, down.operState()),
                () -> assertFalse(down.isUp()));
        RtLink noCarrierYet = RtLink.decode(
                NetlinkReader.read(Fixtures.buffer("client-rtm-newlink-11003")).get(0));
        assertFalse(noCarrierYet.isUp(), "IFF_UP|IFF_LOWER_UP without IFF_RUNNING");
        RtLink up = RtLink.decode(
                NetlinkReader.read(Fixtures.buffer("client-rtm-newlink-11043")).get(0));
        assertTrue(up.isUp());
        assertEquals(RtNetlink.IF_OPER_UP, up.operState());
    }
}
