package io.mptcp.nio.contract;

import java.nio.channels.spi.SelectorProvider;

/** {@link ConnectContract} against our provider, mode {@code off} (TCP). */
class MptcpOffConnectContractTest extends ConnectContract
        implements Providers.ModeOff {

    @Override
    protected SelectorProvider provider() {
        return Providers.MPTCP;
    }
}
