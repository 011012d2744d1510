package io.mptcp.it.events;

import io.mptcp.nio.pm.MptcpEvent;
import io.mptcp.nio.pm.MptcpEventChannel;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/** Everything a non-blocking event channel delivered, polled by the test's thread. */
final class EventLog implements AutoCloseable {
    final MptcpEventChannel channel;
    final List<MptcpEvent> events = new ArrayList<>();

    EventLog(MptcpEventChannel channel) throws IOException {
        this.channel = channel;
        channel.configureBlocking(false);
    }

    /** Takes whatever is ready. */
    void poll() throws IOException {
        for (MptcpEvent e = channel.receive(); e != null; e = channel.receive()) {
            events.add(e);
        }
    }

    /** Polls until an event matches; fails after {@code timeout} with {@code what}. */
    MptcpEvent await(Predicate<MptcpEvent> match, Duration timeout, String what)
            throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        int from = 0;
        while (true) {
            poll();
            for (int i = from; i < events.size(); i++) {
                if (match.test(events.get(i))) {
                    return events.get(i);
                }
            }
            from = events.size();
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no " + what + " within " + timeout + "; events: "
                        + events);
            }
            Thread.sleep(10);
        }
    }

    /** The events of the {@code mptcp_pm} family (not rtnetlink's, not losses). */
    List<MptcpEvent> mptcpEvents() {
        List<MptcpEvent> out = new ArrayList<>();
        for (MptcpEvent e : events) {
            if (!(e instanceof MptcpEvent.LinkUp || e instanceof MptcpEvent.LinkDown
                    || e instanceof MptcpEvent.LocalAddressAdded
                    || e instanceof MptcpEvent.LocalAddressRemoved
                    || e instanceof MptcpEvent.EventsLost)) {
                out.add(e);
            }
        }
        return out;
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
