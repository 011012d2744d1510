package io.mptcp.nio.contract;

import java.nio.channels.spi.SelectorProvider;

/** {@link ErrnoMappingContract} against our provider, mode {@code off} (TCP). */
class MptcpOffErrnoMappingContractTest extends ErrnoMappingContract
        implements Providers.ModeOff {

    @Override
    protected SelectorProvider provider() {
        return Providers.MPTCP;
    }
}
