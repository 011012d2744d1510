package io.mptcp.nio.contract;

import java.nio.channels.spi.SelectorProvider;

/** {@link SocketAdaptorContract} against our provider, mode {@code off} (TCP). */
class MptcpOffSocketAdaptorContractTest extends SocketAdaptorContract
        implements Providers.ModeOff {

    @Override
    protected SelectorProvider provider() {
        return Providers.MPTCP;
    }
}
