package io.mptcp.nio.internal.netlink;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A decoded message of the {@code mptcp_pm_events} group, kernel fields under Java names.
 * Numbers the kernel did not send are {@link #ABSENT} (-1); which ones it sends depends on the
 * event type (see {@code MptcpPm}). Byte orders are resolved: ports are numbers, addresses
 * {@link InetAddress}.
 *
 * @param type {@code MPTCP_EVENT_*}, known or not
 * @param token {@code MPTCP_ATTR_TOKEN}, unsigned 32-bit
 * @param family {@code MPTCP_ATTR_FAMILY}
 * @param localId {@code MPTCP_ATTR_LOC_ID}
 * @param remoteId {@code MPTCP_ATTR_REM_ID}
 * @param source {@code MPTCP_ATTR_SADDR4} or {@code SADDR6}
 * @param destination {@code MPTCP_ATTR_DADDR4} or {@code DADDR6}
 * @param sourcePort {@code MPTCP_ATTR_SPORT} (network order on the wire)
 * @param destinationPort {@code MPTCP_ATTR_DPORT} (network order on the wire)
 * @param backup {@code MPTCP_ATTR_BACKUP}: the PEER's backup flag of the subflow
 * @param error {@code MPTCP_ATTR_ERROR}: the subflow's socket error (an errno)
 * @param flags {@code MPTCP_ATTR_FLAGS} ({@code MPTCP_PM_EV_FLAG_*})
 * @param timeout {@code MPTCP_ATTR_TIMEOUT} (never sent upstream)
 * @param ifIndex {@code MPTCP_ATTR_IF_IDX}
 * @param resetReason {@code MPTCP_ATTR_RESET_REASON} ({@code MPTCP_RST_*})
 * @param resetFlags {@code MPTCP_ATTR_RESET_FLAGS}
 * @param serverSide {@code MPTCP_ATTR_SERVER_SIDE} (deprecated in 6.18)
 * @param unknown attributes this codec does not know, kept in order
 * @param attributes every attribute as received, known or not
 */
public record PmEvent(int type, long token, int family, int localId, int remoteId,
        Optional<InetAddress> source, Optional<InetAddress> destination, int sourcePort,
        int destinationPort, int backup, int error, int flags, long timeout, int ifIndex,
        long resetReason, long resetFlags, int serverSide, List<NlAttr> unknown,
        NlAttrs attributes) {

    /** The value of a number the kernel did not send. */
    public static final int ABSENT = -1;

    public PmEvent {
        unknown = List.copyOf(unknown);
    }

    /** Decodes {@code m}, a message of the mptcp_pm family received on its events group. */
    public static PmEvent decode(GenlMessage m) throws NetlinkProtocolException {
        Fields f = new Fields();
        for (NlAttr a : m.attributes().all()) {
            f.take(a);
        }
        return new PmEvent(m.command(), f.token, f.family, f.localId, f.remoteId,
                Optional.ofNullable(f.source), Optional.ofNullable(f.destination), f.sourcePort,
                f.destinationPort, f.backup, f.error, f.flags, f.timeout, f.ifIndex,
                f.resetReason, f.resetFlags, f.serverSide, f.unknown, m.attributes());
    }

    /** The fields while they are collected; null addresses are turned into empty Optionals. */
    private static final class Fields {
        long token = ABSENT;
        int family = ABSENT;
        int localId = ABSENT;
        int remoteId = ABSENT;
        InetAddress source;
        InetAddress destination;
        int sourcePort = ABSENT;
        int destinationPort = ABSENT;
        int backup = ABSENT;
        int error = ABSENT;
        int flags = ABSENT;
        long timeout = ABSENT;
        int ifIndex = ABSENT;
        long resetReason = ABSENT;
        long resetFlags = ABSENT;
        int serverSide = ABSENT;
        final List<NlAttr> unknown = new ArrayList<>();

        void take(NlAttr a) throws NetlinkProtocolException {
            switch (a.type()) {
                case MptcpPm.MPTCP_ATTR_TOKEN -> token = a.u32();
                case MptcpPm.MPTCP_ATTR_FAMILY -> family = a.u16();
                case MptcpPm.MPTCP_ATTR_LOC_ID -> localId = a.u8();
                case MptcpPm.MPTCP_ATTR_REM_ID -> remoteId = a.u8();
                case MptcpPm.MPTCP_ATTR_SADDR4 -> source = a.address(4);
                case MptcpPm.MPTCP_ATTR_SADDR6 -> source = a.address(16);
                case MptcpPm.MPTCP_ATTR_DADDR4 -> destination = a.address(4);
                case MptcpPm.MPTCP_ATTR_DADDR6 -> destination = a.address(16);
                // IMPORTANT: event ports are be16 (nla_put_be16), unlike the command's PORT.
                case MptcpPm.MPTCP_ATTR_SPORT -> sourcePort = a.be16();
                case MptcpPm.MPTCP_ATTR_DPORT -> destinationPort = a.be16();
                case MptcpPm.MPTCP_ATTR_BACKUP -> backup = a.u8();
                case MptcpPm.MPTCP_ATTR_ERROR -> error = a.u8();
                case MptcpPm.MPTCP_ATTR_FLAGS -> flags = a.u16();
                case MptcpPm.MPTCP_ATTR_TIMEOUT -> timeout = a.u32();
                case MptcpPm.MPTCP_ATTR_IF_IDX -> ifIndex = a.s32();
                case MptcpPm.MPTCP_ATTR_RESET_REASON -> resetReason = a.u32();
                case MptcpPm.MPTCP_ATTR_RESET_FLAGS -> resetFlags = a.u32();
                case MptcpPm.MPTCP_ATTR_SERVER_SIDE -> serverSide = a.u8();
                default -> unknown.add(a);
            }
        }
    }
}
