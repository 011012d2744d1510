package io.mptcp.it.netty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mptcp.it.support.ChildJvm;
import io.mptcp.nio.MptcpSelectorProvider;
import io.netty.channel.nio.NioIoHandler;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * An unmodified Netty 4 NIO UDP echo ({@link NettyUdpEchoMain}: {@code NioDatagramChannel}
 * server and client) in a child JVM: 1000 datagrams there and back, each checked. Under
 * mptcp-nio, Netty's {@code java.nio} channels must be ours; under the JDK's provider (the
 * control) the JDK's.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class NettyUdpEchoIT {
    private static final Duration STEP = Duration.ofSeconds(60);

    @BeforeAll
    static void classPath() {
        ChildJvm.requireOnClassPath(NettyUdpEchoMain.class, NioIoHandler.class,
                MptcpSelectorProvider.class);
    }

    @Test
    void underMptcpNioNettyEchoesOverOurDatagramChannels() throws Exception {
        echo(List.of("-D" + ChildJvm.PROVIDER_PROPERTY + "=" + ChildJvm.PROVIDER_CLASS),
                ChildJvm.PROVIDER_CLASS, "io.mptcp.nio.internal.datagram.DatagramChannelImpl");
    }

    @Test
    void underTheJdkProviderNettyEchoesOverTheJdksChannels() throws Exception {
        echo(List.of(), "sun.nio.ch.", "sun.nio.ch.DatagramChannelImpl");
    }

    private static void echo(List<String> jvmArgs, String provider, String channel)
            throws Exception {
        try (ChildJvm child = ChildJvm.start(List.of(), jvmArgs,
                NettyUdpEchoMain.class.getName(), "--count", "1000")) {
            String providerLine = child.awaitLine(l -> l.startsWith("PROVIDER "), STEP,
                    "PROVIDER");
            assertTrue(providerLine.startsWith("PROVIDER " + provider),
                    () -> "wrong provider\n" + child.describe());
            assertEquals("CHANNELS " + channel + " " + channel,
                    child.awaitLine(l -> l.startsWith("CHANNELS "), STEP, "CHANNELS"),
                    child::describe);
            assertEquals("ECHOED 1000 match=true",
                    child.awaitLine(l -> l.startsWith("ECHOED "), STEP, "ECHOED"),
                    child::describe);
            assertEquals(0, child.awaitExit(STEP), child::describe);
        }
    }
}
