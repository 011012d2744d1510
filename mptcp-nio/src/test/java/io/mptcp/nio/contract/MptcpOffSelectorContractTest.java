package io.mptcp.nio.contract;

import java.nio.channels.spi.SelectorProvider;

/** {@link SelectorContract} against our provider, mode {@code off} (TCP). */
class MptcpOffSelectorContractTest extends SelectorContract
        implements Providers.ModeOff {

    @Override
    protected SelectorProvider provider() {
        return Providers.MPTCP;
    }
}
