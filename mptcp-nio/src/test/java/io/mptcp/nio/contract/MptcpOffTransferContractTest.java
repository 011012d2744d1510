package io.mptcp.nio.contract;

import java.nio.channels.spi.SelectorProvider;

/** {@link TransferContract} against our provider, mode {@code off} (TCP). */
class MptcpOffTransferContractTest extends TransferContract
        implements Providers.ModeOff {

    @Override
    protected SelectorProvider provider() {
        return Providers.MPTCP;
    }
}
