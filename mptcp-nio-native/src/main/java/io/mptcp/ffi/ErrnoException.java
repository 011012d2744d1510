package io.mptcp.ffi;

import java.io.IOException;

/**
 * A failed system call: the syscall's name and the errno it set, read on the calling thread
 * right after the call.
 *
 * <p>The message reads like {@code "connect: Connection refused (ECONNREFUSED)"}. Callers above
 * the native seam translate it into the exception the JDK throws for the same errno and keep it
 * as the cause, so the errno is never lost.
 */
public final class ErrnoException extends IOException {
    private static final long serialVersionUID = 1L;

    private final String syscall;
    private final int errno;

    public ErrnoException(String syscall, int errno) {
        super(syscall + ": " + Errno.describe(errno) + " (" + Errno.name(errno) + ")");
        this.syscall = syscall;
        this.errno = errno;
    }

    /** The failing call, e.g. {@code "connect"} or {@code "getsockopt(level=284, optname=1)"}. */
    public String syscall() {
        return syscall;
    }

    /** The errno value, e.g. {@link Errno#ECONNREFUSED}. */
    public int errno() {
        return errno;
    }

    /** The errno's symbolic name, e.g. {@code "ECONNREFUSED"}. */
    public String errnoName() {
        return Errno.name(errno);
    }
}
