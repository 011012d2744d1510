package io.mptcp.nio.internal.netlink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Malformed input: every case ends in {@link NetlinkProtocolException} whose message names the
 * offending offset or length, never in another exception, a null or a hang.
 */
class NetlinkHostileTest {

    private static ByteBuffer le(int capacity) {
        return ByteBuffer.allocate(capacity).order(ByteOrder.nativeOrder());
    }

    /** A datagram of one message of {@code type} whose payload is {@code payload}. */
    private static ByteBuffer message(int type, int seq, byte[] payload) {
        ByteBuffer b = le(16 + payload.length);
        b.putInt(16 + payload.length).putShort((short) type).putShort((short) 0).putInt(seq)
                .putInt(0).put(payload);
        return b.flip();
    }

    private static NetlinkProtocolException rejected(boolean route, ByteBuffer datagram) {
        return assertThrows(NetlinkProtocolException.class, () -> Decode.all(route, datagram));
    }

    private static void rejectedNaming(String fragment, ByteBuffer datagram) {
        String message = rejected(false, datagram).getMessage();
        assertTrue(message.contains(fragment), message);
    }

    @Test
    void emptyAndShortDatagrams() {
        rejectedNaming("empty datagram", le(0));
        rejectedNaming("15 bytes at offset 0", le(15));
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 15, 33, 0x7fffffff, 0xffffffff, 0x80000000})
    void lyingMessageLengths(int nlmsgLen) {
        ByteBuffer b = le(32);
        b.putInt(0, nlmsgLen);
        String message = rejected(false, b).getMessage();
        assertTrue(message.contains("nlmsg_len " + Integer.toUnsignedString(nlmsgLen)), message);
    }

    @Test
    void secondMessageCutShort() {
        ByteBuffer b = le(16 + 12);
        b.putInt(0, 16).putShort(4, (short) Netlink.NLMSG_NOOP);
        rejectedNaming("12 bytes at offset 16", b);
    }

    @Test
    void lastMessageWithoutPaddingIsFine() throws Exception {
        ByteBuffer b = message(0x20, 1, new byte[] {1, 2, 3});
        assertEquals(1, NetlinkReader.read(b).size());
    }

    private static byte[] genl(byte[] attributes) {
        ByteBuffer b = le(4 + attributes.length);
        b.put((byte) MptcpPm.MPTCP_EVENT_CREATED).put((byte) 1).putShort((short) 0)
                .put(attributes);
        return b.array();
    }

    private static byte[] attribute(int len, int type, int valueBytes) {
        ByteBuffer b = le(4 + valueBytes);
        b.putShort((short) len).putShort((short) type);
        return b.array();
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 3, 9, 0xffff})
    void lyingAttributeLengths(int nlaLen) {
        ByteBuffer b = message(Decode.MPTCP_PM_FAMILY, 0, genl(attribute(nlaLen, 1, 4)));
        String message = rejected(false, b).getMessage();
        assertTrue(message.contains("nla_len " + nlaLen) && message.contains("offset 20"),
                message);
    }

    @Test
    void trailingBytesAfterAttributes() {
        byte[] attrs = new byte[8 + 2];
        ByteBuffer.wrap(attrs).order(ByteOrder.nativeOrder()).putShort((short) 8)
                .putShort((short) MptcpPm.MPTCP_ATTR_TOKEN);
        rejectedNaming("2 trailing bytes at offset 28",
                message(Decode.MPTCP_PM_FAMILY, 0, genl(attrs)));
    }

    @Test
    void attributesTooShortForTheirType() {
        rejectedNaming("u32/s32 needs 4 value bytes", message(Decode.MPTCP_PM_FAMILY, 0,
                genl(attribute(6, MptcpPm.MPTCP_ATTR_TOKEN, 4))));
        rejectedNaming("an address of 4 bytes expected", message(Decode.MPTCP_PM_FAMILY, 0,
                genl(attribute(9, MptcpPm.MPTCP_ATTR_SADDR4, 8))));
        rejectedNaming("an address of 16 bytes expected", message(Decode.MPTCP_PM_FAMILY, 0,
                genl(attribute(8, MptcpPm.MPTCP_ATTR_DADDR6, 4))));
        rejectedNaming("be16 needs 2 value bytes", message(Decode.MPTCP_PM_FAMILY, 0,
                genl(attribute(4, MptcpPm.MPTCP_ATTR_SPORT, 0))));
        rejectedNaming("u8 needs 1 value bytes", message(Decode.MPTCP_PM_FAMILY, 0,
                genl(attribute(4, MptcpPm.MPTCP_ATTR_LOC_ID, 0))));
    }

    /** {@code levels} nests of NLA_F_NESTED, each holding the next, the innermost empty. */
    private static byte[] nests(int levels) {
        ByteBuffer b = le(4 * levels);
        for (int i = 0; i < levels; i++) {
            b.putShort((short) (4 * (levels - i))).putShort((short) (99 | Netlink.NLA_F_NESTED));
        }
        return b.array();
    }

    @Test
    void nestingDepthIsCapped() throws Exception {
        // Depth 1 is the message's own attributes: MAX_DEPTH levels in all are accepted.
        Decode.all(false, message(Decode.MPTCP_PM_FAMILY, 0, genl(nests(NlAttrs.MAX_DEPTH - 1))));
        rejectedNaming("nested deeper than 8 levels",
                message(Decode.MPTCP_PM_FAMILY, 0, genl(nests(NlAttrs.MAX_DEPTH))));
        rejectedNaming("nested deeper than 8 levels",
                message(Decode.MPTCP_PM_FAMILY, 0, genl(nests(16000))));
    }

    @Test
    void shortFixedHeaders() {
        rejectedNaming("genlmsghdr at offset 0", message(Decode.MPTCP_PM_FAMILY, 0, new byte[3]));
        rejectedNaming("NLMSG_ERROR at offset 0", message(Netlink.NLMSG_ERROR, 1, new byte[19]));
        rejectedNaming("NLMSG_DONE at offset 0", message(Netlink.NLMSG_DONE, 1, new byte[2]));
        String link = rejected(true, message(RtNetlink.RTM_NEWLINK, 1, new byte[15])).getMessage();
        assertTrue(link.contains("ifinfomsg at offset 0: nlmsg_len 31"), link);
        String addr = rejected(true, message(RtNetlink.RTM_DELADDR, 1, new byte[7])).getMessage();
        assertTrue(addr.contains("ifaddrmsg"), addr);
    }

    @Test
    void errorWhoseEchoedRequestLies() {
        ByteBuffer payload = le(4 + 16);
        payload.putInt(-22).putInt(1000);
        String message = rejected(false, message(Netlink.NLMSG_ERROR, 1, payload.array()))
                .getMessage();
        assertTrue(message.contains("echoed request of nlmsg_len 1000"), message);
    }

    @Test
    void familyWithoutId() {
        ByteBuffer p = le(4 + 12);
        p.put((byte) GenlCtrl.CTRL_CMD_NEWFAMILY).put((byte) 2).putShort((short) 0)
                .putShort((short) 9).putShort((short) GenlCtrl.CTRL_ATTR_FAMILY_NAME)
                .put(new byte[] {'a', 'b', 0, 0, 0, 0, 0, 0});
        rejectedNaming("CTRL_ATTR_FAMILY_ID (type 1) missing",
                message(GenlCtrl.GENL_ID_CTRL, 1, p.array()));
    }

    @Test
    void wrongKindOfMessage() throws Exception {
        NetlinkMessage event = NetlinkReader.read(Fixtures.buffer("client-closed")).get(0);
        assertThrows(NetlinkProtocolException.class, () -> NetlinkError.decode(event));
        assertThrows(NetlinkProtocolException.class, () -> RtLink.decode(event));
        assertThrows(NetlinkProtocolException.class, () -> RtAddress.decode(event));
        assertThrows(NetlinkProtocolException.class, () -> NetlinkReader.doneError(event));
        assertThrows(NetlinkProtocolException.class,
                () -> GenlFamily.decode(GenlMessage.decode(event)));
        NetlinkMessage ack = NetlinkReader.read(Fixtures.buffer("set-limits-reply")).get(0);
        assertThrows(NetlinkProtocolException.class, () -> GenlMessage.decode(ack));
    }

    @Test
    void unknownEventTypesAndAttributesAreKept() throws Exception {
        ByteBuffer attrs = le(8 + 12);
        attrs.putShort((short) 8).putShort((short) MptcpPm.MPTCP_ATTR_TOKEN).putInt(7);
        attrs.putShort((short) 9).putShort((short) 0x3f00).put(new byte[] {1, 2, 3, 4, 5, 0, 0, 0});
        ByteBuffer p = le(4 + 20);
        p.put((byte) 99).put((byte) 1).putShort((short) 0).put(attrs.array());
        List<NetlinkMessage> ms = NetlinkReader.read(message(Decode.MPTCP_PM_FAMILY, 0, p.array()));
        PmEvent e = PmEvent.decode(GenlMessage.decode(ms.get(0)));
        assertEquals(99, e.type());
        assertEquals(7, e.token());
        assertEquals(1, e.unknown().size());
        assertEquals(0x3f00, e.unknown().get(0).type());
        assertEquals(5, e.unknown().get(0).valueLength());
    }
}
