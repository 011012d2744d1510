package io.mptcp.nio.contract;

import java.nio.channels.spi.SelectorProvider;

/** {@link BlockingWriteContract} against our provider, mode {@code off} (TCP). */
class MptcpOffBlockingWriteContractTest extends BlockingWriteContract
        implements Providers.ModeOff {

    @Override
    protected SelectorProvider provider() {
        return Providers.MPTCP;
    }
}
