package io.mptcp.nio.contract.socket;

/** {@link SocketImplContract} against our impl, mode {@code off} (TCP). */
class MptcpOffSocketImplContractTest extends SocketImplContract implements Modes.Off {

    @Override
    protected SocketKinds.Kind kind() {
        return SocketKinds.ours(false);
    }
}
