package io.mptcp.nio.contract;

import java.nio.channels.spi.SelectorProvider;

/** The JDK's provider: shows that the {@link HalfCloseContract} cases are right. */
class JdkHalfCloseContractTest extends HalfCloseContract {

    @Override
    protected SelectorProvider provider() {
        return Providers.jdk();
    }
}
