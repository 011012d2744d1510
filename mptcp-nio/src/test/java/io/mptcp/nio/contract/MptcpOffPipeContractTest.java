package io.mptcp.nio.contract;

import java.nio.channels.spi.SelectorProvider;

/** {@link PipeContract} against our provider, mode {@code off} (TCP). */
class MptcpOffPipeContractTest extends PipeContract
        implements Providers.ModeOff {

    @Override
    protected SelectorProvider provider() {
        return Providers.MPTCP;
    }
}
