package io.mptcp.it.netty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mptcp.it.support.ChildJvm;
import io.mptcp.nio.MptcpSelectorProvider;
import io.netty.resolver.dns.DnsNameResolver;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Netty's DNS resolver ({@link NettyDnsMain}) in a child JVM resolves a name against a
 * {@link DnsResponder} in this JVM: the answer must be the responder's A record, an unknown
 * name must fail, and under mptcp-nio every {@code java.nio} channel the resolver used must be
 * ours (under the JDK's provider, the control, the JDK's).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class NettyDnsResolverIT {
    private static final Duration STEP = Duration.ofSeconds(60);
    private static final String NAME = "resolver.mptcp-nio.test";
    private static final String ADDRESS = "192.0.2.42";

    @BeforeAll
    static void classPath() {
        ChildJvm.requireOnClassPath(NettyDnsMain.class, DnsNameResolver.class,
                MptcpSelectorProvider.class);
    }

    @Test
    void underMptcpNioTheResolverAsksOverOurDatagramChannels() throws Exception {
        resolve(List.of("-D" + ChildJvm.PROVIDER_PROPERTY + "=" + ChildJvm.PROVIDER_CLASS),
                ChildJvm.PROVIDER_CLASS, "io.mptcp.nio.internal.datagram.DatagramChannelImpl");
    }

    @Test
    void underTheJdkProviderTheResolverAsksOverTheJdksChannels() throws Exception {
        resolve(List.of(), "sun.nio.ch.", "sun.nio.ch.DatagramChannelImpl");
    }

    private static void resolve(List<String> jvmArgs, String provider, String channel)
            throws Exception {
        Inet4Address address = (Inet4Address) InetAddress.getByName(ADDRESS);
        try (DnsResponder dns = DnsResponder.start(Map.of(NAME, address))) {
            InetSocketAddress server = dns.address();
            try (ChildJvm child = ChildJvm.start(List.of(), jvmArgs,
                    NettyDnsMain.class.getName(), "--server",
                    server.getAddress().getHostAddress() + ":" + server.getPort(),
                    "--name", NAME)) {
                String providerLine = child.awaitLine(l -> l.startsWith("PROVIDER "), STEP,
                        "PROVIDER");
                assertTrue(providerLine.startsWith("PROVIDER " + provider),
                        () -> "wrong provider\n" + child.describe());
                assertEquals("RESOLVED " + NAME + " " + ADDRESS,
                        child.awaitLine(l -> l.startsWith("RESOLVED "), STEP, "RESOLVED"),
                        child::describe);
                assertEquals("UNKNOWN no-such-name." + NAME + " java.net.UnknownHostException",
                        child.awaitLine(l -> l.startsWith("UNKNOWN "), STEP, "UNKNOWN"),
                        child::describe);
                String[] channels = child.awaitLine(l -> l.startsWith("CHANNELS"), STEP,
                        "CHANNELS").split(" ");
                assertFalse(channels.length < 2, () -> "no channel\n" + child.describe());
                for (String c : Arrays.copyOfRange(channels, 1, channels.length)) {
                    assertEquals(channel, c, child::describe);
                }
                assertEquals(0, child.awaitExit(STEP), child::describe);
            }
            assertTrue(dns.answered() >= 2, "the responder answered " + dns.answered());
        }
    }
}
