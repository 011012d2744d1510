package io.mptcp.nio.contract;

import java.nio.channels.spi.SelectorProvider;

/** {@link CloseInterruptContract} against our provider, mode {@code all} (MPTCP). */
class MptcpCloseInterruptContractTest extends CloseInterruptContract
        implements Providers.ModeAll {

    @Override
    protected SelectorProvider provider() {
        return Providers.MPTCP;
    }
}
