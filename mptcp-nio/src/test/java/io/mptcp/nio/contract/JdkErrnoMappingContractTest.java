package io.mptcp.nio.contract;

import java.nio.channels.spi.SelectorProvider;

/** The JDK's provider: shows that the {@link ErrnoMappingContract} cases are right. */
class JdkErrnoMappingContractTest extends ErrnoMappingContract {

    @Override
    protected SelectorProvider provider() {
        return Providers.jdk();
    }
}
