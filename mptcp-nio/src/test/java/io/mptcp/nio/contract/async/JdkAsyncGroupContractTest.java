package io.mptcp.nio.contract.async;

import java.nio.channels.spi.AsynchronousChannelProvider;

/** The JDK's provider: shows that the {@link AsyncGroupContract} cases are right. */
class JdkAsyncGroupContractTest extends AsyncGroupContract {

    @Override
    protected AsynchronousChannelProvider provider() {
        return AsyncProviders.jdk();
    }
}
