package io.mptcp.nio.internal.options;

import io.mptcp.ffi.Errno;
import io.mptcp.ffi.ErrnoException;
import io.mptcp.ffi.LinuxSyscalls;
import io.mptcp.ffi.MptcpUapi;
import io.mptcp.ffi.NativeBuffer;
import io.mptcp.ffi.StructMptcpFullInfo;
import io.mptcp.ffi.StructMptcpInfo;
import io.mptcp.ffi.StructMptcpSubflowAddrs;
import io.mptcp.ffi.StructMptcpSubflowData;
import io.mptcp.ffi.StructMptcpSubflowInfo;
import io.mptcp.ffi.StructTcpInfo;
import io.mptcp.nio.MptcpInfo;
import io.mptcp.nio.MptcpToken;
import io.mptcp.nio.Subflow;
import io.mptcp.nio.TcpInfo;
import io.mptcp.nio.internal.netlink.InetDiagMsg;
import io.mptcp.nio.internal.netlink.InetDiagMsg.MptcpSubflowDiag;
import io.mptcp.nio.internal.netlink.SockDiag;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Reads the MPTCP state of one socket ({@code SOL_MPTCP} getsockopts) into the public value
 * types, and the subflows' flags from the socket diagnostics ({@link SubflowDiagnostics}). Not
 * a hot path: it allocates its buffers per call.
 */
public final class MptcpIntrospection {
    // Subflows asked for at first; the kernel says how many there are, and we ask again.
    private static final int FIRST_GUESS = 8;

    private final LinuxSyscalls sys;
    private final int fd;
    private final NativeSocketOptions options;
    /**
     * The interface each subflow bound to one is bound to, as a dump found it ({@code [local,
     * remote]} to ifindex): the next listing finds the subflow with one lookup instead of a
     * dump. Concurrent because options are read from any thread; entries of subflows no longer
     * listed are dropped at each listing.
     */
    private final Map<List<InetSocketAddress>, Integer> boundInterfaces =
            new ConcurrentHashMap<>();
    /**
     * Whether this thread reads {@code MPTCP_SUBFLOWS} without the flags
     * ({@link #withoutSubflowFlags}). Per thread, not per channel: the channel is the user's,
     * and only the library's own snapshot thread asks for less.
     */
    private static final ThreadLocal<Boolean> ADDRESSES_ONLY =
            ThreadLocal.withInitial(() -> Boolean.FALSE);

    public MptcpIntrospection(LinuxSyscalls sys, int fd, NativeSocketOptions options) {
        this.sys = sys;
        this.fd = fd;
        this.options = options;
    }

    /** The connection's {@code mptcp_info}; empty if it does not use MPTCP now. */
    Optional<MptcpInfo> info(String option) throws IOException {
        ByteBuffer b = direct(StructMptcpInfo.SIZEOF);
        try {
            int length;
            try {
                length = sys.getsockopt(fd, MptcpUapi.SOL_MPTCP, MptcpUapi.MPTCP_INFO, b);
            } catch (ErrnoException e) {
                requireOldKernel(option, "5.16", e);
                return Optional.empty();
            }
            return Optional.of(decodeInfo(b, 0, length));
        } finally {
            NativeBuffer.free(b);
        }
    }

    /**
     * Runs {@code body} with every {@code MPTCP_SUBFLOWS} it reads on this thread left without
     * the flags. For the event snapshots, which compare address pairs of every channel ten
     * times a second and would pay a netlink socket and a lookup per subflow for flags they
     * drop (about 0.1 ms per channel and read, against 0.02 ms without).
     */
    public static <T> T withoutSubflowFlags(Supplier<T> body) {
        Boolean before = ADDRESSES_ONLY.get();
        ADDRESSES_ONLY.set(Boolean.TRUE);
        try {
            return body.get();
        } finally {
            ADDRESSES_ONLY.set(before);
        }
    }

    /**
     * The established subflows, with their flags where the kernel tells them (unless this
     * thread runs {@link #withoutSubflowFlags}); empty if the connection does not use MPTCP
     * now.
     */
    List<Subflow> subflows() throws IOException {
        List<Subflow> subflows = addresses();
        if (subflows.isEmpty() || ADDRESSES_ONLY.get()) {
            return subflows;
        }
        Optional<MptcpInfo> info = info("MPTCP_SUBFLOWS");
        if (info.isEmpty()) {
            return subflows;
        }
        return withFlags(subflows, info.get().token().value());
    }

