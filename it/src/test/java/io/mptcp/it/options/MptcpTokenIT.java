package io.mptcp.it.options;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mptcp.it.support.KernelView;
import io.mptcp.it.support.Prerequisites;
import io.mptcp.nio.MptcpSelectorProvider;
import io.mptcp.nio.MptcpSocketOptions;
import io.mptcp.nio.MptcpToken;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/** The token {@code MPTCP_TOKEN} reads is the one the kernel itself reports ({@code ss -Mi}). */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class MptcpTokenIT {

    @Test
    void eachEndReadsItsOwnTokenAsTheKernelShowsIt() throws Exception {
        Prerequisites.requireMptcpEnabled();
        MptcpSelectorProvider provider = new MptcpSelectorProvider();
        try (ServerSocketChannel server = provider.openServerSocketChannel()
                .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
                SocketChannel client = provider.openSocketChannel()) {
            client.connect(server.getLocalAddress());
            try (SocketChannel accepted = server.accept()) {
                int clientPort = ((InetSocketAddress) client.getLocalAddress()).getPort();
                int serverPort = ((InetSocketAddress) server.getLocalAddress()).getPort();
                MptcpToken clientToken =
                        client.getOption(MptcpSocketOptions.MPTCP_TOKEN).orElseThrow();
                MptcpToken serverToken =
                        accepted.getOption(MptcpSocketOptions.MPTCP_TOKEN).orElseThrow();

                KernelView view = KernelView.of(clientPort, serverPort);
                assertTrue(view.isMptcp(), view.toString());
                int matched = 0;
                for (KernelView.Entry e : view.mptcp()) {
                    MptcpToken expected = e.localPort().equals(Integer.toString(clientPort))
                            ? clientToken : serverToken;
                    assertTrue(Pattern.compile("\\btoken:" + expected + "\\b")
                                    .matcher(e.details()).find(),
                            "kernel entry " + e + " should carry token " + expected);
                    matched++;
                }
                assertEquals(2, matched, view.toString());
            }
        }
    }
}
