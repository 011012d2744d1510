package io.mptcp.nio.pm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mptcp.nio.MptcpSelectorProvider;
import io.mptcp.nio.MptcpSocketOptions;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.AlreadyConnectedException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.parallel.ResourceLock;
import org.junit.jupiter.api.parallel.Resources;

/** {@link PathProfile}: the system property, the socket option's rules. */
@Timeout(10)
class PathProfileTest {

    @Test
    @ResourceLock(Resources.SYSTEM_PROPERTIES)
    void theSystemPropertyChoosesTheDefault() {
        String before = System.getProperty(PathProfile.SYSTEM_PROPERTY);
        try {
            System.clearProperty(PathProfile.SYSTEM_PROPERTY);
            assertEquals(PathProfile.NONE, PathProfile.jvmDefault());
            System.setProperty(PathProfile.SYSTEM_PROPERTY, " Handover ");
            assertEquals(PathProfile.HANDOVER, PathProfile.jvmDefault());
            System.setProperty(PathProfile.SYSTEM_PROPERTY, "fastest");
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    PathProfile::jvmDefault);
            assertEquals("-Dio.mptcp.nio.pathProfile=fastest names no path profile; use one"
                    + " of " + PathProfile.choices(), e.getMessage());
        } finally {
            if (before == null) {
                System.clearProperty(PathProfile.SYSTEM_PROPERTY);
            } else {
                System.setProperty(PathProfile.SYSTEM_PROPERTY, before);
            }
        }
    }

    @Test
    void choicesListEveryProfileInOrder() {
        String[] names = PathProfile.choices().split(", ");
        assertEquals(PathProfile.values().length, names.length);
        for (int i = 0; i < names.length; i++) {
            assertEquals(PathProfile.values()[i], PathProfile.valueOf(names[i].toUpperCase()));
        }
        assertTrue(PathProfile.choices().startsWith("none, handover"));
    }

    @Test
    void eachProfileMakesItsPolicy() {
        assertNull(PathProfile.NONE.newPolicy());
        assertInstanceOf(HandoverPolicy.class, PathProfile.HANDOVER.newPolicy());
        assertInstanceOf(AggregatePolicy.class, PathProfile.AGGREGATE.newPolicy());
        assertInstanceOf(InteractivePolicy.class, PathProfile.INTERACTIVE.newPolicy());
    }

    @Test
    void theOptionIsSetBeforeConnectAndFixedAfter() throws IOException {
        MptcpSelectorProvider provider = new MptcpSelectorProvider();
        try (ServerSocketChannel server = provider.openServerSocketChannel()
                .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
                SocketChannel client = provider.openSocketChannel()) {
            assertTrue(client.supportedOptions().contains(MptcpSocketOptions.PATH_PROFILE));
            assertEquals(PathProfile.NONE, client.getOption(MptcpSocketOptions.PATH_PROFILE));
            client.setOption(MptcpSocketOptions.PATH_PROFILE, PathProfile.HANDOVER);
            assertEquals(PathProfile.HANDOVER, client.getOption(MptcpSocketOptions.PATH_PROFILE));
            client.setOption(MptcpSocketOptions.PATH_PROFILE, PathProfile.NONE);
            client.connect(server.getLocalAddress());
            try (SocketChannel accepted = server.accept()) {
                // The same value again is no change (Netty copies every option back).
                client.setOption(MptcpSocketOptions.PATH_PROFILE, PathProfile.NONE);
                assertThrows(AlreadyConnectedException.class, () -> client.setOption(
                        MptcpSocketOptions.PATH_PROFILE, PathProfile.HANDOVER));
                assertEquals(PathProfile.NONE, accepted.getOption(
                        MptcpSocketOptions.PATH_PROFILE));
            }
        }
    }
}
