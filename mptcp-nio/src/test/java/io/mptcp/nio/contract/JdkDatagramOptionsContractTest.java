package io.mptcp.nio.contract;

import java.nio.channels.spi.SelectorProvider;

/** The JDK's provider: shows that the {@link DatagramOptionsContract} cases are right. */
class JdkDatagramOptionsContractTest extends DatagramOptionsContract {

    @Override
    protected SelectorProvider provider() {
        return Providers.jdk();
    }
}
