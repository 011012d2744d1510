package io.mptcp.nio.contract;

import java.nio.channels.spi.SelectorProvider;

/** {@link DatagramMulticastContract} against our provider, mode {@code off} (TCP). */
class MptcpOffDatagramMulticastContractTest extends DatagramMulticastContract
        implements Providers.ModeOff {

    @Override
    protected SelectorProvider provider() {
        return Providers.MPTCP;
    }
}
