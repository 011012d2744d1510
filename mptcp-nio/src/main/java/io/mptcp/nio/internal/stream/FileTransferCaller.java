package io.mptcp.nio.internal.stream;

import io.mptcp.ffi.Errno;
import io.mptcp.ffi.ErrnoException;
import io.mptcp.nio.internal.fd.NioExceptions;

import java.io.IOException;

/**
 * What {@code FileChannel.transferTo} into a socket channel that cannot take data throws on
 * JDK 17 to 21. There the JDK sends into its own socket channels with sendfile(2) on the
 * descriptor, without the channel's checks, so an unconnected socket or one whose output is
 * shut down fails as the kernel's write does: {@link IOException} "Broken pipe"
 * ({@code EPIPE}), or "Transport endpoint is not connected" ({@code ENOTCONN}) for an
 * unconnected UNIX socket. Into our channels the JDK copies through {@code write}, whose
 * checks would say {@code NotYetConnectedException} or {@code AsynchronousCloseException}.
 * From JDK 22 on, {@code transferTo} checks its own channel first ({@code beforeTransferTo})
 * and says what our {@code write} says, so nothing is changed there.
 *
 * <p>The caller is found by walking the stack, only on these failure paths, so a write costs
 * nothing more.
 */
final class FileTransferCaller {
    private static final boolean SENDFILE_ERRORS = Runtime.version().feature() <= 21;
    // The JDK's copy loop for targets it does not know (FileChannelImpl, JDK 17 to 21).
    private static final String COPY_LOOP_CLASS = "sun.nio.ch.FileChannelImpl";
    private static final String COPY_LOOP_METHOD = "transferToArbitraryChannel";
    // Frames between the copy loop and the check: this class, StreamSocket.write twice,
    // SocketChannelImpl.write; with room to spare.
    private static final int FRAMES = 8;

    private FileTransferCaller() {
    }

    /**
     * The exception sendfile(2) would have made the JDK throw for a write that fails its
     * checks with {@code errno}, if the running JDK sends so and the write comes from
     * {@code FileChannel.transferTo}; otherwise null.
     */
    static IOException sendfileFailure(int errno) {
        if (!SENDFILE_ERRORS || !calledByTransferTo()) {
            return null;
        }
        return NioExceptions.io(new ErrnoException("sendfile", errno));
    }

    /** {@link #sendfileFailure} for a write to an unconnected socket of {@code family}. */
    static IOException unconnected(StreamFamily family) {
        return sendfileFailure(family instanceof UnixStreamFamily ? Errno.ENOTCONN : Errno.EPIPE);
    }

    private static boolean calledByTransferTo() {
        return StackWalker.getInstance().walk(frames -> frames.limit(FRAMES)
                .anyMatch(f -> f.getClassName().equals(COPY_LOOP_CLASS)
                        && f.getMethodName().equals(COPY_LOOP_METHOD)));
    }
}
