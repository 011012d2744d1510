package io.mptcp.nio.contract;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.Closeable;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.net.ProtocolFamily;
import java.net.StandardProtocolFamily;
import java.nio.channels.Channel;
import java.nio.channels.Pipe;
import java.nio.channels.spi.SelectorProvider;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Every public method of {@link SelectorProvider} that the running JDK declares (so a method a
 * later JDK adds is covered too), with every {@link StandardProtocolFamily} where it takes one:
 * our provider must succeed exactly where the JDK's does, with an object of the same
 * {@code java.nio} kind from our provider, and throw {@code UnsupportedOperationException} only
 * where the JDK's throws it too (a UNIX-domain {@code DatagramChannel}, which no JDK has).
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ProviderCompletenessTest {

    @Test
    void ourProviderServesEveryCallTheJdksServes() throws Exception {
        SelectorProvider jdk = Providers.jdk();
        SelectorProvider ours = Providers.MPTCP;
        List<String> checked = new ArrayList<>();
        for (Method m : SelectorProvider.class.getMethods()) {
            if (Modifier.isStatic(m.getModifiers()) || m.getDeclaringClass() == Object.class) {
                continue;
            }
            List<Object[]> argumentLists = new ArrayList<>();
            if (m.getParameterCount() == 0) {
                argumentLists.add(new Object[0]);
            } else if (m.getParameterCount() == 1
                    && m.getParameterTypes()[0] == ProtocolFamily.class) {
                for (StandardProtocolFamily f : StandardProtocolFamily.values()) {
                    argumentLists.add(new Object[] {f});
                }
            } else {
                throw new AssertionError("a SelectorProvider method this test does not know: "
                        + m + "; teach it the arguments");
            }
            for (Object[] args : argumentLists) {
                String call = m.getName() + (args.length == 0 ? "()" : "(" + args[0] + ")");
                Outcome theirs = invoke(m, jdk, args);
                Outcome mine = invoke(m, ours, args);
                checked.add(call + " -> " + theirs.describe());
                if (theirs.failure instanceof UnsupportedOperationException) {
                    assertTrue(mine.failure instanceof UnsupportedOperationException,
                            call + ": the JDK throws UnsupportedOperationException, ours "
                                    + mine.describe());
                    assertNotNull(mine.failure.getMessage(), call + ": say why");
                    continue;
                }
                assertEquals(null, theirs.failure, call + " failed on the JDK's provider");
                assertEquals(null, mine.failure, call + " failed on ours");
                if (theirs.value == null) {
                    // inheritedChannel() of a JVM whose standard input is no socket.
                    assertEquals(null, mine.value, call);
                    continue;
                }
                assertTrue(m.getReturnType().isInstance(mine.value), call + " returned "
                        + mine.value.getClass());
                assertKindsMatch(call, theirs.value, mine.value);
                assertProvidedBy(call, ours, mine.value);
            }
        }
        assertFalse(checked.isEmpty());
        System.out.println("[ProviderCompletenessTest] " + String.join("; ", checked));
    }

    /** Same java.nio interfaces (SocketChannel, DatagramChannel, …) on both sides. */
    private static void assertKindsMatch(String call, Object theirs, Object mine) {
        for (Class<?> kind : List.of(java.nio.channels.SocketChannel.class,
                java.nio.channels.ServerSocketChannel.class,
                java.nio.channels.DatagramChannel.class, java.nio.channels.Selector.class,
                Pipe.class, java.nio.channels.MulticastChannel.class)) {
            assertEquals(kind.isInstance(theirs), kind.isInstance(mine),
                    call + ": is it a " + kind.getSimpleName() + "?");
        }
    }

    private static void assertProvidedBy(String call, SelectorProvider ours, Object value) {
        if (value instanceof java.nio.channels.spi.AbstractSelectableChannel ch) {
            assertSame(ours, ch.provider(), call);
        } else if (value instanceof java.nio.channels.Selector s) {
            assertSame(ours, s.provider(), call);
        } else if (value instanceof Pipe p) {
            assertSame(ours, p.source().provider(), call);
            assertSame(ours, p.sink().provider(), call);
        }
    }

    private record Outcome(Object value, Throwable failure) {
        String describe() {
            return failure != null ? failure.getClass().getSimpleName()
                    : value == null ? "null" : "ok";
        }
    }

    private static Outcome invoke(Method m, SelectorProvider provider, Object[] args)
            throws Exception {
        try {
            Object value = m.invoke(provider, args);
            Outcome outcome = new Outcome(value, null);
            close(value);
            return outcome;
        } catch (InvocationTargetException e) {
            return new Outcome(null, e.getCause());
        }
    }

    private static void close(Object value) throws Exception {
        if (value instanceof Pipe p) {
            p.source().close();
            p.sink().close();
        } else if (value instanceof Closeable c && !(value instanceof Channel ch
                && isInherited(ch))) {
            c.close();
        }
    }

    // An inherited channel is the JVM's one for good: never close it here.
    private static boolean isInherited(Channel ch) throws Exception {
        return ch == System.inheritedChannel();
    }
}
