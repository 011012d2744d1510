package io.mptcp.nio.contract;

import java.nio.channels.spi.SelectorProvider;

/** The JDK's provider: shows that the {@link ConnectContract} cases are right. */
class JdkConnectContractTest extends ConnectContract {

    @Override
    protected SelectorProvider provider() {
        return Providers.jdk();
    }
}
