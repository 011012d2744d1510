package io.mptcp.nio.contract;

import java.nio.channels.spi.SelectorProvider;

/** The JDK's provider: shows that the {@link BlockingWriteContract} cases are right. */
class JdkBlockingWriteContractTest extends BlockingWriteContract {

    @Override
    protected SelectorProvider provider() {
        return Providers.jdk();
    }
}
