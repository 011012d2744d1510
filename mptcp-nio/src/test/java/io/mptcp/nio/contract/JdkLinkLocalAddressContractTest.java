package io.mptcp.nio.contract;

import java.nio.channels.spi.SelectorProvider;

/** The JDK's provider: shows that the {@link LinkLocalAddressContract} cases are right. */
class JdkLinkLocalAddressContractTest extends LinkLocalAddressContract {
    @Override
    protected SelectorProvider provider() {
        return Providers.jdk();
    }
}
