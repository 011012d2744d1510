package io.mptcp.nio.internal.netlink;

/**
 * Constants of the netlink message format, {@code include/uapi/linux/netlink.h}: the
 * {@code struct nlmsghdr}, {@code struct nlattr} and {@code struct nlmsgerr} layouts, message
 * types and flags, and the extended-ack attributes. Constants without a version predate Linux
 * 2.6.12 (the start of git history); all of them predate MPTCP unless a version says otherwise.
 *
 * <pre>
 * struct nlmsghdr { __u32 nlmsg_len; __u16 nlmsg_type; __u16 nlmsg_flags;
 *                   __u32 nlmsg_seq; __u32 nlmsg_pid; };          // 16 bytes, host order
 * struct nlattr   { __u16 nla_len; __u16 nla_type; };             // 4 bytes, then the value
 * struct nlmsgerr { int error; struct nlmsghdr msg; };           // then the request, or TLVs
 * </pre>
 */
public final class Netlink {
    private Netlink() {
    }

    /** linux/netlink.h: messages and attributes are aligned to 4 bytes. */
    public static final int NLMSG_ALIGNTO = 4;
    /** linux/netlink.h: {@code sizeof(struct nlmsghdr)}. */
    public static final int NLMSG_HDRLEN = 16;
    /** linux/netlink.h: {@code sizeof(struct nlattr)}. */
    public static final int NLA_HDRLEN = 4;

    // ---- message types (nlmsg_type below NLMSG_MIN_TYPE)

    /** linux/netlink.h: nothing; to be ignored. */
    public static final int NLMSG_NOOP = 0x1;
    /** linux/netlink.h: an error, or an acknowledgement when {@code error} is 0. */
    public static final int NLMSG_ERROR = 0x2;
    /** linux/netlink.h: the end of a multi-part dump. */
    public static final int NLMSG_DONE = 0x3;
    /** linux/netlink.h: data lost (never sent by Linux). */
    public static final int NLMSG_OVERRUN = 0x4;
    /** linux/netlink.h: types below this are reserved control messages. */
    public static final int NLMSG_MIN_TYPE = 0x10;

    // ---- nlmsg_flags

    /** linux/netlink.h: a request. */
    public static final int NLM_F_REQUEST = 0x01;
    /** linux/netlink.h: part of a multi-part message, terminated by NLMSG_DONE. */
    public static final int NLM_F_MULTI = 0x02;
    /** linux/netlink.h: reply with an acknowledgement (or an error). */
    public static final int NLM_F_ACK = 0x04;
    /** linux/netlink.h: echo this request. */
    public static final int NLM_F_ECHO = 0x08;
    /** linux/netlink.h, Linux 3.1: the dump was inconsistent (a change during the dump). */
    public static final int NLM_F_DUMP_INTR = 0x10;
    /** linux/netlink.h: GET modifier, the tree root. */
    public static final int NLM_F_ROOT = 0x100;
    /** linux/netlink.h: GET modifier, all matching. */
    public static final int NLM_F_MATCH = 0x200;
    /** linux/netlink.h: GET as a dump, {@code NLM_F_ROOT | NLM_F_MATCH}. */
    public static final int NLM_F_DUMP = NLM_F_ROOT | NLM_F_MATCH;
    /** linux/netlink.h, Linux 4.12: ACK flag, the echoed request was capped to its header. */
    public static final int NLM_F_CAPPED = 0x100;
    /** linux/netlink.h, Linux 4.12: ACK flag, extended-ack TLVs follow. */
    public static final int NLM_F_ACK_TLVS = 0x200;

    // ---- attribute type flags (nla_type)

    /** linux/netlink.h, Linux 2.6.24: the attribute holds attributes. */
    public static final int NLA_F_NESTED = 1 << 15;
    /** linux/netlink.h, Linux 2.6.24: the value is in network byte order. */
    public static final int NLA_F_NET_BYTEORDER = 1 << 14;
    /** linux/netlink.h, Linux 2.6.24: the type without the two flags. */
    public static final int NLA_TYPE_MASK = ~(NLA_F_NESTED | NLA_F_NET_BYTEORDER) & 0xffff;

    // ---- extended ack (enum nlmsgerr_attrs), after NLMSG_ERROR when NLM_F_ACK_TLVS is set

    /** linux/netlink.h, Linux 4.12: a text for the error (string). */
    public static final int NLMSGERR_ATTR_MSG = 1;
    /** linux/netlink.h, Linux 4.12: offset of the offending attribute in the request (u32). */
    public static final int NLMSGERR_ATTR_OFFS = 2;
    /** linux/netlink.h, Linux 4.12: a subsystem-specific cookie (binary). */
    public static final int NLMSGERR_ATTR_COOKIE = 3;
    /** linux/netlink.h, Linux 5.10: the policy of the rejected attribute (nest). */
    public static final int NLMSGERR_ATTR_POLICY = 4;
    /** linux/netlink.h, Linux 6.0: the type of a missing required attribute (u32). */
    public static final int NLMSGERR_ATTR_MISS_TYPE = 5;
    /** linux/netlink.h, Linux 6.0: offset of the nest a required attribute is missing from. */
    public static final int NLMSGERR_ATTR_MISS_NEST = 6;

    /** {@code NLMSG_ALIGN}/{@code NLA_ALIGN}: {@code length} rounded up to 4 bytes. */
    public static int align(int length) {
        return (length + NLMSG_ALIGNTO - 1) & -NLMSG_ALIGNTO;
    }
}
