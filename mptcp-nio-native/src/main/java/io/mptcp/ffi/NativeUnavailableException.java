package io.mptcp.ffi;

import java.io.IOException;

/**
 * Native access cannot be set up in this JVM: jffi could not load its stub (for example a
 * {@code noexec} temporary directory), the OS is not Linux, or the architecture is not one whose
 * kernel ABI this library mirrors (x86-64, aarch64). The message says which and how to fix it.
 */
public final class NativeUnavailableException extends IOException {
    private static final long serialVersionUID = 1L;

    public NativeUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