    /** The subflows without flags: ids, addresses and TCP figures. */
    private List<Subflow> addresses() throws IOException {
        try {
            return fromFullInfo();
        } catch (ErrnoException e) {
            if (e.errno() != Errno.EOPNOTSUPP || !options.isMptcpNow()) {
                requireOldKernel("MPTCP_SUBFLOWS", "5.16", e);
                return List.of();
            }
            // MPTCP, so the kernel does not know MPTCP_FULL_INFO: Linux 5.16 to 6.4.
        }
        try {
            return fromSubflowAddrsAndTcpInfo();
        } catch (ErrnoException e) {
            requireOldKernel("MPTCP_SUBFLOWS", "5.16", e);
            return List.of();
        }
    }

    /**
     * {@code subflows} with the flags the socket diagnostics give for each, as they are where
     * it gives none. {@code token} tells this connection's subflows from sockets of the same
     * addresses in other network namespaces.
     */
    private List<Subflow> withFlags(List<Subflow> subflows, long token) {
        Optional<SubflowDiagnostics> opened = SubflowDiagnostics.open(sys, fd);
        if (opened.isEmpty()) {
            return subflows;
        }
        try (SubflowDiagnostics diag = opened.get()) {
            List<Subflow> out = new ArrayList<>(subflows.size());
            Set<List<InetSocketAddress>> listed = new HashSet<>();
            for (Subflow s : subflows) {
                List<InetSocketAddress> key = List.of(s.local(), s.remote());
                listed.add(key);
                Optional<InetDiagMsg> d = diag.find(token, s.local(), s.remote(),
                        boundInterfaces.getOrDefault(key, 0));
                if (d.isPresent() && d.get().subflow().isPresent()) {
                    if (d.get().ifindex() != 0) {
                        boundInterfaces.put(key, d.get().ifindex());
                    }
                    out.add(withFlags(s, d.get().subflow().get()));
                } else {
                    out.add(s);
                }
            }
            boundInterfaces.keySet().retainAll(listed);
            return Collections.unmodifiableList(out);
        }
    }

    private static Subflow withFlags(Subflow s, MptcpSubflowDiag d) {
        Subflow.Builder b = Subflow.builder().local(s.local()).remote(s.remote()).tcp(s.tcp())
                .localBackup(d.has(SockDiag.MPTCP_SUBFLOW_FLAG_BKUP_LOC))
                .remoteBackup(d.has(SockDiag.MPTCP_SUBFLOW_FLAG_BKUP_REM))
                .fullyEstablished(d.has(SockDiag.MPTCP_SUBFLOW_FLAG_FULLY_ESTABLISHED));
        s.id().ifPresent(b::id);
        return b.build();
    }

    /** One consistent snapshot (Linux 6.5). */
    private List<Subflow> fromFullInfo() throws ErrnoException {
        int entries = FIRST_GUESS;
        while (true) {
            ByteBuffer info = direct(StructMptcpFullInfo.SIZEOF);
            ByteBuffer sf = direct(entries * StructMptcpSubflowInfo.SIZEOF);
            ByteBuffer tcp = direct(entries * StructTcpInfo.SIZEOF);
            try {
                StructMptcpFullInfo.prepare(info, 0, entries, StructMptcpSubflowInfo.SIZEOF,
                        StructTcpInfo.SIZEOF);
                sys.getsockoptMptcpFullInfo(fd, info, sf, tcp);
                int count = StructMptcpFullInfo.numSubflows(info, 0);
                if (count > entries) {
                    entries = count;
                    continue;
                }
                // The kernel strides both arrays by the element sizes it clamped and wrote back.
                int sfStride = StructMptcpFullInfo.sizeSfinfoUser(info, 0);
                int tcpStride = StructMptcpFullInfo.sizeTcpinfoUser(info, 0);
                List<Subflow> subflows = new ArrayList<>(count);
                for (int i = 0; i < count; i++) {
                    TcpInfo t = decodeTcpInfo(tcp, i * tcpStride, tcpStride);
                    if (t.isEstablished()) {
                        int base = i * sfStride;
                        subflows.add(Subflow.builder()
                                .id(StructMptcpSubflowInfo.id(sf, base))
                                .local(StructMptcpSubflowInfo.local(sf, base))
                                .remote(StructMptcpSubflowInfo.remote(sf, base))
                                .tcp(t)
                                .build());
                    }
                }
                return Collections.unmodifiableList(subflows);
            } finally {
                free(info, sf, tcp);
            }
        }
    }

