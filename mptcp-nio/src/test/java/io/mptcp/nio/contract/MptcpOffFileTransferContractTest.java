package io.mptcp.nio.contract;

import java.nio.channels.spi.SelectorProvider;

/** {@link FileTransferContract} against our provider, mode {@code off} (TCP). */
class MptcpOffFileTransferContractTest extends FileTransferContract
        implements Providers.ModeOff {

    @Override
    protected SelectorProvider provider() {
        return Providers.MPTCP;
    }
}
