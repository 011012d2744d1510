package io.mptcp.nio.internal.netlink;

/**
 * A {@code struct nlmsghdr} (linux/netlink.h), 16 bytes in host byte order.
 *
 * @param length {@code nlmsg_len}: header and payload, without trailing padding
 * @param type {@code nlmsg_type}: a control type ({@link Netlink#NLMSG_ERROR}, …), a generic
 *     netlink family id, or an rtnetlink {@code RTM_*}
 * @param flags {@code nlmsg_flags} ({@code NLM_F_*})
 * @param sequence {@code nlmsg_seq}: copied by the kernel from the request it answers; 0 in
 *     events
 * @param portId {@code nlmsg_pid}: the port id of the requesting socket in replies; 0 in events
 */
public record NlMsgHdr(int length, int type, int flags, int sequence, int portId) {

    /** Whether all of {@code mask} is set in {@link #flags}. */
    public boolean has(int mask) {
        return (flags & mask) == mask;
    }
}
