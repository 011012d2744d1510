package io.mptcp.nio.contract;

import java.nio.channels.spi.SelectorProvider;

/** The JDK's provider: shows that the {@link FileTransferContract} cases are right. */
class JdkFileTransferContractTest extends FileTransferContract {

    @Override
    protected SelectorProvider provider() {
        return Providers.jdk();
    }
}
