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

import java.io.IOException;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/**
 * Reads the MPTCP state of one socket ({@code SOL_MPTCP} getsockopts) into the public value
 * types. Not a hot path: it allocates its buffers per call.
 */
public final class MptcpIntrospection {
    // Subflows asked for at first; the kernel says how many there are, and we ask again.
    private static final int FIRST_GUESS = 8;

    private final LinuxSyscalls sys;
    private final int fd;
    private final NativeSocketOptions options;

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

    /** The established subflows; empty if the connection does not use MPTCP now. */
    List<Subflow> subflows() throws IOException {
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
                        subflows.add(new Subflow(StructMptcpSubflowInfo.id(sf, base),
                                StructMptcpSubflowInfo.local(sf, base),
                                StructMptcpSubflowInfo.remote(sf, base), t));
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
                        subflows.add(new Subflow(-1, StructMptcpSubflowAddrs.local(addrs, base),
                                StructMptcpSubflowAddrs.remote(addrs, base), t));
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

    static MptcpInfo decodeInfo(ByteBuffer b, int base, int length) {
        return new MptcpInfo(
                StructMptcpInfo.subflows(b, base, length),
                StructMptcpInfo.addAddrSignal(b, base, length),
                StructMptcpInfo.addAddrAccepted(b, base, length),
                StructMptcpInfo.subflowsMax(b, base, length),
                StructMptcpInfo.addAddrSignalMax(b, base, length),
                StructMptcpInfo.addAddrAcceptedMax(b, base, length),
                StructMptcpInfo.flags(b, base, length),
                new MptcpToken(Math.max(0, StructMptcpInfo.token(b, base, length))),
                StructMptcpInfo.writeSeq(b, base, length),
                StructMptcpInfo.sndUna(b, base, length),
                StructMptcpInfo.rcvNxt(b, base, length),
                StructMptcpInfo.localAddrUsed(b, base, length),
                StructMptcpInfo.localAddrMax(b, base, length),
                StructMptcpInfo.csumEnabled(b, base, length),
                StructMptcpInfo.retransmits(b, base, length),
                StructMptcpInfo.bytesRetrans(b, base, length),
                StructMptcpInfo.bytesSent(b, base, length),
                StructMptcpInfo.bytesReceived(b, base, length),
                StructMptcpInfo.bytesAcked(b, base, length),
                StructMptcpInfo.subflowsTotal(b, base, length),
                StructMptcpInfo.endpLaminarMax(b, base, length),
                StructMptcpInfo.lastDataSent(b, base, length),
                StructMptcpInfo.lastDataRecv(b, base, length),
                StructMptcpInfo.lastAckRecv(b, base, length));
    }

    static TcpInfo decodeTcpInfo(ByteBuffer b, int base, int length) {
        return new TcpInfo(
                StructTcpInfo.state(b, base, length),
                StructTcpInfo.rtt(b, base, length),
                StructTcpInfo.rttvar(b, base, length),
                StructTcpInfo.sndCwnd(b, base, length),
                StructTcpInfo.bytesSent(b, base, length),
                StructTcpInfo.bytesAcked(b, base, length),
                StructTcpInfo.bytesReceived(b, base, length),
                StructTcpInfo.totalRetrans(b, base, length),
                StructTcpInfo.deliveryRate(b, base, length),
                StructTcpInfo.pacingRate(b, base, length));
    }
}
