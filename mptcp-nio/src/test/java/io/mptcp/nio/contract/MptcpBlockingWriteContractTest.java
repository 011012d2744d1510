package io.mptcp.nio.contract;

import java.nio.channels.spi.SelectorProvider;

/** {@link BlockingWriteContract} against our provider, mode {@code all} (MPTCP). */
class MptcpBlockingWriteContractTest extends BlockingWriteContract
        implements Providers.ModeAll {

    @Override
    protected SelectorProvider provider() {
        return Providers.MPTCP;
    }
}
