package io.mptcp.ffi;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/**
 * The derived layouts against numbers measured in C: mptcp structs from
 * shared/reference/linux-mptcp-api.md §2.1 (offsetof on x86-64, 6.18.10 uapi), tcp_info up to
 * {@code tcpi_snd_wnd} from offsetof against the installed 6.1 uapi and beyond from the 6.18
 * header (its 280 bytes are what the kernel here returns), sockaddr, pollfd and iovec from
 * offsetof against glibc.
 */
class StructLayoutTest {

    @Test
    void mptcpInfo() {
        assertAll(
                () -> assertEquals(96, StructMptcpInfo.SIZEOF, "sizeof"),
                () -> assertEquals(0, StructMptcpInfo.MPTCPI_SUBFLOWS),
                () -> assertEquals(1, StructMptcpInfo.MPTCPI_ADD_ADDR_SIGNAL),
                () -> assertEquals(2, StructMptcpInfo.MPTCPI_ADD_ADDR_ACCEPTED),
                () -> assertEquals(3, StructMptcpInfo.MPTCPI_SUBFLOWS_MAX),
                () -> assertEquals(4, StructMptcpInfo.MPTCPI_ADD_ADDR_SIGNAL_MAX),
                () -> assertEquals(5, StructMptcpInfo.MPTCPI_ADD_ADDR_ACCEPTED_MAX),
                () -> assertEquals(8, StructMptcpInfo.MPTCPI_FLAGS),
                () -> assertEquals(12, StructMptcpInfo.MPTCPI_TOKEN),
                () -> assertEquals(16, StructMptcpInfo.MPTCPI_WRITE_SEQ),
                () -> assertEquals(24, StructMptcpInfo.MPTCPI_SND_UNA),
                () -> assertEquals(32, StructMptcpInfo.MPTCPI_RCV_NXT),
                () -> assertEquals(40, StructMptcpInfo.MPTCPI_LOCAL_ADDR_USED),
                () -> assertEquals(41, StructMptcpInfo.MPTCPI_LOCAL_ADDR_MAX),
                () -> assertEquals(42, StructMptcpInfo.MPTCPI_CSUM_ENABLED),
                () -> assertEquals(44, StructMptcpInfo.MPTCPI_RETRANSMITS),
                () -> assertEquals(48, StructMptcpInfo.MPTCPI_BYTES_RETRANS),
                () -> assertEquals(56, StructMptcpInfo.MPTCPI_BYTES_SENT),
                () -> assertEquals(64, StructMptcpInfo.MPTCPI_BYTES_RECEIVED),
                () -> assertEquals(72, StructMptcpInfo.MPTCPI_BYTES_ACKED),
                () -> assertEquals(80, StructMptcpInfo.MPTCPI_SUBFLOWS_TOTAL),
                () -> assertEquals(81, StructMptcpInfo.MPTCPI_ENDP_LAMINAR_MAX),
                () -> assertEquals(82, StructMptcpInfo.RESERVED),
                () -> assertEquals(84, StructMptcpInfo.MPTCPI_LAST_DATA_SENT),
                () -> assertEquals(88, StructMptcpInfo.MPTCPI_LAST_DATA_RECV),
                () -> assertEquals(92, StructMptcpInfo.MPTCPI_LAST_ACK_RECV));
    }

    @Test
    void mptcpSubflowData() {
        assertAll(
                () -> assertEquals(16, StructMptcpSubflowData.SIZEOF, "sizeof"),
                () -> assertEquals(8, StructMptcpSubflowData.LAYOUT.alignment(), "alignof"),
                () -> assertEquals(0, StructMptcpSubflowData.SIZE_SUBFLOW_DATA),
                () -> assertEquals(4, StructMptcpSubflowData.NUM_SUBFLOWS),
                () -> assertEquals(8, StructMptcpSubflowData.SIZE_KERNEL),
                () -> assertEquals(12, StructMptcpSubflowData.SIZE_USER));
    }

    @Test
    void mptcpSubflowAddrs() {
        int local = StructMptcpSubflowAddrs.SS_LOCAL;
        int remote = StructMptcpSubflowAddrs.SS_REMOTE;
        assertAll(
                () -> assertEquals(256, StructMptcpSubflowAddrs.SIZEOF, "sizeof"),
                () -> assertEquals(8, StructMptcpSubflowAddrs.LAYOUT.alignment(), "alignof"),
                () -> assertEquals(0, local + SockAddr.SIN_FAMILY, "sa_family"),
                () -> assertEquals(2, local + SockAddr.SIN_PORT, "sin_local.sin_port"),
                () -> assertEquals(2, local + SockAddr.SIN6_PORT, "sin6_local.sin6_port"),
                () -> assertEquals(4, local + SockAddr.SIN_ADDR, "sin_local.sin_addr"),
                () -> assertEquals(4, local + SockAddr.SIN6_FLOWINFO, "sin6_flowinfo"),
                () -> assertEquals(8, local + SockAddr.SIN6_ADDR, "sin6_local.sin6_addr"),
                () -> assertEquals(24, local + SockAddr.SIN6_SCOPE_ID, "sin6_scope_id"),
                () -> assertEquals(128, remote + SockAddr.SIN_FAMILY, "sa_remote.sa_family"),
                () -> assertEquals(130, remote + SockAddr.SIN_PORT, "sin_remote.sin_port"),
                () -> assertEquals(132, remote + SockAddr.SIN_ADDR, "sin_remote.sin_addr"),
                () -> assertEquals(136, remote + SockAddr.SIN6_ADDR, "sin6_remote.sin6_addr"));
    }