    /** Two calls that may race with a subflow change, paired by position (Linux 5.16). */
    private List<Subflow> fromSubflowAddrsAndTcpInfo() throws ErrnoException {
        int header = StructMptcpSubflowData.SIZEOF;
        int entries = FIRST_GUESS;
        while (true) {
            ByteBuffer addrs = direct(header + entries * StructMptcpSubflowAddrs.SIZEOF);
            ByteBuffer tcp = direct(header + entries * StructTcpInfo.SIZEOF);
            try {
                StructMptcpSubflowData.prepare(addrs, 0, StructMptcpSubflowAddrs.SIZEOF);
                StructMptcpSubflowData.prepare(tcp, 0, StructTcpInfo.SIZEOF);
                sys.getsockopt(fd, MptcpUapi.SOL_MPTCP, MptcpUapi.MPTCP_SUBFLOW_ADDRS, addrs);
                sys.getsockopt(fd, MptcpUapi.SOL_MPTCP, MptcpUapi.MPTCP_TCPINFO, tcp);
                int addrCount = StructMptcpSubflowData.numSubflows(addrs, 0);
                int tcpCount = StructMptcpSubflowData.numSubflows(tcp, 0);
                if (Math.max(addrCount, tcpCount) > entries) {
                    entries = Math.max(addrCount, tcpCount);
                    continue;
                }
                int addrStride = StructMptcpSubflowData.sizeUser(addrs, 0);
                int tcpStride = StructMptcpSubflowData.sizeUser(tcp, 0);
                int count = Math.min(addrCount, tcpCount);
                List<Subflow> subflows = new ArrayList<>(count);
                for (int i = 0; i < count; i++) {
                    TcpInfo t = decodeTcpInfo(tcp, header + i * tcpStride, tcpStride);
                    if (t.isEstablished()) {
                        int base = header + i * addrStride;
                        // No ids before Linux 6.5.
                        subflows.add(Subflow.builder()
                                .local(StructMptcpSubflowAddrs.local(addrs, base))
                                .remote(StructMptcpSubflowAddrs.remote(addrs, base))
                                .tcp(t)
                                .build());
                    }
                }
                return Collections.unmodifiableList(subflows);
            } finally {
                free(addrs, tcp);
            }
        }
    }

    /**
     * After the kernel refused an MPTCP getsockopt: returns normally if the connection does not
     * use MPTCP now (never did, or fell back), the caller's "empty" answer; throws if it does,
     * because then the kernel is too old for {@code option}. Keeps the errno as the cause.
     */
    private void requireOldKernel(String option, String needs, ErrnoException e)
            throws IOException {
        if (options.isMptcpNow()) {
            SocketException x = new SocketException("getOption(" + option + "): the connection"
                    + " uses MPTCP but this kernel cannot report it (needs Linux " + needs
                    + " or later)");
            x.initCause(e);
            throw x;
        }
    }

    /**
     * Zeroed native memory for one getsockopt, freed by the caller when the values are decoded
     * ({@link #free}): a connection's state is read often (Netty reads every supported option),
     * and direct buffers left to the collector would pile up between collections.
     */
    private static ByteBuffer direct(int size) {
        return NativeBuffer.allocate(size).order(ByteOrder.nativeOrder());
    }

    private static void free(ByteBuffer... buffers) {
        for (ByteBuffer b : buffers) {
            NativeBuffer.free(b);
        }
    }

