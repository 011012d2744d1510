package io.mptcp.nio.internal.netlink;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * A generic netlink family as {@code CTRL_CMD_GETFAMILY} describes it.
 *
 * @param id the family id: the {@code nlmsg_type} of its messages (dynamic: resolve it)
 * @param name the family name
 * @param version the family version
 * @param headerSize the size of the family's own fixed header after genlmsghdr
 * @param maxAttribute the highest attribute of the family-wide policy (0 for families with
 *     per-operation policies only, such as mptcp_pm since Linux 6.7)
 * @param operations the commands the kernel offers, in its order
 * @param groups multicast group ids by name
 */
public record GenlFamily(int id, String name, long version, long headerSize, long maxAttribute,
        List<Operation> operations, Map<String, Integer> groups) {

    /**
     * One command of a family.
     *
     * @param command the command number
     * @param flags {@code GENL_*} flags: admin permission needed, do/dump capable
     */
    public record Operation(int command, long flags) {

        public boolean has(int flag) {
            return (flags & flag) != 0;
        }
    }

    public GenlFamily {
        operations = List.copyOf(operations);
        groups = Collections.unmodifiableMap(new LinkedHashMap<>(groups));
    }

    /** The id of group {@code name}, for {@code NETLINK_ADD_MEMBERSHIP}. */
    public OptionalInt group(String name) {
        Integer id = groups.get(name);
        return id == null ? OptionalInt.empty() : OptionalInt.of(id);
    }

    /** The operation for {@code command}, if the kernel has it. */
    public Optional<Operation> operation(int command) {
        for (Operation op : operations) {
            if (op.command() == command) {
                return Optional.of(op);
            }
        }
        return Optional.empty();
    }

    /** Decodes a {@code CTRL_CMD_NEWFAMILY} reply (or notification) of the controller. */
    public static GenlFamily decode(GenlMessage m) throws NetlinkProtocolException {
        if (m.header().type() != GenlCtrl.GENL_ID_CTRL) {
            throw new NetlinkProtocolException("type " + m.header().type()
                    + " is not the nlctrl family " + GenlCtrl.GENL_ID_CTRL);
        }
        NlAttrs a = m.attributes();
        NlAttr id = required(a, GenlCtrl.CTRL_ATTR_FAMILY_ID, "CTRL_ATTR_FAMILY_ID");
        NlAttr name = required(a, GenlCtrl.CTRL_ATTR_FAMILY_NAME, "CTRL_ATTR_FAMILY_NAME");
        List<Operation> ops = new ArrayList<>();
        Optional<NlAttr> opsNest = a.find(GenlCtrl.CTRL_ATTR_OPS);
        if (opsNest.isPresent()) {
            NlAttrs list = a.nested(opsNest.get());
            for (NlAttr entry : list.all()) {
                NlAttrs op = list.nested(entry);
                long flags = u32(op, GenlCtrl.CTRL_ATTR_OP_FLAGS, 0);
                ops.add(new Operation((int) required(op, GenlCtrl.CTRL_ATTR_OP_ID,
                        "CTRL_ATTR_OP_ID").u32(), flags));
            }
        }
        Map<String, Integer> groups = new LinkedHashMap<>();
        Optional<NlAttr> groupsNest = a.find(GenlCtrl.CTRL_ATTR_MCAST_GROUPS);
        if (groupsNest.isPresent()) {
            NlAttrs list = a.nested(groupsNest.get());
            for (NlAttr entry : list.all()) {
                NlAttrs g = list.nested(entry);
                String groupName = required(g, GenlCtrl.CTRL_ATTR_MCAST_GRP_NAME,
                        "CTRL_ATTR_MCAST_GRP_NAME").string();
                groups.put(groupName, required(g, GenlCtrl.CTRL_ATTR_MCAST_GRP_ID,
                        "CTRL_ATTR_MCAST_GRP_ID").s32());
            }
        }
        return new GenlFamily(id.u16(), name.string(), u32(a, GenlCtrl.CTRL_ATTR_VERSION, 0),
                u32(a, GenlCtrl.CTRL_ATTR_HDRSIZE, 0), u32(a, GenlCtrl.CTRL_ATTR_MAXATTR, 0),
                ops, groups);
    }

    static NlAttr required(NlAttrs a, int type, String name) throws NetlinkProtocolException {
        Optional<NlAttr> found = a.find(type);
        if (found.isEmpty()) {
            throw new NetlinkProtocolException(name + " (type " + type + ") missing from "
                    + a.all().size() + " attributes at depth " + a.depth());
        }
        return found.get();
    }

    private static long u32(NlAttrs a, int type, long absent) throws NetlinkProtocolException {
        Optional<NlAttr> found = a.find(type);
        return found.isPresent() ? found.get().u32() : absent;
    }
}
