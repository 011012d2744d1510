package io.mptcp.nio.contract;

import java.nio.channels.spi.SelectorProvider;

/** {@link ConnectFailureContract} against our provider, mode {@code all} (MPTCP). */
class MptcpConnectFailureContractTest extends ConnectFailureContract
        implements Providers.ModeAll {

    @Override
    protected SelectorProvider provider() {
        return Providers.MPTCP;
    }
}
