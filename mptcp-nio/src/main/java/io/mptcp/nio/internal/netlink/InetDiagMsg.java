package io.mptcp.nio.internal.netlink;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.Optional;

/**
 * A decoded {@code SOCK_DIAG_BY_FAMILY} answer for one TCP socket: {@code struct inet_diag_msg}
 * and, when the socket is an MPTCP subflow and the kernel tells this caller, the subflow's
 * MPTCP attributes ({@code INET_DIAG_ULP_INFO} → {@code INET_ULP_INFO_MPTCP}).
 *
 * <p>Who is told what (net/mptcp/diag.c, net/ipv4/tcp_diag.c): from Linux 6.15 (commit "tcp:
 * ulp: diag: more info without CAP_NET_ADMIN", net-next March 2025) the kernel gives the
 * subflow's tokens, flags and address ids to any caller and its sequence numbers only to
 * {@code CAP_NET_ADMIN}; older kernels give the whole ULP info only to {@code CAP_NET_ADMIN},
 * and then {@link #subflow} is empty.
 *
 * @param family {@code idiag_family}: {@link SockDiag#AF_INET} or {@link SockDiag#AF_INET6}
 *     (an IPv6 socket with v4-mapped addresses has IPv4 addresses here)
 * @param state {@code idiag_state}, a TCP state
 * @param local {@code idiag_src} and {@code idiag_sport}
 * @param remote {@code idiag_dst} and {@code idiag_dport}
 * @param ifindex {@code idiag_if}: the interface the socket is bound to, or 0
 * @param subflow the MPTCP subflow attributes, if the answer has them
 * @param attributes all attributes, known or not
 */
public record InetDiagMsg(int family, int state, InetSocketAddress local,
        InetSocketAddress remote, int ifindex, Optional<MptcpSubflowDiag> subflow,
        NlAttrs attributes) {

    /**
     * The MPTCP attributes of a subflow ({@code INET_ULP_INFO_MPTCP}).
     *
     * @param localToken {@code MPTCP_SUBFLOW_ATTR_TOKEN_LOC}: this host's token of the
     *     connection (what {@code mptcpi_token} says on its socket), or -1
     * @param remoteToken {@code MPTCP_SUBFLOW_ATTR_TOKEN_REM}, or -1
     * @param flags {@code MPTCP_SUBFLOW_ATTR_FLAGS}, {@code MPTCP_SUBFLOW_FLAG_*} bits
     * @param localId {@code MPTCP_SUBFLOW_ATTR_ID_LOC}, or -1
     * @param remoteId {@code MPTCP_SUBFLOW_ATTR_ID_REM}, or -1
     * @param attributes all of its attributes, known or not
     */
    public record MptcpSubflowDiag(long localToken, long remoteToken, int flags, int localId,
            int remoteId, NlAttrs attributes) {

        /** Whether all of {@code mask} ({@code MPTCP_SUBFLOW_FLAG_*}) is set. */
        public boolean has(int mask) {
            return (flags & mask) == mask;
        }
    }

    /**
     * Whether this answer is the socket {@code local} to {@code remote}: same ports and the
     * same address bytes (IPv4 and v4-mapped alike; the IPv6 scope is left out, the kernel
     * reports the interface apart), and not a listener.
     */
    public boolean matches(InetSocketAddress local, InetSocketAddress remote) {
        return state != SockDiag.TCP_LISTEN && same(this.local, local)
                && same(this.remote, remote);
    }

    private static boolean same(InetSocketAddress a, InetSocketAddress b) {
        return a.getPort() == b.getPort() && !b.isUnresolved()
                && Arrays.equals(a.getAddress().getAddress(), b.getAddress().getAddress());
    }

    /**
     * Decodes {@code m}, a {@link SockDiag#SOCK_DIAG_BY_FAMILY} answer of the TCP diag.
     *
     * @throws NetlinkProtocolException if it is another type or malformed, or its family is
     *     neither IPv4 nor IPv6
     */
    public static InetDiagMsg decode(NetlinkMessage m) throws NetlinkProtocolException {
        if (m.header().type() != SockDiag.SOCK_DIAG_BY_FAMILY) {
            throw new NetlinkProtocolException("message at offset " + m.offset() + " is type "
                    + m.header().type() + ", not SOCK_DIAG_BY_FAMILY");
        }
        NlAttrs a = m.attributesAfter(SockDiag.SIZEOF_MSG, "inet_diag_msg");
        int at = m.payloadOffset();
        int family = Region.u8(m.data(), at);
        int size;
        if (family == SockDiag.AF_INET) {
            size = 4;
        } else if (family == SockDiag.AF_INET6) {
            size = 16;
        } else {
            throw new NetlinkProtocolException("inet_diag_msg at offset " + m.offset()
                    + ": idiag_family " + family + " is neither AF_INET nor AF_INET6");
        }
        int id = at + 4;
        InetSocketAddress local = new InetSocketAddress(
                address(Region.bytes(m.data(), id + 4, size)), Region.be16(m.data(), id));
        InetSocketAddress remote = new InetSocketAddress(
                address(Region.bytes(m.data(), id + 20, size)), Region.be16(m.data(), id + 2));
        return new InetDiagMsg(family, Region.u8(m.data(), at + 1), local, remote,
                Region.s32(m.data(), id + 36), subflow(a), a);
    }

    /**
     * The MPTCP nest inside {@code INET_DIAG_ULP_INFO}. Both nests are written without
     * {@code NLA_F_NESTED} ({@code nla_nest_start_noflag}), so they are parsed by type here.
     * An answer without the nest, or a nest without the flags, is a subflow the kernel tells
     * nothing about: empty.
     */
    private static Optional<MptcpSubflowDiag> subflow(NlAttrs a) throws NetlinkProtocolException {
        Optional<NlAttr> ulp = a.find(SockDiag.INET_DIAG_ULP_INFO);
        if (ulp.isEmpty()) {
            return Optional.empty();
        }
        NlAttrs ulpInfo = a.nested(ulp.get());
        Optional<NlAttr> mptcp = ulpInfo.find(SockDiag.INET_ULP_INFO_MPTCP);
        if (mptcp.isEmpty()) {
            return Optional.empty();
        }
        NlAttrs sf = ulpInfo.nested(mptcp.get());
        Optional<NlAttr> flags = sf.find(SockDiag.MPTCP_SUBFLOW_ATTR_FLAGS);
        if (flags.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new MptcpSubflowDiag(u32(sf, SockDiag.MPTCP_SUBFLOW_ATTR_TOKEN_LOC),
                u32(sf, SockDiag.MPTCP_SUBFLOW_ATTR_TOKEN_REM), flags.get().s32(),
                u8(sf, SockDiag.MPTCP_SUBFLOW_ATTR_ID_LOC),
                u8(sf, SockDiag.MPTCP_SUBFLOW_ATTR_ID_REM), sf));
    }

    private static long u32(NlAttrs attributes, int type) throws NetlinkProtocolException {
        Optional<NlAttr> a = attributes.find(type);
        return a.isPresent() ? a.get().u32() : -1;
    }

    private static int u8(NlAttrs attributes, int type) throws NetlinkProtocolException {
        Optional<NlAttr> a = attributes.find(type);
        return a.isPresent() ? a.get().u8() : -1;
    }

    private static InetAddress address(byte[] raw) {
        try {
            // 16 bytes of a v4-mapped address come back as the IPv4 address.
            return InetAddress.getByAddress(raw);
        } catch (UnknownHostException e) {
            throw new IllegalStateException("4 or 16 bytes are always an address", e);
        }
    }
}
