package io.mptcp.nio.contract.async;

import java.nio.channels.spi.AsynchronousChannelProvider;

/** {@link AsyncChannelContract} against our provider, mode {@code all} (MPTCP). */
class MptcpAsyncChannelContractTest extends AsyncChannelContract
        implements AsyncProviders.ModeAll {

    @Override
    protected AsynchronousChannelProvider provider() {
        return AsyncProviders.MPTCP;
    }
}
