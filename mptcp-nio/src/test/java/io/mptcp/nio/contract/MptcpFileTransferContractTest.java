package io.mptcp.nio.contract;

import java.nio.channels.spi.SelectorProvider;

/** {@link FileTransferContract} against our provider, mode {@code all} (MPTCP). */
class MptcpFileTransferContractTest extends FileTransferContract
        implements Providers.ModeAll {

    @Override
    protected SelectorProvider provider() {
        return Providers.MPTCP;
    }
}
