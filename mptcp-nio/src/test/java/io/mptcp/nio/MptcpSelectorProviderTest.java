package io.mptcp.nio;

import org.junit.jupiter.api.Test;

import java.net.ProtocolFamily;
import java.net.StandardProtocolFamily;
import java.nio.channels.DatagramChannel;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
    void unixDomainSocketsSayTheyAreNotImplementedYet() {
        UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
                () -> new MptcpSelectorProvider().openSocketChannel(StandardProtocolFamily.UNIX));
        assertTrue(e.getMessage().contains("UNIX-domain channels are not implemented yet"),
                e.getMessage());
    }

    @Test
    void unknownFamilyIsUnsupportedAndNullIsRejected() {
        ProtocolFamily other = () -> "APPLETALK";
        assertThrows(UnsupportedOperationException.class,
                () -> new MptcpSelectorProvider().openServerSocketChannel(other));
        assertThrows(NullPointerException.class,
                () -> new MptcpSelectorProvider().openSocketChannel(null));
    }
}
