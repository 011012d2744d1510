package io.mptcp.nio.contract;

import java.nio.channels.spi.SelectorProvider;

/** The JDK's provider: shows that the {@link SocketAdaptorContract} cases are right. */
class JdkSocketAdaptorContractTest extends SocketAdaptorContract {

    @Override
    protected SelectorProvider provider() {
        return Providers.jdk();
    }
}
