package io.mptcp.nio.contract.async;

/** {@link MptcpAsyncOptionsContract} in mode {@code off}: TCP. */
class MptcpOffAsyncOptionsContractTest extends MptcpAsyncOptionsContract
        implements AsyncProviders.ModeOff {

    @Override
    protected boolean mptcpExpected() {
        return false;
    }
}
