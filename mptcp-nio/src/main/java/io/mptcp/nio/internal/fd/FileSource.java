package io.mptcp.nio.internal.fd;

import io.mptcp.ffi.ErrnoException;
import io.mptcp.ffi.LinuxSyscalls;
import io.mptcp.ffi.LinuxUapi;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.FileSystems;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * A file opened read-only by this library, for sendfile(2): the JDK gives no way to reach the
 * descriptor behind a {@code FileChannel} without its internals, so a transfer from a file
 * opens the file itself.
 */
public final class FileSource implements AutoCloseable {
    private final LinuxSyscalls sys;
    private final int fd;

    private FileSource(LinuxSyscalls sys, int fd) {
        this.sys = sys;
        this.fd = fd;
    }

    /** Whether {@code file} is on the default file system, which is the only one open(2) sees. */
    public static boolean isNative(Path file) {
        return file.getFileSystem() == FileSystems.getDefault();
    }

    /**
     * Opens {@code file} ({@code O_RDONLY | O_CLOEXEC}) with the exceptions
     * {@code Files.newByteChannel} throws: {@link NoSuchFileException},
     * {@link AccessDeniedException}, else {@link FileSystemException} with the errno text.
     */
    public static FileSource open(LinuxSyscalls sys, Path file) throws IOException {
        String path = file.toString();
        try {
            return new FileSource(sys, sys.open(path, LinuxUapi.O_RDONLY | LinuxUapi.O_CLOEXEC));
        } catch (ErrnoException e) {
            throw NioExceptions.file(e, path);
        }
    }

    public int fd() {
        return fd;
    }

    @Override
    public void close() throws IOException {
        try {
            sys.close(fd);
        } catch (ErrnoException e) {
            throw NioExceptions.io(e);
        }
    }
}
