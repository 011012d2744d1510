package io.mptcp.nio.contract;

import java.nio.channels.spi.SelectorProvider;

/** {@link SelectorContract} against our provider, mode {@code all} (MPTCP). */
class MptcpSelectorContractTest extends SelectorContract
        implements Providers.ModeAll {

    @Override
    protected SelectorProvider provider() {
        return Providers.MPTCP;
    }
}