    @Test
    void mptcpSubflowInfo() {
        assertAll(
                () -> assertEquals(264, StructMptcpSubflowInfo.SIZEOF, "sizeof"),
                () -> assertEquals(0, StructMptcpSubflowInfo.ID),
                () -> assertEquals(8, StructMptcpSubflowInfo.ADDRS));
    }

    @Test
    void mptcpFullInfo() {
        assertAll(
                () -> assertEquals(136, StructMptcpFullInfo.SIZEOF, "sizeof"),
                () -> assertEquals(0, StructMptcpFullInfo.SIZE_TCPINFO_KERNEL),
                () -> assertEquals(4, StructMptcpFullInfo.SIZE_TCPINFO_USER),
                () -> assertEquals(8, StructMptcpFullInfo.SIZE_SFINFO_KERNEL),
                () -> assertEquals(12, StructMptcpFullInfo.SIZE_SFINFO_USER),
                () -> assertEquals(16, StructMptcpFullInfo.NUM_SUBFLOWS),
                () -> assertEquals(20, StructMptcpFullInfo.SIZE_ARRAYS_USER),
                () -> assertEquals(24, StructMptcpFullInfo.SUBFLOW_INFO),
                () -> assertEquals(32, StructMptcpFullInfo.TCP_INFO),
                () -> assertEquals(40, StructMptcpFullInfo.MPTCP_INFO, "MIN_FULL_INFO_OPTLEN"));
    }

