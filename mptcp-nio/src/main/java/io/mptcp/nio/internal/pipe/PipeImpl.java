package io.mptcp.nio.internal.pipe;

import io.mptcp.ffi.ErrnoException;
import io.mptcp.ffi.LinuxSyscalls;
import io.mptcp.nio.internal.fd.NioExceptions;

import java.io.IOException;
import java.nio.channels.Pipe;
import java.nio.channels.spi.SelectorProvider;

import static io.mptcp.ffi.LinuxUapi.O_CLOEXEC;
import static io.mptcp.ffi.LinuxUapi.O_NONBLOCK;

/**
 * A pipe(2) whose two ends are selectable channels of this provider, so that programs that
 * register {@code Pipe.open()} channels with {@code Selector.open()} (XNIO, for one) keep
 * working when this provider is installed JVM-wide.
 */
public final class PipeImpl extends Pipe {
    private final PipeSourceChannel source;
    private final PipeSinkChannel sink;

    public PipeImpl(SelectorProvider provider, LinuxSyscalls sys) throws IOException {
        int[] fds;
        try {
            // Non-blocking for good: blocking channel operations park in poll(2) instead, so
            // that close can release them.
            fds = sys.pipe2(O_NONBLOCK | O_CLOEXEC);
        } catch (ErrnoException e) {
            throw NioExceptions.io(e);
        }
        this.source = new PipeSourceChannel(provider, sys, fds[0]);
        this.sink = new PipeSinkChannel(provider, sys, fds[1]);
    }

    @Override
    public SourceChannel source() {
        return source;
    }

    @Override
    public SinkChannel sink() {
        return sink;
    }
}
