package io.mptcp.nio.contract;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.mptcp.nio.MptcpSocketOptions;

import java.nio.channels.SocketChannel;
import java.nio.channels.spi.SelectorProvider;

/**
 * {@link LinkLocalAddressContract} against our provider, mode {@code all}: MPTCP sockets, whose
 * addresses the kernel reports without scope.
 */
class MptcpLinkLocalAddressContractTest extends LinkLocalAddressContract
        implements Providers.ModeAll {
    @Override
    protected SelectorProvider provider() {
        return Providers.MPTCP;
    }

    @Override
    protected void assertProtocol(SocketChannel ch) throws Exception {
        assertEquals(true, ch.getOption(MptcpSocketOptions.MPTCP_ENABLED),
                "an MPTCP connection (net.mptcp.enabled=1 in the namespace)");
    }
}
