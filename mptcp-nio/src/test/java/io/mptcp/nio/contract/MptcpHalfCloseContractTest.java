package io.mptcp.nio.contract;

import java.nio.channels.spi.SelectorProvider;

/** {@link HalfCloseContract} against our provider, mode {@code all} (MPTCP). */
class MptcpHalfCloseContractTest extends HalfCloseContract
        implements Providers.ModeAll {

    @Override
    protected SelectorProvider provider() {
        return Providers.MPTCP;
    }
}
