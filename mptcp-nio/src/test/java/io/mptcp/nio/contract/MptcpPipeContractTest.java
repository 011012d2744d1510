package io.mptcp.nio.contract;

import java.nio.channels.spi.SelectorProvider;

/** {@link PipeContract} against our provider, mode {@code all} (MPTCP). */
class MptcpPipeContractTest extends PipeContract
        implements Providers.ModeAll {

    @Override
    protected SelectorProvider provider() {
        return Providers.MPTCP;
    }
}
