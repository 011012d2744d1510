package io.mptcp.nio.internal.fd;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

/**
 * Tells virtual threads (JDK 21+) from platform threads while compiling for Java 17.
 *
 * <p>{@code Thread.isVirtual()} is looked up once; on a JDK without it every thread is a
 * platform thread. The handle is a constant, so the JIT compiles {@link #isCurrentVirtual()}
 * down to a field load of the current thread (and to {@code false} on JDK 17): this is the one
 * check the platform-thread fast paths pay.
 */
public final class VirtualThreads {
    // Thread.isVirtual(), or null before JDK 21 (19 and 20 have it as a preview API, and
    // there it answers false unless the JVM runs with --enable-preview, which is right too).
    private static final MethodHandle IS_VIRTUAL = lookupIsVirtual();

    private VirtualThreads() {
    }

    private static MethodHandle lookupIsVirtual() {
        try {
            return MethodHandles.publicLookup().findVirtual(Thread.class, "isVirtual",
                    MethodType.methodType(boolean.class));
        } catch (NoSuchMethodException | IllegalAccessException e) {
            return null;
        }
    }

    /** Whether this JDK has virtual threads at all. */
    public static boolean supported() {
        return IS_VIRTUAL != null;
    }

    /** Whether {@code thread} is a virtual thread. */
    public static boolean isVirtual(Thread thread) {
        if (IS_VIRTUAL == null) {
            return false;
        }
        try {
            return (boolean) IS_VIRTUAL.invokeExact(thread);
        } catch (Throwable t) {
            // Thread.isVirtual() is final and throws nothing.
            throw new AssertionError("Thread.isVirtual() failed", t);
        }
    }

    /** Whether the calling thread is a virtual thread. */
    public static boolean isCurrentVirtual() {
        return isVirtual(Thread.currentThread());
    }
}
