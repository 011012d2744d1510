/**
 * Tests of the internal entry points (the inherited channel), and {@code MockKernel}, a mocked
 * native seam that the unit tests of the implementation packages share.
 */
package io.mptcp.nio.internal;
