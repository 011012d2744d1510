package io.mptcp.nio.contract;

import java.nio.channels.spi.SelectorProvider;

/** {@link ManyConnectionsContract} against our provider, mode {@code off} (TCP). */
class MptcpOffManyConnectionsContractTest extends ManyConnectionsContract
        implements Providers.ModeOff {

    @Override
    protected SelectorProvider provider() {
        return Providers.MPTCP;
    }
}
