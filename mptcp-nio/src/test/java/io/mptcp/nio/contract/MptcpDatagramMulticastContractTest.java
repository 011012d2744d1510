package io.mptcp.nio.contract;

import java.nio.channels.spi.SelectorProvider;

/** {@link DatagramMulticastContract} against our provider, mode {@code all} (MPTCP). */
class MptcpDatagramMulticastContractTest extends DatagramMulticastContract
        implements Providers.ModeAll {

    @Override
    protected SelectorProvider provider() {
        return Providers.MPTCP;
    }
}
