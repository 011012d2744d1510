package io.mptcp.nio.contract;

import java.nio.channels.spi.SelectorProvider;

/** The JDK's provider: shows that the {@link DatagramMulticastContract} cases are right. */
class JdkDatagramMulticastContractTest extends DatagramMulticastContract {

    @Override
    protected SelectorProvider provider() {
        return Providers.jdk();
    }
}
