package io.mptcp.nio.contract;

import java.nio.channels.spi.SelectorProvider;

/** The JDK's provider: shows that the {@link ClosedByCallerContract} cases are right. */
class JdkClosedByCallerContractTest extends ClosedByCallerContract {

    @Override
    protected SelectorProvider provider() {
        return Providers.jdk();
    }
}
