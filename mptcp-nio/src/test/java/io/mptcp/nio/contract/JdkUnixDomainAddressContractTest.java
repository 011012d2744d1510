package io.mptcp.nio.contract;

import java.nio.channels.spi.SelectorProvider;

/** The JDK's provider: shows that the {@link UnixDomainAddressContract} cases are right. */
class JdkUnixDomainAddressContractTest extends UnixDomainAddressContract {

    @Override
    protected SelectorProvider provider() {
        return Providers.jdk();
    }
}
