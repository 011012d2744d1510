package io.mptcp.nio.contract;

import java.nio.channels.spi.SelectorProvider;

/** {@link ConnectContract} against our provider, mode {@code all} (MPTCP). */
class MptcpConnectContractTest extends ConnectContract
        implements Providers.ModeAll {

    @Override
    protected SelectorProvider provider() {
        return Providers.MPTCP;
    }
}
