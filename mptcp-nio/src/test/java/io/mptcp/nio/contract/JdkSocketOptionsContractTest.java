package io.mptcp.nio.contract;

import java.nio.channels.spi.SelectorProvider;

/** The JDK's own provider: proves the {@link SocketOptionsContract} cases right. */
class JdkSocketOptionsContractTest extends SocketOptionsContract {

    @Override
    protected SelectorProvider provider() {
        return Providers.jdk();
    }
}
