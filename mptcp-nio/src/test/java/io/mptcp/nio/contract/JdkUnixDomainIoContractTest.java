package io.mptcp.nio.contract;

import java.nio.channels.spi.SelectorProvider;

/** The JDK's provider: shows that the {@link UnixDomainIoContract} cases are right. */
class JdkUnixDomainIoContractTest extends UnixDomainIoContract {

    @Override
    protected SelectorProvider provider() {
        return Providers.jdk();
    }
}
