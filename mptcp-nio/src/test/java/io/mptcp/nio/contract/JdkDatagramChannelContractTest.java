package io.mptcp.nio.contract;

import java.nio.channels.spi.SelectorProvider;

/** The JDK's provider: shows that the {@link DatagramChannelContract} cases are right. */
class JdkDatagramChannelContractTest extends DatagramChannelContract {

    @Override
    protected SelectorProvider provider() {
        return Providers.jdk();
    }
}
