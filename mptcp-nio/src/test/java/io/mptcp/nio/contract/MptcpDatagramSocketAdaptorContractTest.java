package io.mptcp.nio.contract;

import java.nio.channels.spi.SelectorProvider;

/** {@link DatagramSocketAdaptorContract} against our provider, mode {@code all} (MPTCP). */
class MptcpDatagramSocketAdaptorContractTest extends DatagramSocketAdaptorContract
        implements Providers.ModeAll {

    @Override
    protected SelectorProvider provider() {
        return Providers.MPTCP;
    }
}
