package io.mptcp.nio.contract;

import java.nio.channels.spi.SelectorProvider;

/**
 * {@link UnixDomainIoContract} against our provider (its mode does not apply to UNIX-domain
 * sockets; {@code all} is pinned for the INET channels some cases mix in).
 */
class MptcpUnixDomainIoContractTest extends UnixDomainIoContract implements Providers.ModeAll {

    @Override
    protected SelectorProvider provider() {
        return Providers.MPTCP;
    }
}
