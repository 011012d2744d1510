package io.mptcp.nio.internal.pm;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import io.mptcp.nio.MptcpToken;
import io.mptcp.nio.internal.netlink.Fixtures;
import io.mptcp.nio.internal.netlink.GenlMessage;
import io.mptcp.nio.internal.netlink.NetlinkMessage;
import io.mptcp.nio.internal.netlink.NetlinkReader;
import io.mptcp.nio.internal.netlink.NetlinkWriter;
import io.mptcp.nio.internal.netlink.PmEvent;
import io.mptcp.nio.internal.netlink.RtAddress;
import io.mptcp.nio.internal.netlink.RtLink;
import io.mptcp.nio.pm.EventSource;
import io.mptcp.nio.pm.MptcpEvent;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;

import org.junit.jupiter.api.Test;

/** Kernel fixtures mapped to the public events. */
class MptcpEventsTest {
    private static final EventSource NL = EventSource.NETLINK;

    private static MptcpEvent event(String fixture) throws Exception {
        return MptcpEvents.fromPm(PmEvent.decode(GenlMessage.decode(message(fixture))), NL);
    }

    private static NetlinkMessage message(String fixture) throws Exception {
        return NetlinkReader.read(Fixtures.buffer(fixture)).get(0);
    }

    private static InetSocketAddress at(String ip, int port) throws Exception {
        return new InetSocketAddress(InetAddress.getByName(ip), port);
    }

    @Test
    void connectionEvents() throws Exception {
        MptcpToken client = new MptcpToken(311448628L);
        assertEquals(new MptcpEvent.ConnectionCreated(NL, client, at("10.250.1.1", 50032),
                at("10.250.1.2", 5201), false), event("client-created"));
        assertEquals(new MptcpEvent.ConnectionEstablished(NL, client, at("10.250.1.1", 50032),
                at("10.250.1.2", 5201), false), event("client-established"));
        MptcpEvent server = event("server-created");
        assertEquals(true, ((MptcpEvent.ConnectionCreated) server).serverSide());
        assertEquals(new MptcpEvent.ConnectionClosed(NL, client), event("client-closed"));
        MptcpEvent v6 = event("client-created-2");
        assertEquals(at("fd00:250:1::1", 42706), ((MptcpEvent.ConnectionCreated) v6).local());
    }

    @Test
    void addressEvents() throws Exception {
        MptcpToken client = new MptcpToken(311448628L);
        assertEquals(new MptcpEvent.AddressAnnounced(NL, client, 1, at("10.250.2.2", 5201)),
                event("client-announced"));
        assertEquals(new MptcpEvent.AddressAnnounced(NL, new MptcpToken(367430758L), 24,
                at("10.250.2.1", 6000)), event("server-announced"));
        assertEquals(new MptcpEvent.AddressRemoved(NL, client, 1), event("client-removed"));
    }

    @Test
    void subflowEvents() throws Exception {
        MptcpToken t = new MptcpToken(3559859200L);
        assertEquals(new MptcpEvent.SubflowEstablished(NL, t, at("10.250.1.1", 33777),
                at("10.250.1.2", 5202), 0, 0, false, OptionalInt.of(2)),
                event("client-sub-established-2"));
        assertEquals(new MptcpEvent.SubflowClosed(NL, t, at("10.250.2.1", 40001),
                at("10.250.2.2", 9), 25, 0, false, OptionalInt.empty(), OptionalInt.of(111),
                OptionalLong.empty(), OptionalLong.empty()), event("client-sub-closed-2"));
        MptcpEvent.SubflowClosed reset = (MptcpEvent.SubflowClosed) event("client-sub-closed-4");
        assertAll(
                () -> assertEquals(OptionalInt.of(104), reset.error()),
                () -> assertEquals(OptionalLong.of(0), reset.resetReason()),
                () -> assertEquals(OptionalLong.of(0), reset.resetFlags()));
        MptcpEvent.SubflowPriority prio = (MptcpEvent.SubflowPriority) event("server-sub-priority");
        assertEquals(true, prio.backup());
        assertEquals(23, prio.remoteId());
    }

    @Test
    void listenerEvents() throws Exception {
        assertEquals(new MptcpEvent.ListenerCreated(NL, at("0.0.0.0", 5201)),
                event("server-listener-created"));
        assertEquals(new MptcpEvent.ListenerClosed(NL, at("::", 5203)),
                event("server-listener-closed-2"));
        assertEquals(new MptcpEvent.ListenerCreated(NL, at("10.250.1.1", 10009)),
                event("client-listener-created"), "a PM endpoint's port listener");
    }

    @Test
    void unknownTypeKeepsEveryAttribute() throws Exception {
        byte[] bytes = new NetlinkWriter().begin(28, 0, 0).genl(42, 1).u32(1, 7)
                .bytes(0x1ff, new byte[] {9, 8, 7}).finish();
        MptcpEvent e = MptcpEvents.fromPm(PmEvent.decode(GenlMessage.decode(
                NetlinkReader.read(ByteBuffer.wrap(bytes)).get(0))), NL);
        MptcpEvent.Unknown u = assertInstanceOf(MptcpEvent.Unknown.class, e);
        assertEquals(42, u.type());
        assertEquals(List.of(
                new MptcpEvent.Unknown.Attribute(1, false,
                        ByteBuffer.wrap(new byte[] {7, 0, 0, 0})),
                new MptcpEvent.Unknown.Attribute(0x1ff, false,
                        ByteBuffer.wrap(new byte[] {9, 8, 7}))),
                u.attributes());
    }

    @Test
    void knownTypeMissingWhatItNeedsIsUnknown() throws Exception {
        // A SUB_ESTABLISHED with only a token: nothing to build a subflow from.
        byte[] bytes = new NetlinkWriter().begin(28, 0, 0).genl(10, 1).u32(1, 7).finish();
        MptcpEvent e = MptcpEvents.fromPm(PmEvent.decode(GenlMessage.decode(
                NetlinkReader.read(ByteBuffer.wrap(bytes)).get(0))), NL);
        assertEquals(10, assertInstanceOf(MptcpEvent.Unknown.class, e).type());
    }

    @Test
    void rtnetlinkEvents() throws Exception {
        assertEquals(Optional.of(new MptcpEvent.LocalAddressAdded(NL, 3,
                InetAddress.getByName("10.250.3.1"), 24, Optional.of("mp2:x"))),
                MptcpEvents.fromAddress(RtAddress.decode(message("client-rtm-newaddr-v4")), NL));
        assertEquals(Optional.of(new MptcpEvent.LocalAddressRemoved(NL, 3,
                InetAddress.getByName("fd00:250:2::1"), 64, Optional.empty())),
                MptcpEvents.fromAddress(RtAddress.decode(message("client-rtm-deladdr-v6")), NL));
        assertEquals(new MptcpEvent.LinkDown(NL, 3, Optional.of("mp2")),
                MptcpEvents.fromLink(RtLink.decode(message("client-rtm-newlink-1002")), NL));
        assertEquals(new MptcpEvent.LinkDown(NL, 3, Optional.of("mp2")),
                MptcpEvents.fromLink(RtLink.decode(message("client-rtm-newlink-11003")), NL));
        assertEquals(new MptcpEvent.LinkUp(NL, 3, Optional.of("mp2")),
                MptcpEvents.fromLink(RtLink.decode(message("client-rtm-newlink-11043")), NL));
    }
}
