package io.mptcp.nio.contract.async;

/** {@link MptcpAsyncOptionsContract} in mode {@code all}: MPTCP. */
class MptcpAsyncOptionsContractTest extends MptcpAsyncOptionsContract
        implements AsyncProviders.ModeAll {

    @Override
    protected boolean mptcpExpected() {
        return true;
    }
}
