package io.mptcp.nio.internal.async;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The default group's pool is read from the JDK's properties as the JDK reads them. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class GroupPoolTest {

    /** Named by the factory property: instantiated with the system class loader. */
    public static final class NamedFactory implements ThreadFactory {
        @Override
        public Thread newThread(Runnable r) {
            Thread t = new Thread(r, "from-property");
            t.setDaemon(true);
            return t;
        }
    }

    @AfterEach
    void clearProperties() {
        System.clearProperty(GroupPool.FACTORY_PROPERTY);
        System.clearProperty(GroupPool.INITIAL_SIZE_PROPERTY);
    }

    @Test
    void defaultPoolIsCachedWithOneLoopPerCpu() throws Exception {
        GroupPool pool = GroupPool.createDefault();
        assertFalse(pool.fixed());
        assertEquals(Runtime.getRuntime().availableProcessors(), pool.poolSize());
        Thread[] ran = new Thread[1];
        pool.executor().submit(() -> ran[0] = Thread.currentThread()).get();
        assertTrue(ran[0].isDaemon(), "default threads are daemons");
        pool.executor().shutdown();
    }

    @Test
    void propertiesSetFactoryAndInitialSize() throws Exception {
        System.setProperty(GroupPool.FACTORY_PROPERTY, NamedFactory.class.getName());
        System.setProperty(GroupPool.INITIAL_SIZE_PROPERTY, "3");
        GroupPool pool = GroupPool.createDefault();
        assertEquals(3, pool.poolSize());
        String name = pool.executor().submit(() -> Thread.currentThread().getName()).get();
        assertEquals("from-property", name);
        pool.executor().shutdown();
    }

    @Test
    void badPropertiesAreErrorsAsInTheJdk() {
        System.setProperty(GroupPool.INITIAL_SIZE_PROPERTY, "many");
        assertThrows(Error.class, GroupPool::createDefault);
        System.clearProperty(GroupPool.INITIAL_SIZE_PROPERTY);
        System.setProperty(GroupPool.FACTORY_PROPERTY, "no.such.Factory");
        assertThrows(Error.class, GroupPool::createDefault);
    }

    @Test
    void wrapFollowsTheJdksRuleForCachedPools() {
        ExecutorService cached = Executors.newCachedThreadPool();
        assertEquals(Runtime.getRuntime().availableProcessors(),
                GroupPool.wrap(cached, -1).poolSize());
        assertEquals(0, GroupPool.wrap(cached, 4).poolSize(), "the JDK ignores it here");
        ExecutorService bounded = Executors.newFixedThreadPool(2);
        assertEquals(4, GroupPool.wrap(bounded, 4).poolSize());
        assertThrows(NullPointerException.class, () -> GroupPool.wrap(null, 0));
        assertThrows(IllegalArgumentException.class,
                () -> GroupPool.fixed(0, Executors.defaultThreadFactory()));
        cached.shutdown();
        bounded.shutdown();
    }
}
