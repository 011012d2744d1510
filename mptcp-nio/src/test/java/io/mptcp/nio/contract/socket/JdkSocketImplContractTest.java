package io.mptcp.nio.contract.socket;

/** The JDK's {@code NioSocketImpl}: shows that the {@link SocketImplContract} cases are right. */
class JdkSocketImplContractTest extends SocketImplContract {

    @Override
    protected SocketKinds.Kind kind() {
        return SocketKinds.JDK;
    }
}
