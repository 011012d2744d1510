package io.mptcp.nio.internal.netlink;

/**
 * Constants of the rtnetlink link and address messages this library reads:
 * {@code include/uapi/linux/rtnetlink.h}, {@code if_addr.h}, {@code if_link.h} and
 * {@code if.h}. Constants without a version predate Linux 2.6.12.
 *
 * <pre>
 * struct ifaddrmsg { __u8 ifa_family; __u8 ifa_prefixlen; __u8 ifa_flags; __u8 ifa_scope;
 *                    __u32 ifa_index; };                                      // 8 bytes
 * struct ifinfomsg { unsigned char ifi_family; unsigned char __ifi_pad;
 *                    unsigned short ifi_type; int ifi_index; unsigned ifi_flags;
 *                    unsigned ifi_change; };                                  // 16 bytes
 * </pre>
 */
public final class RtNetlink {
    private RtNetlink() {
    }

    /** linux/if_addr.h: {@code sizeof(struct ifaddrmsg)}. */
    public static final int SIZEOF_IFADDRMSG = 8;
    /** linux/rtnetlink.h: {@code sizeof(struct ifinfomsg)}. */
    public static final int SIZEOF_IFINFOMSG = 16;

    /** linux/rtnetlink.h: a link appeared or changed. */
    public static final int RTM_NEWLINK = 16;
    /** linux/rtnetlink.h: a link went away. */
    public static final int RTM_DELLINK = 17;
    /** linux/rtnetlink.h: get or dump links. */
    public static final int RTM_GETLINK = 18;
    /** linux/rtnetlink.h: an address was added (or changed). */
    public static final int RTM_NEWADDR = 20;
    /** linux/rtnetlink.h: an address was removed. */
    public static final int RTM_DELADDR = 21;
    /** linux/rtnetlink.h: dump addresses. */
    public static final int RTM_GETADDR = 22;

    /** linux/if_addr.h: the address (the peer's on point-to-point links). */
    public static final int IFA_ADDRESS = 1;
    /** linux/if_addr.h: the local address. */
    public static final int IFA_LOCAL = 2;
    /** linux/if_addr.h: NUL-terminated label (IPv4). */
    public static final int IFA_LABEL = 3;
    /** linux/if_addr.h: broadcast address. */
    public static final int IFA_BROADCAST = 4;
    /** linux/if_addr.h: struct ifa_cacheinfo (lifetimes). */
    public static final int IFA_CACHEINFO = 6;
    /** linux/if_addr.h, Linux 3.14: u32 flags, superseding the u8 {@code ifa_flags}. */
    public static final int IFA_FLAGS = 8;

    /** linux/if_addr.h: a secondary address. */
    public static final int IFA_F_SECONDARY = 0x01;
    /** linux/if_addr.h: no duplicate address detection. */
    public static final int IFA_F_NODAD = 0x02;
    /** linux/if_addr.h: duplicate address detection failed. */
    public static final int IFA_F_DADFAILED = 0x08;
    /** linux/if_addr.h: deprecated (IPv6). */
    public static final int IFA_F_DEPRECATED = 0x20;
    /** linux/if_addr.h: tentative: duplicate address detection still running (IPv6). */
    public static final int IFA_F_TENTATIVE = 0x40;
    /** linux/if_addr.h: permanent (configured, not autoconfigured). */
    public static final int IFA_F_PERMANENT = 0x80;

    /** linux/if_link.h: NUL-terminated interface name. */
    public static final int IFLA_IFNAME = 3;
    /** linux/if_link.h: u32 MTU. */
    public static final int IFLA_MTU = 4;
    /** linux/if_link.h, Linux 2.6.17: u8 RFC 2863 operational state (IF_OPER_*). */
    public static final int IFLA_OPERSTATE = 16;

    /** linux/if.h: administratively up. */
    public static final int IFF_UP = 0x1;
    /** linux/if.h: a loopback interface. */
    public static final int IFF_LOOPBACK = 0x8;
    /** linux/if.h: operationally up (RFC 2863 "up"). */
    public static final int IFF_RUNNING = 0x40;
    /** linux/if.h, Linux 2.6.17: the driver signals layer-1 up (carrier). */
    public static final int IFF_LOWER_UP = 0x10000;

    /** linux/if.h, Linux 2.6.17: unknown operational state. */
    public static final int IF_OPER_UNKNOWN = 0;
    /** linux/if.h, Linux 2.6.17: down. */
    public static final int IF_OPER_DOWN = 2;
    /** linux/if.h, Linux 2.6.17: a lower layer is down. */
    public static final int IF_OPER_LOWERLAYERDOWN = 3;
    /** linux/if.h, Linux 2.6.17: dormant. */
    public static final int IF_OPER_DORMANT = 5;
    /** linux/if.h, Linux 2.6.17: up. */
    public static final int IF_OPER_UP = 6;
}
