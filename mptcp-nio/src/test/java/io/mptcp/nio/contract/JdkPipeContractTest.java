package io.mptcp.nio.contract;

import java.nio.channels.spi.SelectorProvider;

/** The JDK's provider: shows that the {@link PipeContract} cases are right. */
class JdkPipeContractTest extends PipeContract {

    @Override
    protected SelectorProvider provider() {
        return Providers.jdk();
    }
}
