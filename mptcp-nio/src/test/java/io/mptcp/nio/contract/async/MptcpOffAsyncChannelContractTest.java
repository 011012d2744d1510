package io.mptcp.nio.contract.async;

import java.nio.channels.spi.AsynchronousChannelProvider;

/** {@link AsyncChannelContract} against our provider, mode {@code off} (TCP). */
class MptcpOffAsyncChannelContractTest extends AsyncChannelContract
        implements AsyncProviders.ModeOff {

    @Override
    protected AsynchronousChannelProvider provider() {
        return AsyncProviders.MPTCP;
    }
}