    @Test
    void tcpInfo() {
        assertAll(
                () -> assertEquals(280, StructTcpInfo.SIZEOF, "sizeof on 6.18"),
                () -> assertEquals(0, StructTcpInfo.TCPI_STATE),
                () -> assertEquals(1, StructTcpInfo.TCPI_CA_STATE),
                () -> assertEquals(2, StructTcpInfo.TCPI_RETRANSMITS),
                () -> assertEquals(3, StructTcpInfo.TCPI_PROBES),
                () -> assertEquals(4, StructTcpInfo.TCPI_BACKOFF),
                () -> assertEquals(5, StructTcpInfo.TCPI_OPTIONS),
                () -> assertEquals(6, StructTcpInfo.TCPI_WSCALE_BITS),
                () -> assertEquals(7, StructTcpInfo.TCPI_FLAG_BITS),
                () -> assertEquals(8, StructTcpInfo.TCPI_RTO),
                () -> assertEquals(12, StructTcpInfo.TCPI_ATO),
                () -> assertEquals(16, StructTcpInfo.TCPI_SND_MSS),
                () -> assertEquals(20, StructTcpInfo.TCPI_RCV_MSS),
                () -> assertEquals(24, StructTcpInfo.TCPI_UNACKED),
                () -> assertEquals(28, StructTcpInfo.TCPI_SACKED),
                () -> assertEquals(32, StructTcpInfo.TCPI_LOST),
                () -> assertEquals(36, StructTcpInfo.TCPI_RETRANS),
                () -> assertEquals(40, StructTcpInfo.TCPI_FACKETS),
                () -> assertEquals(44, StructTcpInfo.TCPI_LAST_DATA_SENT),
                () -> assertEquals(48, StructTcpInfo.TCPI_LAST_ACK_SENT),
                () -> assertEquals(52, StructTcpInfo.TCPI_LAST_DATA_RECV),
                () -> assertEquals(56, StructTcpInfo.TCPI_LAST_ACK_RECV),
                () -> assertEquals(60, StructTcpInfo.TCPI_PMTU),
                () -> assertEquals(64, StructTcpInfo.TCPI_RCV_SSTHRESH),
                () -> assertEquals(68, StructTcpInfo.TCPI_RTT),
                () -> assertEquals(72, StructTcpInfo.TCPI_RTTVAR),
                () -> assertEquals(76, StructTcpInfo.TCPI_SND_SSTHRESH),
                () -> assertEquals(80, StructTcpInfo.TCPI_SND_CWND),
                () -> assertEquals(84, StructTcpInfo.TCPI_ADVMSS),
                () -> assertEquals(88, StructTcpInfo.TCPI_REORDERING),
                () -> assertEquals(92, StructTcpInfo.TCPI_RCV_RTT),
                () -> assertEquals(96, StructTcpInfo.TCPI_RCV_SPACE),
                () -> assertEquals(100, StructTcpInfo.TCPI_TOTAL_RETRANS),
                () -> assertEquals(104, StructTcpInfo.TCPI_PACING_RATE),
                () -> assertEquals(112, StructTcpInfo.TCPI_MAX_PACING_RATE),
                () -> assertEquals(120, StructTcpInfo.TCPI_BYTES_ACKED),
                () -> assertEquals(128, StructTcpInfo.TCPI_BYTES_RECEIVED),
                () -> assertEquals(136, StructTcpInfo.TCPI_SEGS_OUT),
                () -> assertEquals(140, StructTcpInfo.TCPI_SEGS_IN),
                () -> assertEquals(144, StructTcpInfo.TCPI_NOTSENT_BYTES),
                () -> assertEquals(148, StructTcpInfo.TCPI_MIN_RTT),
                () -> assertEquals(152, StructTcpInfo.TCPI_DATA_SEGS_IN),
                () -> assertEquals(156, StructTcpInfo.TCPI_DATA_SEGS_OUT),
                () -> assertEquals(160, StructTcpInfo.TCPI_DELIVERY_RATE),
                () -> assertEquals(168, StructTcpInfo.TCPI_BUSY_TIME),
                () -> assertEquals(176, StructTcpInfo.TCPI_RWND_LIMITED),
                () -> assertEquals(184, StructTcpInfo.TCPI_SNDBUF_LIMITED),
                () -> assertEquals(192, StructTcpInfo.TCPI_DELIVERED),
                () -> assertEquals(196, StructTcpInfo.TCPI_DELIVERED_CE),
                () -> assertEquals(200, StructTcpInfo.TCPI_BYTES_SENT),
                () -> assertEquals(208, StructTcpInfo.TCPI_BYTES_RETRANS),
                () -> assertEquals(216, StructTcpInfo.TCPI_DSACK_DUPS),
                () -> assertEquals(220, StructTcpInfo.TCPI_REORD_SEEN),
                () -> assertEquals(224, StructTcpInfo.TCPI_RCV_OOOPACK),
                () -> assertEquals(228, StructTcpInfo.TCPI_SND_WND),
                () -> assertEquals(232, StructTcpInfo.TCPI_RCV_WND),
                () -> assertEquals(236, StructTcpInfo.TCPI_REHASH),
                () -> assertEquals(240, StructTcpInfo.TCPI_TOTAL_RTO),
                () -> assertEquals(242, StructTcpInfo.TCPI_TOTAL_RTO_RECOVERIES),
                () -> assertEquals(244, StructTcpInfo.TCPI_TOTAL_RTO_TIME),
                () -> assertEquals(248, StructTcpInfo.TCPI_RECEIVED_CE),
                () -> assertEquals(252, StructTcpInfo.TCPI_DELIVERED_E1_BYTES),
                () -> assertEquals(256, StructTcpInfo.TCPI_DELIVERED_E0_BYTES),
                () -> assertEquals(260, StructTcpInfo.TCPI_DELIVERED_CE_BYTES),
                () -> assertEquals(264, StructTcpInfo.TCPI_RECEIVED_E1_BYTES),
                () -> assertEquals(268, StructTcpInfo.TCPI_RECEIVED_E0_BYTES),
                () -> assertEquals(272, StructTcpInfo.TCPI_RECEIVED_CE_BYTES),
                () -> assertEquals(276, StructTcpInfo.TCPI_ACCECN_FAIL_MODE),
                () -> assertEquals(278, StructTcpInfo.TCPI_ACCECN_OPT_SEEN));
    }

    @Test
    void sockaddrs() {
        assertAll(
                () -> assertEquals(16, SockAddr.SIZEOF_SOCKADDR_IN, "sizeof sockaddr_in"),
                () -> assertEquals(8, SockAddr.SIN_ZERO, "sin_zero"),
                () -> assertEquals(28, SockAddr.SIZEOF_SOCKADDR_IN6, "sizeof sockaddr_in6"),
                () -> assertEquals(128, SockAddr.SIZEOF_SOCKADDR_STORAGE, "sizeof storage"),
                () -> assertEquals(8, SockAddr.kernelSockaddrStorage().alignment(), "alignof"));
    }

    @Test
    void scratchStructs() {
        assertAll(
                () -> assertEquals(8, Scratch.SIZEOF_POLLFD, "sizeof pollfd"),
                () -> assertEquals(4, Scratch.POLLFD_EVENTS, "pollfd.events"),
                () -> assertEquals(6, Scratch.POLLFD_REVENTS, "pollfd.revents"),
                () -> assertEquals(16, Scratch.SIZEOF_IOVEC, "sizeof iovec"),
                () -> assertEquals(8, Scratch.IOV_LEN, "iovec.iov_len"));
    }
}
