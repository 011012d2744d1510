package io.mptcp.nio.contract.async;

import java.nio.channels.spi.AsynchronousChannelProvider;

/** The JDK's provider: shows that the {@link AsyncChannelContract} cases are right. */
class JdkAsyncChannelContractTest extends AsyncChannelContract {

    @Override
    protected AsynchronousChannelProvider provider() {
        return AsyncProviders.jdk();
    }
}
