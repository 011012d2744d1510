package io.mptcp.nio.contract;

import java.nio.channels.spi.SelectorProvider;

/** {@link ClosedByCallerContract} against our provider, mode {@code all} (MPTCP). */
class MptcpClosedByCallerContractTest extends ClosedByCallerContract
        implements Providers.ModeAll {

    @Override
    protected SelectorProvider provider() {
        return Providers.MPTCP;
    }
}
