package io.mptcp.ffi;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

class NativeLoaderTest {

    @Test
    void acceptsLinuxOnX86_64AndAarch64() {
        assertAll(
                () -> NativeLoader.checkPlatform("Linux", "amd64"),
                () -> NativeLoader.checkPlatform("Linux", "x86_64"),
                () -> NativeLoader.checkPlatform("Linux", "aarch64"));
    }

    @Test
    void refusesOtherSystemsByName() {
        NativeUnavailableException e = assertThrows(NativeUnavailableException.class,
                () -> NativeLoader.checkPlatform("Mac OS X", "aarch64"));
        assertEquals("mptcp-nio needs Linux (MPTCP and epoll are Linux kernel interfaces),"
                + " this JVM runs on os.name=Mac OS X", e.getMessage());
    }

    @Test
    void refusesOtherArchitecturesByName() {
        NativeUnavailableException e = assertThrows(NativeUnavailableException.class,
                () -> NativeLoader.checkPlatform("Linux", "riscv64"));
        assertEquals("mptcp-nio supports Linux on x86-64 and aarch64 only, whose kernel ABI it"
                + " mirrors; this JVM runs on os.arch=riscv64", e.getMessage());
    }

    @Test
    void explainsAStubThatCouldNotLoad() {
        Throwable t = new RuntimeException(new ExceptionInInitializerError(
                new UnsatisfiedLinkError("failed to map segment from shared object")));
        String message = NativeLoader.describe(t);
        assertTrue(message.startsWith("cannot bind libc through JNR-FFI (java.lang."
                + "UnsatisfiedLinkError: failed to map segment from shared object): jffi could"
                + " not load its JNI stub"), message);
        assertTrue(message.contains("-Djava.io.tmpdir"), message);
        assertTrue(message.contains("-Djffi.boot.library.path"), message);
    }

    @Test
    void explainsDeniedNativeAccess() {
        String message = NativeLoader.describe(new IllegalCallerException("denied"));
        assertTrue(message.contains("--enable-native-access=ALL-UNNAMED"), message);
    }

    /** What jffi 1.4.3 throws on JDK 25 with --illegal-native-access=deny. */
    @Test
    void explainsDeniedNativeAccessThatJffiOnlyQuotes() {
        Throwable t = new UnsatisfiedLinkError("could not load FFI provider").initCause(
                new UnsatisfiedLinkError("could not get native definition for type `POINTER`,"
                        + " original error message follows: java.lang.IllegalCallerException:"
                        + " Illegal native access from an unnamed module\n\tat java.base/x"));
        String message = NativeLoader.describe(t);
        assertTrue(message.contains("--enable-native-access=ALL-UNNAMED"), message);
        assertTrue(message.contains("unnamed module): this JVM denies"), "first line only: "
                + message);
    }

    @Test
    void explainsAMissingJar() {
        String message = NativeLoader.describe(new NoClassDefFoundError("com/kenai/jffi/Type"));
        assertTrue(message.contains("com/kenai/jffi/Type"), message);
        assertTrue(message.contains("on the class path"), message);
    }

    @Test
    void keepsTheFirstFailureAndReportsItToEveryCaller() {
        AtomicInteger attempts = new AtomicInteger();
        UnsatisfiedLinkError original = new UnsatisfiedLinkError("no stub");
        NativeLoader loader = new NativeLoader(() -> {
            attempts.incrementAndGet();
            throw new ExceptionInInitializerError(original);
        });
        NativeUnavailableException first = assertThrows(NativeUnavailableException.class,
                loader::get);
        NativeUnavailableException second = assertThrows(NativeUnavailableException.class,
                loader::get);
        assertEquals(1, attempts.get(), "bound once");
        assertEquals(first.getMessage(), second.getMessage());
        assertNotSame(first, second, "each caller gets its own stack trace");
        Throwable cause = second.getCause();
        while (cause.getCause() != null) {
            cause = cause.getCause();
        }
        assertSame(original, cause);
    }

    @Test
    void keepsAPlatformRefusalAsIs() {
        NativeLoader loader = new NativeLoader(() -> {
            NativeLoader.checkPlatform("FreeBSD", "amd64");
            throw new AssertionError("unreachable");
        });
        NativeUnavailableException e = assertThrows(NativeUnavailableException.class,
                loader::get);
        assertTrue(e.getMessage().endsWith("os.name=FreeBSD"), e.getMessage());
    }

    @Test
    void letsVirtualMachineErrorsThroughAndTriesAgainLater() {
        AtomicInteger attempts = new AtomicInteger();
        NativeLoader loader = new NativeLoader(() -> {
            if (attempts.incrementAndGet() == 1) {
                throw new OutOfMemoryError("simulated");
            }
            return LinuxSyscalls.system();
        });
        assertThrows(OutOfMemoryError.class, loader::get);
        assertDoesNotThrow(loader::get);
        assertEquals(2, attempts.get());
    }

    @Test
    void bindsThisMachineOnce() throws Exception {
        LinuxSyscalls syscalls = LinuxSyscalls.system();
        assertInstanceOf(JnrLinuxSyscalls.class, syscalls);
        assertSame(syscalls, LinuxSyscalls.system());
    }
}
