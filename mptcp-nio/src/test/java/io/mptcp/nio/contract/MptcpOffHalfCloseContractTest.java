package io.mptcp.nio.contract;

import java.nio.channels.spi.SelectorProvider;

/** {@link HalfCloseContract} against our provider, mode {@code off} (TCP). */
class MptcpOffHalfCloseContractTest extends HalfCloseContract
        implements Providers.ModeOff {

    @Override
    protected SelectorProvider provider() {
        return Providers.MPTCP;
    }
}
