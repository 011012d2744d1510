package io.mptcp.nio.contract;

import java.nio.channels.spi.SelectorProvider;

/** {@link DatagramChannelContract} against our provider, mode {@code all} (MPTCP). */
class MptcpDatagramChannelContractTest extends DatagramChannelContract
        implements Providers.ModeAll {

    @Override
    protected SelectorProvider provider() {
        return Providers.MPTCP;
    }
}