    /**
     * The {@code mptcp_info} of {@code length} bytes at {@code base}. Fields every kernel with
     * {@code MPTCP_INFO} (5.16) returns are read as they are; a field a later kernel added is
     * reported only when the kernel returned all of the fields that came with it. Length alone
     * decides, because two of those fields sit where an older kernel returns zeroed padding:
     * {@code mptcpi_retransmits} (6.5) within the 48 bytes of 5.12 to 6.4, and
     * {@code mptcpi_last_data_sent} (6.10) within the 88 bytes of 6.8 and 6.9.
     * {@code mptcpi_endp_laminar_max} (6.18) cannot be told apart from the zeroed byte 6.8 to
     * 6.17 return and is reported from 6.8 on, as 0 where laminar endpoints do not exist.
     */
    static MptcpInfo decodeInfo(ByteBuffer b, int base, int length) {
        MptcpInfo.Builder info = MptcpInfo.builder()
                .extraSubflows(StructMptcpInfo.subflows(b, base, length))
                .addAddrSignal(StructMptcpInfo.addAddrSignal(b, base, length))
                .addAddrAccepted(StructMptcpInfo.addAddrAccepted(b, base, length))
                .extraSubflowsMax(StructMptcpInfo.subflowsMax(b, base, length))
                .addAddrSignalMax(StructMptcpInfo.addAddrSignalMax(b, base, length))
                .addAddrAcceptedMax(StructMptcpInfo.addAddrAcceptedMax(b, base, length))
                .flags(StructMptcpInfo.flags(b, base, length))
                .token(new MptcpToken(Math.max(0, StructMptcpInfo.token(b, base, length))))
                .writeSeq(StructMptcpInfo.writeSeq(b, base, length))
                .sndUna(StructMptcpInfo.sndUna(b, base, length))
                .rcvNxt(StructMptcpInfo.rcvNxt(b, base, length))
                .localAddrUsed(StructMptcpInfo.localAddrUsed(b, base, length))
                .localAddrMax(StructMptcpInfo.localAddrMax(b, base, length))
                .checksumEnabled(StructMptcpInfo.csumEnabled(b, base, length) == 1);
        // Linux 6.5: retransmits and the four byte counters, ending with mptcpi_bytes_acked.
        if (length >= StructMptcpInfo.MPTCPI_BYTES_ACKED + Long.BYTES) {
            info.retransmits(StructMptcpInfo.retransmits(b, base, length))
                    .bytesRetransmitted(StructMptcpInfo.bytesRetrans(b, base, length))
                    .bytesSent(StructMptcpInfo.bytesSent(b, base, length))
                    .bytesReceived(StructMptcpInfo.bytesReceived(b, base, length))
                    .bytesAcked(StructMptcpInfo.bytesAcked(b, base, length));
        }
        // Linux 6.8: mptcpi_subflows_total, then the byte 6.18 names mptcpi_endp_laminar_max.
        if (length >= StructMptcpInfo.MPTCPI_ENDP_LAMINAR_MAX + Byte.BYTES) {
            info.subflowsTotal(StructMptcpInfo.subflowsTotal(b, base, length))
                    .endpointsLaminarMax(StructMptcpInfo.endpLaminarMax(b, base, length));
        }
        // Linux 6.10: the three last-activity times, ending with mptcpi_last_ack_recv.
        if (length >= StructMptcpInfo.MPTCPI_LAST_ACK_RECV + Integer.BYTES) {
            info.lastDataSentMillis(StructMptcpInfo.lastDataSent(b, base, length))
                    .lastDataReceivedMillis(StructMptcpInfo.lastDataRecv(b, base, length))
                    .lastAckReceivedMillis(StructMptcpInfo.lastAckRecv(b, base, length));
        }
        return info.build();
    }

    static TcpInfo decodeTcpInfo(ByteBuffer b, int base, int length) {
        return TcpInfo.builder()
                .state(StructTcpInfo.state(b, base, length))
                .rttMicros(StructTcpInfo.rtt(b, base, length))
                .rttVarMicros(StructTcpInfo.rttvar(b, base, length))
                .sndCwnd(StructTcpInfo.sndCwnd(b, base, length))
                .bytesSent(StructTcpInfo.bytesSent(b, base, length))
                .bytesAcked(StructTcpInfo.bytesAcked(b, base, length))
                .bytesReceived(StructTcpInfo.bytesReceived(b, base, length))
                .retransmits(StructTcpInfo.totalRetrans(b, base, length))
                .deliveryRateBytesPerSecond(StructTcpInfo.deliveryRate(b, base, length))
                .pacingRateBytesPerSecond(StructTcpInfo.pacingRate(b, base, length))
                .build();
    }
}
