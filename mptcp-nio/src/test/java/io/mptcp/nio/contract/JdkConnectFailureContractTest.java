package io.mptcp.nio.contract;

import java.nio.channels.spi.SelectorProvider;

/** The JDK's provider: shows that the {@link ConnectFailureContract} cases are right. */
class JdkConnectFailureContractTest extends ConnectFailureContract {

    @Override
    protected SelectorProvider provider() {
        return Providers.jdk();
    }
}
