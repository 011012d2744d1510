package io.mptcp.nio.contract;

import java.nio.channels.spi.SelectorProvider;

/** {@link DatagramSocketAdaptorContract} against our provider, mode {@code off} (TCP). */
class MptcpOffDatagramSocketAdaptorContractTest extends DatagramSocketAdaptorContract
        implements Providers.ModeOff {

    @Override
    protected SelectorProvider provider() {
        return Providers.MPTCP;
    }
}
