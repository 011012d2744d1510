package io.mptcp.nio.contract;

import java.nio.channels.spi.SelectorProvider;

/** {@link DatagramOptionsContract} against our provider, mode {@code all} (MPTCP). */
class MptcpDatagramOptionsContractTest extends DatagramOptionsContract
        implements Providers.ModeAll {

    @Override
    protected SelectorProvider provider() {
        return Providers.MPTCP;
    }
}
