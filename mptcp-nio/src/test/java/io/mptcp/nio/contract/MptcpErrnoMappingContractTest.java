package io.mptcp.nio.contract;

import java.nio.channels.spi.SelectorProvider;

/** {@link ErrnoMappingContract} against our provider, mode {@code all} (MPTCP). */
class MptcpErrnoMappingContractTest extends ErrnoMappingContract
        implements Providers.ModeAll {

    @Override
    protected SelectorProvider provider() {
        return Providers.MPTCP;
    }
}
