/**
 * Tests of the native seam on the real kernel: syscalls, struct layouts against the uapi
 * headers, and allocation in steady state.
 */
package io.mptcp.ffi;
