package io.mptcp.nio.internal.pm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.mptcp.nio.internal.netlink.Fixtures;
import io.mptcp.nio.internal.netlink.GenlCtrl;
import io.mptcp.nio.internal.netlink.GenlFamily;
import io.mptcp.nio.internal.netlink.GenlMessage;
import io.mptcp.nio.internal.netlink.NetlinkReader;
import io.mptcp.nio.internal.pm.PmFeatures.Feature;
import io.mptcp.nio.internal.pm.PmFeatures.Status;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;

/** Feature detection on the captured 6.18 family and on families as older kernels list them. */
class PmFeaturesTest {

    private static GenlFamily captured() throws Exception {
        return GenlFamily.decode(GenlMessage.decode(
                NetlinkReader.read(Fixtures.buffer("getfamily-mptcp_pm-reply")).get(0)));
    }

    /** The family of an older kernel: commands 1..{@code last}, a family-wide policy. */
    private static GenlFamily older(int last, long maxAttr, int adminFlag, boolean events) {
        List<GenlFamily.Operation> ops = new ArrayList<>();
        for (int cmd = 1; cmd <= last; cmd++) {
            boolean get = cmd == 3 || cmd == 6;
            ops.add(new GenlFamily.Operation(cmd, GenlCtrl.GENL_CMD_CAP_DO
                    | (get ? 0 : adminFlag)));
        }
        Map<String, Integer> groups = events
                ? Map.of("mptcp_pm_cmds", 8, "mptcp_pm_events", 9) : Map.of("mptcp_pm_cmds", 8);
        return new GenlFamily(27, "mptcp_pm", 1, 0, maxAttr, ops, groups);
    }

    @Test
    void linux618() throws Exception {
        PmFeatures f = PmFeatures.of(captured());
        for (Feature feature : Feature.values()) {
            Status expected = feature == Feature.GET_ADDR_BY_TOKEN ? Status.UNKNOWN
                    : Status.AVAILABLE;
            assertEquals(expected, f.status(feature), feature.name());
            assertEquals(Optional.empty(), f.whyUnavailable(feature));
        }
        f.require(Feature.USERSPACE_PM);
    }

    @Test
    void familyAbsent() {
        PmFeatures f = PmFeatures.absent();
        assertEquals(Status.ABSENT, f.status(Feature.EVENTS));
        UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
                () -> f.require(Feature.FAMILY));
        assertEquals("the mptcp_pm generic netlink family is absent: kernel older than 5.7 or "
                + "CONFIG_MPTCP off", e.getMessage());
    }

    @Test
    void linux511() {
        // 5.7 .. 5.11: six commands, no events group, admin ops in the initial user namespace.
        PmFeatures f = PmFeatures.of(older(6, 3, GenlCtrl.GENL_ADMIN_PERM, false));
        assertEquals(Optional.of("the mptcp_pm family has no mptcp_pm_events group: MPTCP events "
                + "need Linux 5.12"), f.whyUnavailable(Feature.EVENTS));
        assertEquals(Status.ABSENT, f.status(Feature.SET_FLAGS));
        assertEquals(Status.ABSENT, f.status(Feature.USERSPACE_PM));
        assertEquals(Status.ABSENT, f.status(Feature.LISTENER_EVENTS));
        assertEquals(Status.ABSENT, f.status(Feature.NAMESPACED_ADMIN));
    }

    @Test
    void linux515() {
        PmFeatures f = PmFeatures.of(older(7, 3, GenlCtrl.GENL_ADMIN_PERM, true));
        assertEquals(Status.AVAILABLE, f.status(Feature.EVENTS));
        assertEquals(Status.AVAILABLE, f.status(Feature.SET_FLAGS));
        assertEquals(Optional.of("the mptcp_pm family has no SUBFLOW_CREATE command: the "
                + "userspace path manager needs Linux 5.19"),
                f.whyUnavailable(Feature.USERSPACE_PM));
    }

    @Test
    void linux61To66() {
        PmFeatures f = PmFeatures.of(older(11, 6, GenlCtrl.GENL_UNS_ADMIN_PERM, true));
        assertEquals(Status.AVAILABLE, f.status(Feature.USERSPACE_PM));
        assertEquals(Status.AVAILABLE, f.status(Feature.NAMESPACED_ADMIN));
        assertEquals(Status.UNKNOWN, f.status(Feature.LISTENER_EVENTS), "6.2 or not");
        assertEquals(Status.ABSENT, f.status(Feature.GET_ADDR_BY_TOKEN));
        PmFeatures f519 = PmFeatures.of(older(11, 6, GenlCtrl.GENL_ADMIN_PERM, true));
        assertEquals(Optional.of("path-manager commands need CAP_NET_ADMIN in the initial user "
                + "namespace on this kernel (from Linux 6.1 the network namespace's owner "
                + "suffices)"), f519.whyUnavailable(Feature.NAMESPACED_ADMIN));
    }
}
