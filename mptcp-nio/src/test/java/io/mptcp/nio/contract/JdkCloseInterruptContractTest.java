package io.mptcp.nio.contract;

import java.nio.channels.spi.SelectorProvider;

/** The JDK's provider: shows that the {@link CloseInterruptContract} cases are right. */
class JdkCloseInterruptContractTest extends CloseInterruptContract {

    @Override
    protected SelectorProvider provider() {
        return Providers.jdk();
    }
}
