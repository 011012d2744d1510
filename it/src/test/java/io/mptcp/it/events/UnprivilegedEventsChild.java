package io.mptcp.it.events;

import io.mptcp.nio.MptcpSelectorProvider;
import io.mptcp.nio.MptcpSocketOptions;
import io.mptcp.nio.MptcpToken;
import io.mptcp.nio.pm.MptcpEvent;
import io.mptcp.nio.pm.MptcpEventChannel;
import io.mptcp.nio.pm.PathManager;
import io.mptcp.nio.pm.PathManagerLimits;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * The unprivileged side of {@link UnprivilegedEventsIT}, run as {@code nobody} without
 * capabilities: reports what the kernel refused and how, connects to {@code args[0]:args[1]},
 * and prints every event of its connection until the join, then, after {@code close} on
 * standard input, until the connection's close.
 */
public final class UnprivilegedEventsChild {
    private UnprivilegedEventsChild() {
    }

    public static void main(String[] args) throws Exception {
        MptcpSelectorProvider provider = new MptcpSelectorProvider();
        System.out.println("UID " + new String(java.nio.file.Files.readAllBytes(
                java.nio.file.Path.of("/proc/self/status")), StandardCharsets.US_ASCII)
                .lines().filter(l -> l.startsWith("Uid:")).findFirst().orElse("?"));
        try (PathManager pm = PathManager.open(provider)) {
            System.out.println("LIMITS " + pm.limits());
            try {
                pm.setLimits(new PathManagerLimits(1, 1));
                System.out.println("PM_REFUSAL none");
            } catch (IOException e) {
                System.out.println("PM_REFUSAL " + e.getMessage());
            }
        }
        try (MptcpEventChannel events = MptcpEventChannel.open(provider,
                MptcpEventChannel.Options.DEFAULT.snapshotInterval(Duration.ofMillis(20))
                        .localEvents(false))) {
            SocketChannel ch = provider.openSocketChannel(StandardProtocolFamily.INET);
            System.out.println("SOURCE " + events.source());
            System.out.println("REFUSAL " + events.netlinkRefusal().map(Throwable::getMessage)
                    .orElse("none"));
            ch.connect(new InetSocketAddress(args[0], Integer.parseInt(args[1])));
            MptcpToken token = ch.getOption(MptcpSocketOptions.MPTCP_TOKEN).orElseThrow();
            System.out.println("TOKEN " + token);
            MptcpEvent e;
            do {
                e = events.receive();
                System.out.println("EVENT " + e);
            } while (!(e instanceof MptcpEvent.SubflowEstablished));
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in,
                    StandardCharsets.UTF_8));
            while (!"close".equals(in.readLine())) {
                // wait for the test
            }
            ch.close();
            do {
                e = events.receive();
                System.out.println("EVENT " + e);
            } while (!(e instanceof MptcpEvent.ConnectionClosed));
        }
        System.out.println("DONE");
    }
}
