package io.mptcp.nio.contract;

import java.nio.channels.spi.SelectorProvider;

/** The JDK's provider: shows that the {@link ManyConnectionsContract} cases are right. */
class JdkManyConnectionsContractTest extends ManyConnectionsContract {

    @Override
    protected SelectorProvider provider() {
        return Providers.jdk();
    }
}
