package io.mptcp.nio.contract;

import java.nio.channels.spi.SelectorProvider;

/** {@link LinkLocalAddressContract} against our provider, mode {@code off} (TCP). */
class MptcpOffLinkLocalAddressContractTest extends LinkLocalAddressContract
        implements Providers.ModeOff {
    @Override
    protected SelectorProvider provider() {
        return Providers.MPTCP;
    }
}
