package io.mptcp.nio.contract;

import java.nio.channels.spi.SelectorProvider;

/** {@link ManyConnectionsContract} against our provider, mode {@code all} (MPTCP). */
class MptcpManyConnectionsContractTest extends ManyConnectionsContract
        implements Providers.ModeAll {

    @Override
    protected SelectorProvider provider() {
        return Providers.MPTCP;
    }
}
