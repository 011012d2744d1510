package io.mptcp.nio.contract;

import java.nio.channels.spi.SelectorProvider;

/** {@link ConnectFailureContract} against our provider, mode {@code off} (TCP). */
class MptcpOffConnectFailureContractTest extends ConnectFailureContract
        implements Providers.ModeOff {

    @Override
    protected SelectorProvider provider() {
        return Providers.MPTCP;
    }
}
