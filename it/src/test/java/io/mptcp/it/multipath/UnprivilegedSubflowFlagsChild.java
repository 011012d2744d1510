package io.mptcp.it.multipath;

import io.mptcp.nio.MptcpSelectorProvider;
import io.mptcp.nio.MptcpSocketOptions;
import io.mptcp.nio.Subflow;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The unprivileged side of {@link UnprivilegedSubflowFlagsIT}, run as {@code nobody} without
 * capabilities: connects to {@code args[0]:args[1]}, echoes once so that both subflows become
 * fully established, waits until {@code MPTCP_SUBFLOWS} lists two subflows whose flags the
 * kernel told it, prints each ({@code SUBFLOW local remote localBackup remoteBackup
 * fullyEstablished}), then waits for {@code close} on standard input.
 */
public final class UnprivilegedSubflowFlagsChild {
    private UnprivilegedSubflowFlagsChild() {
    }

    public static void main(String[] args) throws Exception {
        System.out.println("UID " + Files.readAllLines(Path.of("/proc/self/status"))
                .stream().filter(l -> l.startsWith("Uid:")).findFirst().orElse("?"));
        MptcpSelectorProvider provider = new MptcpSelectorProvider();
        try (SocketChannel ch = provider.openSocketChannel(StandardProtocolFamily.INET)) {
            ch.connect(new InetSocketAddress(args[0], Integer.parseInt(args[1])));
            ch.write(ByteBuffer.wrap("ping\n".getBytes(StandardCharsets.US_ASCII)));
            ByteBuffer in = ByteBuffer.allocate(5);
            while (in.hasRemaining()) {
                if (ch.read(in) < 0) {
                    throw new IllegalStateException("the server closed before its echo");
                }
            }
            List<Subflow> list;
            long deadline = System.nanoTime() + 30_000_000_000L;
            do {
                list = ch.getOption(MptcpSocketOptions.MPTCP_SUBFLOWS);
                if (System.nanoTime() > deadline) {
                    System.out.println("TIMEOUT " + list);
                    return;
                }
                Thread.sleep(10);
            } while (list.size() < 2 || list.stream()
                    .anyMatch(s -> !s.fullyEstablished().equals(Optional.of(true))));
            for (Subflow s : list) {
                System.out.println("SUBFLOW " + s.local() + " " + s.remote() + " "
                        + s.localBackup().orElseThrow() + " " + s.remoteBackup().orElseThrow()
                        + " " + s.fullyEstablished().orElseThrow());
            }
            System.out.println("LISTED");
            new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))
                    .readLine();
        }
        System.out.println("DONE");
    }
}
