package io.mptcp.nio.internal.netlink;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Builds one netlink request in host byte order: the header, an optional genlmsghdr,
 * attributes padded to 4 bytes, nests whose length is filled in when they end. Not
 * thread-safe; reusable after {@link #finish()}.
 *
 * <pre>
 * byte[] request = new NetlinkWriter()
 *         .begin(familyId, NLM_F_REQUEST | NLM_F_ACK, seq).genl(cmd, version)
 *         .u32(MPTCP_PM_ATTR_TOKEN, token).finish();
 * </pre>
 */
public final class NetlinkWriter {
    /** Larger requests are a bug here: the kernel caps one message far below this. */
    private static final int MAX_MESSAGE = 1 << 20;

    private ByteBuffer out = ByteBuffer.allocate(256).order(ByteOrder.nativeOrder());
    private boolean open;

    /** Starts a message: {@code nlmsg_len} is set by {@link #finish()}, {@code nlmsg_pid} 0. */
    public NetlinkWriter begin(int type, int flags, int sequence) {
        out.clear();
        open = true;
        out.putInt(0).putShort((short) type).putShort((short) flags).putInt(sequence).putInt(0);
        return this;
    }

    /** The {@code struct genlmsghdr}. */
    public NetlinkWriter genl(int command, int version) {
        ensure(GenlCtrl.GENL_HDRLEN);
        out.put((byte) command).put((byte) version).putShort((short) 0);
        return this;
    }

    /** Raw bytes of a fixed header (e.g. {@code ifinfomsg}), padded to 4 bytes. */
    public NetlinkWriter fixed(byte[] header) {
        ensure(Netlink.align(header.length));
        out.put(header);
        pad();
        return this;
    }

    public NetlinkWriter u8(int type, int value) {
        return attribute(type, 1).put((byte) value).pad();
    }

    public NetlinkWriter u16(int type, int value) {
        return attribute(type, 2).putShort((short) value).pad();
    }

    /** A network-order u16 (no {@code NLA_F_NET_BYTEORDER}, as the kernel's NLA_BE16). */
    public NetlinkWriter be16(int type, int value) {
        return attribute(type, 2).put((byte) (value >> 8)).put((byte) value).pad();
    }

    public NetlinkWriter u32(int type, long value) {
        return attribute(type, 4).putInt((int) value).pad();
    }

    public NetlinkWriter s32(int type, int value) {
        return attribute(type, 4).putInt(value).pad();
    }

    public NetlinkWriter bytes(int type, byte[] value) {
        return attribute(type, value.length).put(value).pad();
    }

    /** A NUL-terminated string (UTF-8). */
    public NetlinkWriter string(int type, String value) {
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        return attribute(type, bytes.length + 1).put(bytes).put((byte) 0).pad();
    }

    /**
     * Opens nest {@code type}, flagged {@link Netlink#NLA_F_NESTED}.
     *
     * @return the nest's offset, for {@link #endNest}
     */
    public int beginNest(int type) {
        int start = out.position();
        attribute(type | Netlink.NLA_F_NESTED, 0);
        return start;
    }

    /** Closes the nest opened at {@code start}: its {@code nla_len} covers its attributes. */
    public NetlinkWriter endNest(int start) {
        out.putShort(start, (short) (out.position() - start));
        return this;
    }

    /** Completes the message and returns its bytes. */
    public byte[] finish() {
        if (!open) {
            throw new IllegalStateException("no message begun");
        }
        open = false;
        out.putInt(0, out.position());
        return Arrays.copyOf(out.array(), out.position());
    }

    private NetlinkWriter pad() {
        while ((out.position() & (Netlink.NLMSG_ALIGNTO - 1)) != 0) {
            out.put((byte) 0);
        }
        return this;
    }

    /** Writes an attribute header for a value of {@code length} bytes; the value follows. */
    private Value attribute(int type, int length) {
        if (!open) {
            throw new IllegalStateException("no message begun");
        }
        if (length > 0xffff - Netlink.NLA_HDRLEN) {
            throw new IllegalArgumentException("attribute value of " + length + " bytes");
        }
        ensure(Netlink.NLA_HDRLEN + Netlink.align(length));
        out.putShort((short) (Netlink.NLA_HDRLEN + length)).putShort((short) type);
        return new Value();
    }

    private void ensure(int n) {
        if (out.remaining() >= n) {
            return;
        }
        int size = Math.max(out.capacity() * 2, out.position() + n);
        if (size > MAX_MESSAGE) {
            throw new IllegalArgumentException("netlink request over " + MAX_MESSAGE + " bytes");
        }
        ByteBuffer bigger = ByteBuffer.allocate(size).order(ByteOrder.nativeOrder());
        out.flip();
        bigger.put(out);
        out = bigger;
    }

    /** The value of the attribute just begun; padding follows with {@link #pad()}. */
    private final class Value {
        Value put(byte b) {
            out.put(b);
            return this;
        }

        Value put(byte[] bytes) {
            out.put(bytes);
            return this;
        }

        Value putShort(short s) {
            out.putShort(s);
            return this;
        }

        Value putInt(int i) {
            out.putInt(i);
            return this;
        }

        NetlinkWriter pad() {
            return NetlinkWriter.this.pad();
        }
    }
}
