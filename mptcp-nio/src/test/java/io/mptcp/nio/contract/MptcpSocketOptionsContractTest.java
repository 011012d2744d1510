package io.mptcp.nio.contract;

/** Our provider in mode {@code all}: MPTCP sockets, so MPTCP_ENABLED reads true. */
class MptcpSocketOptionsContractTest extends MptcpSocketOptionsContract
        implements Providers.ModeAll {

    @Override
    protected boolean mptcpExpected() {
        return true;
    }
}
