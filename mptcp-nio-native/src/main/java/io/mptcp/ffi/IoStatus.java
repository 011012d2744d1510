package io.mptcp.ffi;

/** Sentinel results of the data calls of {@link LinuxSyscalls}, as in the JDK's {@code IOStatus}. */
public final class IoStatus {
    /** End of stream, as NIO reports it (the raw syscalls return 0 for that). */
    public static final int EOF = -1;
    /** {@code EAGAIN}/{@code EWOULDBLOCK}: nothing could be done without blocking. */
    public static final int UNAVAILABLE = -2;

    private IoStatus() {
    }
}
