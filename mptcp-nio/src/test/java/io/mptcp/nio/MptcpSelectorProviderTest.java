package io.mptcp.nio;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.ProtocolFamily;
import java.net.StandardProtocolFamily;
import java.nio.channels.DatagramChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The provider's own contract: construction never fails, unsupported kinds say so. */
class MptcpSelectorProviderTest {

    @Test
    void constructorDoesNoNativeWork() {
        // The JDK builds the provider in a static initialiser; it must never throw.
        MptcpSelectorProvider provider = new MptcpSelectorProvider();
        assertEquals(MptcpSelectorProvider.class, provider.getClass());
    }

    @Test
    void datagramChannelsAreOursAndUnixOnesAreRefusedAsByTheJdk() throws Exception {
        MptcpSelectorProvider provider = new MptcpSelectorProvider();
        try (DatagramChannel ch = provider.openDatagramChannel()) {
            assertSame(provider, ch.provider());
        }
        UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
                () -> provider.openDatagramChannel(StandardProtocolFamily.UNIX));
        assertTrue(e.getMessage().startsWith("Protocol family not supported"), e.getMessage());
    }

    @Test
    void unixDomainChannelsAreOursButNotMptcpChannels() throws IOException {
        MptcpSelectorProvider provider = new MptcpSelectorProvider();
        try (SocketChannel sc = provider.openSocketChannel(StandardProtocolFamily.UNIX);
                ServerSocketChannel ssc =
                        provider.openServerSocketChannel(StandardProtocolFamily.UNIX);
                SocketChannel inet = provider.openSocketChannel(StandardProtocolFamily.INET)) {
            assertSame(provider, sc.provider());
            assertSame(provider, ssc.provider());
            assertFalse(sc instanceof MptcpSocketChannel, "no MPTCP on a UNIX socket");
            assertFalse(ssc instanceof MptcpServerSocketChannel, "no MPTCP on a UNIX socket");
            assertInstanceOf(MptcpSocketChannel.class, inet);
        }
    }

    @Test
    void unknownFamilyIsUnsupportedAndNullIsRejected() {
        ProtocolFamily other = () -> "APPLETALK";
        UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
                () -> new MptcpSelectorProvider().openServerSocketChannel(other));
        assertTrue(e.getMessage().contains("use StandardProtocolFamily.INET, INET6 or UNIX"),
                e.getMessage());
        assertThrows(NullPointerException.class,
                () -> new MptcpSelectorProvider().openSocketChannel(null));
    }
}
