package io.mptcp.nio;

import io.mptcp.ffi.LinuxSyscalls;

import java.io.IOException;
import java.nio.channels.Pipe;
import java.nio.channels.spi.SelectorProvider;

/** PLACEHOLDER: being written on branch selector. */
final class PipeImpl extends Pipe {
    PipeImpl(SelectorProvider provider, LinuxSyscalls sys) throws IOException {
        throw new IOException("PipeImpl: not written yet");
    }

    @Override public SourceChannel source() { throw new UnsupportedOperationException(); }
    @Override public SinkChannel sink() { throw new UnsupportedOperationException(); }
}
