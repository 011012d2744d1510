package io.mptcp.nio.contract;

import java.nio.channels.spi.SelectorProvider;

/** The JDK's provider: shows that the {@link SelectorContract} cases are right. */
class JdkSelectorContractTest extends SelectorContract {

    @Override
    protected SelectorProvider provider() {
        return Providers.jdk();
    }
}
