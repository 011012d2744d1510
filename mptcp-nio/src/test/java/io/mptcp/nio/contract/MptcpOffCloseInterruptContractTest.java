package io.mptcp.nio.contract;

import java.nio.channels.spi.SelectorProvider;

/** {@link CloseInterruptContract} against our provider, mode {@code off} (TCP). */
class MptcpOffCloseInterruptContractTest extends CloseInterruptContract
        implements Providers.ModeOff {

    @Override
    protected SelectorProvider provider() {
        return Providers.MPTCP;
    }
}
