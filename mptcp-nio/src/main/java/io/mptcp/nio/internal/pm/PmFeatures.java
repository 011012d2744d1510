package io.mptcp.nio.internal.pm;

import io.mptcp.nio.internal.netlink.GenlCtrl;
import io.mptcp.nio.internal.netlink.GenlFamily;
import io.mptcp.nio.internal.netlink.MptcpPm;

import java.util.Optional;

/**
 * What this kernel's {@code mptcp_pm} family offers, read from its {@code CTRL_CMD_GETFAMILY}
 * description: the operations it lists, its groups, and the family-wide attribute maximum,
 * which dates kernels before 6.7 (3 until 5.18, 6 from 5.19; 0 since 6.7, whose generated
 * family has per-operation policies only). What that description cannot tell is
 * {@link Status#UNKNOWN}: try, and read the kernel's error.
 *
 * @param family the family, empty if the kernel has none
 */
public record PmFeatures(Optional<GenlFamily> family) {

    /** A capability of the family, with the kernel that brought it. */
    public enum Feature {
        /** The family itself, Linux 5.7. */
        FAMILY,
        /** The {@code mptcp_pm_events} group, Linux 5.12. */
        EVENTS,
        /** {@code SET_FLAGS} (backup of an endpoint or subflow), Linux 5.12. */
        SET_FLAGS,
        /** The userspace path manager's commands (ANNOUNCE .. SUBFLOW_DESTROY), Linux 5.19. */
        USERSPACE_PM,
        /** Listener events, Linux 6.2. */
        LISTENER_EVENTS,
        /** Admin commands checked against the netns owner's user namespace, Linux 6.1. */
        NAMESPACED_ADMIN,
        /** {@code GET_ADDR} with a token: a userspace-PM connection's addresses, Linux 6.9. */
        GET_ADDR_BY_TOKEN
    }

    /** Whether a feature is there. */
    public enum Status {
        AVAILABLE, ABSENT, UNKNOWN
    }

    /** The features of a kernel whose family lookup failed (ENOENT: no such family). */
    public static PmFeatures absent() {
        return new PmFeatures(Optional.empty());
    }

    public static PmFeatures of(GenlFamily family) {
        return new PmFeatures(Optional.of(family));
    }

    /** Whether {@code feature} is available. */
    public Status status(Feature feature) {
        if (family.isEmpty()) {
            return Status.ABSENT;
        }
        GenlFamily f = family.get();
        boolean modern = f.maxAttribute() == 0 && !f.operations().isEmpty();
        return switch (feature) {
            case FAMILY -> Status.AVAILABLE;
            case EVENTS -> known(f.group(MptcpPm.MPTCP_PM_EV_GRP_NAME).isPresent());
            case SET_FLAGS -> known(f.operation(MptcpPm.MPTCP_PM_CMD_SET_FLAGS).isPresent());
            case USERSPACE_PM -> known(
                    f.operation(MptcpPm.MPTCP_PM_CMD_SUBFLOW_CREATE).isPresent());
            case NAMESPACED_ADMIN -> f.operation(MptcpPm.MPTCP_PM_CMD_ADD_ADDR)
                    .map(op -> known(op.has(GenlCtrl.GENL_UNS_ADMIN_PERM)))
                    .orElse(Status.UNKNOWN);
            case LISTENER_EVENTS -> modern ? Status.AVAILABLE
                    : f.maxAttribute() == MptcpPm.MPTCP_PM_ATTR_SUBFLOWS
                            ? Status.ABSENT : Status.UNKNOWN;
            // 6.9 > 6.7: a kernel with a family-wide policy is too old; 6.7 and 6.8 look
            // like 6.9 here.
            case GET_ADDR_BY_TOKEN -> modern ? Status.UNKNOWN : Status.ABSENT;
        };
    }

    private static Status known(boolean present) {
        return present ? Status.AVAILABLE : Status.ABSENT;
    }

    /**
     * Why {@code feature} cannot be used, for an exception message; empty when it is
     * available or cannot be told.
     */
    public Optional<String> whyUnavailable(Feature feature) {
        if (status(feature) != Status.ABSENT) {
            return Optional.empty();
        }
        if (family.isEmpty()) {
            return Optional.of("the " + MptcpPm.MPTCP_PM_NAME + " generic netlink family is "
                    + "absent: kernel older than 5.7 or CONFIG_MPTCP off");
        }
        return Optional.of(switch (feature) {
            case EVENTS -> "the " + MptcpPm.MPTCP_PM_NAME + " family has no "
                    + MptcpPm.MPTCP_PM_EV_GRP_NAME + " group: MPTCP events need Linux 5.12";
            case SET_FLAGS -> "the " + MptcpPm.MPTCP_PM_NAME + " family has no SET_FLAGS "
                    + "command: changing backup flags needs Linux 5.12";
            case USERSPACE_PM -> "the " + MptcpPm.MPTCP_PM_NAME + " family has no "
                    + "SUBFLOW_CREATE command: the userspace path manager needs Linux 5.19";
            case NAMESPACED_ADMIN -> "path-manager commands need CAP_NET_ADMIN in the initial "
                    + "user namespace on this kernel (from Linux 6.1 the network namespace's "
                    + "owner suffices)";
            case LISTENER_EVENTS -> "listener events need Linux 6.2 (this kernel is older "
                    + "than 5.19)";
            case GET_ADDR_BY_TOKEN -> "listing a connection's addresses (GET_ADDR with a "
                    + "token) needs Linux 6.9 (this kernel is older than 6.7)";
            case FAMILY -> "unreachable";
        });
    }

    /**
     * Checks that {@code feature} is not known to be absent.
     *
     * @throws UnsupportedOperationException with the reason, if it is absent
     */
    public void require(Feature feature) {
        Optional<String> why = whyUnavailable(feature);
        if (why.isPresent()) {
            throw new UnsupportedOperationException(why.get());
        }
    }
}
