package io.mptcp.nio.contract;

/** Our provider in mode {@code off}: plain TCP sockets, so MPTCP_ENABLED reads false. */
class MptcpOffSocketOptionsContractTest extends MptcpSocketOptionsContract
        implements Providers.ModeOff {

    @Override
    protected boolean mptcpExpected() {
        return false;
    }
}
