package io.mptcp.nio.contract;

import java.nio.channels.spi.SelectorProvider;

/** The JDK's provider: shows that the {@link MemoryContract} cases are right. */
class JdkMemoryContractTest extends MemoryContract {

    @Override
    protected SelectorProvider provider() {
        return Providers.jdk();
    }
}
