/**
 * The native seam: the one place that calls libc. A JNR-FFI binding behind the mockable
 * {@link io.mptcp.ffi.LinuxSyscalls} interface, kernel struct mirrors, uapi constants and errno
 * as an exception; no NIO semantics, and nothing from {@code io.mptcp.nio}.
 *
 * <p>Not API: may change without notice; public only so that {@code mptcp-nio} can use it.
 */
package io.mptcp.ffi;
