package io.mptcp.nio.contract;

import java.nio.channels.spi.SelectorProvider;

/** {@link DatagramOptionsContract} against our provider, mode {@code off} (TCP). */
class MptcpOffDatagramOptionsContractTest extends DatagramOptionsContract
        implements Providers.ModeOff {

    @Override
    protected SelectorProvider provider() {
        return Providers.MPTCP;
    }
}
