package io.mptcp.nio.internal.pm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import io.mptcp.nio.MptcpToken;
import io.mptcp.nio.Subflow;
import io.mptcp.nio.pm.EventSource;
import io.mptcp.nio.pm.MptcpEvent;
import io.mptcp.nio.pm.PathControl;
import io.mptcp.nio.pm.PathPolicy;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link PolicyRunner} keeps the peer's address events that come before its policy started
 * (an in-kernel-PM server announces right after the handshake) and replays them after
 * {@link PathPolicy#start}; other early events are not replayed, start reads that state.
 */
@Timeout(10)
class PolicyRunnerEarlyEventsTest {
    private static final MptcpToken TOKEN = new MptcpToken(0x77);

    /** Records the order of its callbacks. */
    private static final class Recorder implements PathPolicy {
        final List<String> calls = new ArrayList<>();

        @Override
        public void start(PathControl control) {
            calls.add("start");
        }

        @Override
        public void onEvent(MptcpEvent event, PathControl control) {
            calls.add(event.getClass().getSimpleName());
        }

        @Override
        public void onTick(List<Subflow> subflows, PathControl control) {
            calls.add("tick");
        }

        @Override
        public Duration tickInterval() {
            return Duration.ofMillis(100);
        }
    }

    @Test
    void addressEventsBeforeStartAreReplayedAfterIt() {
        Recorder policy = new Recorder();
        SubflowControl.Host host = mock(SubflowControl.Host.class);
        when(host.isOpen()).thenReturn(true);
        PolicyRunner runner = new PolicyRunner(policy, mock(SubflowControl.class), host,
                mock(PmSession.class), TOKEN, new InetSocketAddress("10.0.1.2", 80), "test");

        // One kept by the session before the runner registered, two after.
        runner.keepUntilStart(new MptcpEvent.AddressAnnounced(EventSource.NETLINK, TOKEN, 1,
                new InetSocketAddress("10.0.2.2", 80)));
        runner.onEvent(new MptcpEvent.LinkDown(EventSource.NETLINK, 2, Optional.empty()));
        runner.onEvent(new MptcpEvent.AddressRemoved(EventSource.NETLINK, TOKEN, 1));
        assertEquals(List.of(), policy.calls, "nothing before start");

        runner.tick(0);
        assertEquals(List.of("start", "AddressAnnounced", "AddressRemoved"), policy.calls);
        runner.onEvent(new MptcpEvent.LinkDown(EventSource.NETLINK, 2, Optional.empty()));
        assertEquals("LinkDown", policy.calls.get(3), "after start, events go through");
    }

    @Test
    void atMostSixteenAreKept() {
        Recorder policy = new Recorder();
        SubflowControl.Host host = mock(SubflowControl.Host.class);
        when(host.isOpen()).thenReturn(true);
        PolicyRunner runner = new PolicyRunner(policy, mock(SubflowControl.class), host,
                mock(PmSession.class), TOKEN, new InetSocketAddress("10.0.1.2", 80), "test");
        for (int i = 0; i < 40; i++) {
            runner.onEvent(new MptcpEvent.AddressRemoved(EventSource.NETLINK, TOKEN, i));
        }
        runner.tick(0);
        assertEquals(1 + PolicyRunner.EARLY_MAX, policy.calls.size(), policy.calls.toString());
    }
}
