package io.mptcp.nio.contract;

import java.nio.channels.spi.SelectorProvider;

/** {@link TransferContract} against our provider, mode {@code all} (MPTCP). */
class MptcpTransferContractTest extends TransferContract
        implements Providers.ModeAll {

    @Override
    protected SelectorProvider provider() {
        return Providers.MPTCP;
    }
}
