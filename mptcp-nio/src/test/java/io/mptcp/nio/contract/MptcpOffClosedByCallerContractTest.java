package io.mptcp.nio.contract;

import java.nio.channels.spi.SelectorProvider;

/** {@link ClosedByCallerContract} against our provider, mode {@code off} (TCP). */
class MptcpOffClosedByCallerContractTest extends ClosedByCallerContract
        implements Providers.ModeOff {

    @Override
    protected SelectorProvider provider() {
        return Providers.MPTCP;
    }
}
