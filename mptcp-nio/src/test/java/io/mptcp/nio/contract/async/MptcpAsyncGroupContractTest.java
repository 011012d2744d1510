package io.mptcp.nio.contract.async;

import java.nio.channels.spi.AsynchronousChannelProvider;

/** {@link AsyncGroupContract} against our provider, mode {@code all} (MPTCP). */
class MptcpAsyncGroupContractTest extends AsyncGroupContract
        implements AsyncProviders.ModeAll {

    @Override
    protected AsynchronousChannelProvider provider() {
        return AsyncProviders.MPTCP;
    }
}
