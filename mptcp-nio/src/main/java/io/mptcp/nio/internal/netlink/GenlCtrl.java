package io.mptcp.nio.internal.netlink;

/**
 * Constants of generic netlink and its controller family {@code nlctrl},
 * {@code include/uapi/linux/genetlink.h}. A generic netlink message is a {@code nlmsghdr} whose
 * type is the family id, then {@code struct genlmsghdr { __u8 cmd; __u8 version;
 * __u16 reserved; }} (4 bytes), then attributes. Versions as in {@link Netlink}.
 */
public final class GenlCtrl {
    private GenlCtrl() {
    }

    /** linux/genetlink.h: {@code sizeof(struct genlmsghdr)}. */
    public static final int GENL_HDRLEN = 4;
    /** linux/genetlink.h: the longest family name, with its NUL. */
    public static final int GENL_NAMSIZ = 16;
    /** linux/genetlink.h, Linux 2.6.15: the family id of the controller itself. */
    public static final int GENL_ID_CTRL = Netlink.NLMSG_MIN_TYPE;
    /** The controller's own name. */
    public static final String NAME = "nlctrl";

    // ---- operation flags (CTRL_ATTR_OP_FLAGS)

    /** linux/genetlink.h, Linux 2.6.15: needs CAP_NET_ADMIN in the initial user namespace. */
    public static final int GENL_ADMIN_PERM = 0x01;
    /** linux/genetlink.h, Linux 2.6: the operation can "do" (a single request). */
    public static final int GENL_CMD_CAP_DO = 0x02;
    /** linux/genetlink.h, Linux 2.6: the operation can dump. */
    public static final int GENL_CMD_CAP_DUMP = 0x04;
    /** linux/genetlink.h, Linux 2.6: the operation has an attribute policy. */
    public static final int GENL_CMD_CAP_HASPOL = 0x08;
    /** linux/genetlink.h, Linux 4.6: needs CAP_NET_ADMIN in the netns owner's user ns. */
    public static final int GENL_UNS_ADMIN_PERM = 0x10;

    // ---- commands

    /** linux/genetlink.h, Linux 2.6.15: reply to GETFAMILY, and notification. */
    public static final int CTRL_CMD_NEWFAMILY = 1;
    /** linux/genetlink.h, Linux 2.6.15: notification, a family went away. */
    public static final int CTRL_CMD_DELFAMILY = 2;
    /** linux/genetlink.h, Linux 2.6.15: look a family up by name or id. */
    public static final int CTRL_CMD_GETFAMILY = 3;
    /** linux/genetlink.h, Linux 2.6.23: notification, a multicast group appeared. */
    public static final int CTRL_CMD_NEWMCAST_GRP = 7;
    /** linux/genetlink.h, Linux 2.6.23: notification, a multicast group went away. */
    public static final int CTRL_CMD_DELMCAST_GRP = 8;
    /** linux/genetlink.h, Linux 5.7: dump attribute policies. */
    public static final int CTRL_CMD_GETPOLICY = 10;

    // ---- attributes

    /** linux/genetlink.h, Linux 2.6.15: u16 family id. */
    public static final int CTRL_ATTR_FAMILY_ID = 1;
    /** linux/genetlink.h, Linux 2.6.15: NUL-terminated family name. */
    public static final int CTRL_ATTR_FAMILY_NAME = 2;
    /** linux/genetlink.h, Linux 2.6.15: u32 family version. */
    public static final int CTRL_ATTR_VERSION = 3;
    /** linux/genetlink.h, Linux 2.6.15: u32 size of the family's fixed header. */
    public static final int CTRL_ATTR_HDRSIZE = 4;
    /** linux/genetlink.h, Linux 2.6.15: u32 highest attribute of the family-wide policy. */
    public static final int CTRL_ATTR_MAXATTR = 5;
    /** linux/genetlink.h, Linux 2.6.15: nest of operations, each a nest of OP_ID/OP_FLAGS. */
    public static final int CTRL_ATTR_OPS = 6;
    /** linux/genetlink.h, Linux 2.6.23: nest of groups, each a nest of GRP_NAME/GRP_ID. */
    public static final int CTRL_ATTR_MCAST_GROUPS = 7;

    /** linux/genetlink.h, Linux 2.6.15: u32 command number of an operation. */
    public static final int CTRL_ATTR_OP_ID = 1;
    /** linux/genetlink.h, Linux 2.6.15: u32 GENL_* flags of an operation. */
    public static final int CTRL_ATTR_OP_FLAGS = 2;

    /** linux/genetlink.h, Linux 2.6.23: NUL-terminated group name. */
    public static final int CTRL_ATTR_MCAST_GRP_NAME = 1;
    /** linux/genetlink.h, Linux 2.6.23: u32 group id, for NETLINK_ADD_MEMBERSHIP. */
    public static final int CTRL_ATTR_MCAST_GRP_ID = 2;
}
