package io.mptcp.nio.contract;

import java.nio.channels.spi.SelectorProvider;

/** {@link SocketAdaptorContract} against our provider, mode {@code all} (MPTCP). */
class MptcpSocketAdaptorContractTest extends SocketAdaptorContract
        implements Providers.ModeAll {

    @Override
    protected SelectorProvider provider() {
        return Providers.MPTCP;
    }
}
