package io.mptcp.nio.contract;

import java.nio.channels.spi.SelectorProvider;

/** The JDK's provider: shows that the {@link TransferContract} cases are right. */
class JdkTransferContractTest extends TransferContract {

    @Override
    protected SelectorProvider provider() {
        return Providers.jdk();
    }
}
