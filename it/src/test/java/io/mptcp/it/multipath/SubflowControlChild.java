package io.mptcp.it.multipath;

import io.mptcp.nio.MptcpSelectorProvider;
import io.mptcp.nio.MptcpSocketChannel;
import io.mptcp.nio.MptcpSocketOptions;
import io.mptcp.nio.Subflow;
import io.mptcp.nio.pm.SubflowRequest;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The unprivileged side of {@link SubflowControlPreconditionsIT}, run as {@code nobody} in the
 * client namespace (userspace path manager): connects, then tries each subflow-control call and
 * prints what it got, one line each ({@code KEY class: message}).
 *
 * <p>Arguments: server address, port, local address for the subflow, remote address for it.
 */
public final class SubflowControlChild {
    private SubflowControlChild() {
    }

    /** Runs the calls; exit status 0 once all were tried. */
    public static void main(String[] args) throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("Uid:") || line.startsWith("CapEff:")) {
                System.out.println(line.startsWith("Uid:") ? "UID " + line : "CAPS " + line);
            }
        }
        MptcpSelectorProvider provider = new MptcpSelectorProvider();
        int port = Integer.parseInt(args[1]);
        try (MptcpSocketChannel ch = (MptcpSocketChannel) provider.openSocketChannel(
                StandardProtocolFamily.INET)) {
            ch.connect(new InetSocketAddress(InetAddress.getByName(args[0]), port));
            System.out.println("MPTCP " + ch.getOption(MptcpSocketOptions.MPTCP_ENABLED));
            SubflowRequest request = SubflowRequest.builder()
                    .local(InetAddress.getByName(args[2]))
                    .remote(new InetSocketAddress(InetAddress.getByName(args[3]), port)).build();
            report("OPEN", () -> ch.openSubflow(request, Duration.ofSeconds(10)));
            List<Subflow> subflows = ch.getOption(MptcpSocketOptions.MPTCP_SUBFLOWS);
            report("BACKUP", () -> {
                ch.setSubflowBackup(subflows.get(0), true);
                return null;
            });
            report("ANNOUNCE", () -> ch.announce(new InetSocketAddress(
                    InetAddress.getByName(args[2]), 0)));
        }
        System.out.println("DONE");
    }

    private interface Call {
        Object run() throws Exception;
    }

    private static void report(String key, Call call) {
        try {
            System.out.println(key + "_SUCCEEDED " + call.run());
        } catch (Exception e) {
            System.out.println(key + "_REFUSAL " + e.getClass().getName() + ": "
                    + String.valueOf(e.getMessage()).replace('\n', ' ')
                    + (e.getCause() == null ? "" : " | cause " + e.getCause()));
        }
    }
}
