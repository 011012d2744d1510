package io.mptcp.nio.internal.netlink;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * One attribute ({@code struct nlattr} and its value) inside a received datagram. Its bytes are
 * already known to lie inside the datagram; the typed getters check that the value is long
 * enough for the type and throw {@link NetlinkProtocolException} when it is not. Like the
 * kernel's {@code nla_get_*}, a longer value is read from its start (a kernel may widen an
 * attribute), except addresses, whose length must be exact.
 *
 * <p>Integers are host byte order unless the attribute carries
 * {@link Netlink#NLA_F_NET_BYTEORDER}, whose meaning is that the value is big-endian; the
 * {@code be*} getters read network order whatever the flag says (the kernel's {@code NLA_BE*}
 * types do not set it). Equality is by type, flags and value bytes.
 */
public final class NlAttr {
    private final ByteBuffer data;
    private final int offset;
    private final int length;
    private final int rawType;

    NlAttr(ByteBuffer data, int offset, int length, int rawType) {
        this.data = data;
        this.offset = offset;
        this.length = length;
        this.rawType = rawType;
    }

    /** The type without {@code NLA_F_NESTED} and {@code NLA_F_NET_BYTEORDER}. */
    public int type() {
        return rawType & Netlink.NLA_TYPE_MASK;
    }

    /** Whether {@link Netlink#NLA_F_NESTED} is set. */
    public boolean isNested() {
        return (rawType & Netlink.NLA_F_NESTED) != 0;
    }

    /** Whether {@link Netlink#NLA_F_NET_BYTEORDER} is set. */
    public boolean isNetByteOrder() {
        return (rawType & Netlink.NLA_F_NET_BYTEORDER) != 0;
    }

    /** Offset of the {@code struct nlattr} in its datagram (as extack OFFS counts it). */
    public int offset() {
        return offset;
    }

    /** Bytes of the value ({@code nla_len} less the 4-byte header). */
    public int valueLength() {
        return length - Netlink.NLA_HDRLEN;
    }

    int valueOffset() {
        return offset + Netlink.NLA_HDRLEN;
    }

    ByteBuffer data() {
        return data;
    }

    /** A copy of the value bytes. */
    public byte[] bytes() {
        return Region.bytes(data, valueOffset(), valueLength());
    }

    private void need(int n, String kind) throws NetlinkProtocolException {
        if (valueLength() < n) {
            throw new NetlinkProtocolException("attribute type " + type() + " at offset " + offset
                    + ": " + kind + " needs " + n + " value bytes, nla_len " + length + " has "
                    + valueLength());
        }
    }

    public int u8() throws NetlinkProtocolException {
        need(1, "u8");
        return Region.u8(data, valueOffset());
    }

    public int u16() throws NetlinkProtocolException {
        need(2, "u16");
        int at = valueOffset();
        return isNetByteOrder() ? Region.be16(data, at) : Region.u16(data, at);
    }

    /** A network-order u16, such as a port in an mptcp_pm event. */
    public int be16() throws NetlinkProtocolException {
        need(2, "be16");
        return Region.be16(data, valueOffset());
    }

    public long u32() throws NetlinkProtocolException {
        return Integer.toUnsignedLong(s32());
    }

    public int s32() throws NetlinkProtocolException {
        need(4, "u32/s32");
        int at = valueOffset();
        return isNetByteOrder() ? Region.be32(data, at) : Region.s32(data, at);
    }

    /** An IPv4 address of exactly 4 bytes, or an IPv6 address of exactly 16. */
    public InetAddress address(int size) throws NetlinkProtocolException {
        if (valueLength() != size) {
            throw new NetlinkProtocolException("attribute type " + type() + " at offset " + offset
                    + ": an address of " + size + " bytes expected, nla_len " + length
                    + " holds " + valueLength());
        }
        try {
            return InetAddress.getByAddress(bytes());
        } catch (UnknownHostException e) {
            throw new IllegalStateException("4 or 16 bytes are always an address", e);
        }
    }

    /** IPv4 or IPv6 by the value's length (4 or 16), as rtnetlink sends addresses. */
    public InetAddress address() throws NetlinkProtocolException {
        return address(valueLength() == 16 ? 16 : 4);
    }

    /** A string up to its first NUL (or the whole value), decoded as UTF-8. */
    public String string() {
        int n = 0;
        while (n < valueLength() && data.get(valueOffset() + n) != 0) {
            n++;
        }
        return new String(Region.bytes(data, valueOffset(), n), StandardCharsets.UTF_8);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NlAttr a && a.rawType == rawType && Arrays.equals(a.bytes(), bytes());
    }

    @Override
    public int hashCode() {
        return 31 * rawType + Arrays.hashCode(bytes());
    }

    @Override
    public String toString() {
        StringBuilder hex = new StringBuilder();
        for (byte b : bytes()) {
            hex.append(Character.forDigit((b >> 4) & 0xf, 16))
                    .append(Character.forDigit(b & 0xf, 16));
        }
        return "NlAttr[type=" + type() + (isNested() ? ",nested" : "")
                + (isNetByteOrder() ? ",net" : "") + ",value=" + hex + "]";
    }
}
