package io.mptcp.nio.contract;

import java.nio.channels.spi.SelectorProvider;

/**
 * {@link UnixDomainAddressContract} against our provider (its mode does not apply to UNIX-domain
 * sockets; {@code all} is pinned for the INET channels some cases mix in).
 */
class MptcpUnixDomainAddressContractTest extends UnixDomainAddressContract implements Providers.ModeAll {

    @Override
    protected SelectorProvider provider() {
        return Providers.MPTCP;
    }
}
