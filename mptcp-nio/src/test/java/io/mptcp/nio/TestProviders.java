package io.mptcp.nio;

import io.mptcp.ffi.LinuxSyscalls;
import io.mptcp.nio.internal.net.MptcpPolicy;

/** Providers over a given (usually mocked) native seam, for tests in the internal packages. */
public final class TestProviders {
    private TestProviders() {
    }

    /** A provider whose channels use {@code sys} and {@code policy} (null: the real ones). */
    public static MptcpSelectorProvider of(LinuxSyscalls sys, MptcpPolicy policy) {
        return new MptcpSelectorProvider(sys, policy);
    }
}
