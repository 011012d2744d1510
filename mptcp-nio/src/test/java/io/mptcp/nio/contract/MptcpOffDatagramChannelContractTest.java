package io.mptcp.nio.contract;

import java.nio.channels.spi.SelectorProvider;

/** {@link DatagramChannelContract} against our provider, mode {@code off} (TCP). */
class MptcpOffDatagramChannelContractTest extends DatagramChannelContract
        implements Providers.ModeOff {

    @Override
    protected SelectorProvider provider() {
        return Providers.MPTCP;
    }
}
