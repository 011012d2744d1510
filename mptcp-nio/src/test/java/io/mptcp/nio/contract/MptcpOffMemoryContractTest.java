package io.mptcp.nio.contract;

import io.mptcp.ffi.NativeBuffer;
import io.mptcp.ffi.ThreadExit;

import java.nio.channels.spi.SelectorProvider;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link MemoryContract} against our provider, mode {@code off} (TCP). */
class MptcpOffMemoryContractTest extends MemoryContract implements Providers.ModeOff {

    @Override
    protected SelectorProvider provider() {
        return Providers.MPTCP;
    }

    @Override
    protected long ownNativeBytes() {
        return NativeBuffer.liveBytes();
    }

    @Override
    protected void awaitEndedThreadsFreed() throws InterruptedException {
        assertTrue(ThreadExit.awaitCheck(Duration.ofSeconds(10)), "no thread-exit check ran");
    }
}
