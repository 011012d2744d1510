package io.mptcp.ffi;

/** Loads the libc binding once. (Being implemented: JNR-FFI binding.) */
final class NativeLoader {
    private NativeLoader() {
    }

    static LinuxSyscalls syscalls() throws NativeUnavailableException {
        throw new NativeUnavailableException("JNR binding not built yet", null);
    }
}
