package io.mptcp.nio.contract;

import java.nio.channels.spi.SelectorProvider;

/** The JDK's provider: shows that the {@link DatagramSocketAdaptorContract} cases are right. */
class JdkDatagramSocketAdaptorContractTest extends DatagramSocketAdaptorContract {

    @Override
    protected SelectorProvider provider() {
        return Providers.jdk();
    }
}
