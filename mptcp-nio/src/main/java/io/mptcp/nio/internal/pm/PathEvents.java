package io.mptcp.nio.internal.pm;

import io.mptcp.nio.MptcpToken;
import io.mptcp.nio.Subflow;
import io.mptcp.nio.TcpInfo;
import io.mptcp.nio.pm.AggregatePolicy;
import io.mptcp.nio.pm.HandoverPolicy;
import io.mptcp.nio.pm.InteractivePolicy;
import io.mptcp.nio.pm.PathPolicy;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import jdk.jfr.Category;
import jdk.jfr.DataAmount;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.FlightRecorder;
import jdk.jfr.FlightRecorderListener;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.Period;
import jdk.jfr.StackTrace;
import jdk.jfr.Timespan;

/**
 * The JFR events of the path profiles. They cost a flag test when no recording has them
 * enabled ({@link Event#shouldCommit()}), and the periodic statistics are read only while a
 * recording asks for them: nothing runs for them otherwise.
 */
final class PathEvents {
    /** Runners whose connections the periodic statistics event reads. */
    private static final Set<PolicyRunner> LIVE = ConcurrentHashMap.newKeySet();

    static {
        // Registering a periodic event sets up JFR's metadata, which a JVM that never records
        // need not pay for: it is done when Flight Recorder starts (at once if it has).
        FlightRecorder.addListener(new FlightRecorderListener() {
            @Override
            public void recorderInitialized(FlightRecorder recorder) {
                FlightRecorder.addPeriodicEvent(SubflowStatistics.class,
                        PathEvents::emitStatistics);
            }
        });
    }

    private PathEvents() {
    }

    static void track(PolicyRunner runner) {
        LIVE.add(runner);
    }

    static void untrack(PolicyRunner runner) {
        LIVE.remove(runner);
    }

    private static void emitStatistics() {
        for (PolicyRunner r : LIVE) {
            if (!r.isOpen()) {
                LIVE.remove(r);
                continue;
            }
            List<Subflow> subflows;
            try {
                subflows = r.subflows();
            } catch (IOException e) {
                continue;  // closed meanwhile: its next round removes it
            }
            for (Subflow s : subflows) {
                SubflowStatistics e = new SubflowStatistics();
                e.on(r);
                e.local = text(s.local());
                e.remote = text(s.remote());
                e.backup = s.localBackup().orElse(false);
                TcpInfo t = s.tcp();
                e.rtt = t.rttMicros();
                e.cwnd = t.sndCwnd();
                e.bytesSent = t.bytesSent();
                e.bytesAcked = t.bytesAcked();
                e.bytesReceived = t.bytesReceived();
                e.retransmits = t.retransmits();
                e.commit();
            }
        }
    }

    /**
     * {@code 10.0.1.1:40001}, empty for none. (The policies in {@code io.mptcp.nio.pm} have
     * their own: the API package may not use this one.)
     */
    static String text(InetSocketAddress a) {
        return a == null ? "" : a.getAddress().getHostAddress() + ":" + a.getPort();
    }

    /** The profile's name for a policy of the library, else the policy's class name. */
    static String profileName(PathPolicy policy) {
        if (policy instanceof HandoverPolicy) {
            return "HANDOVER";
        } else if (policy instanceof AggregatePolicy) {
            return "AGGREGATE";
        } else if (policy instanceof InteractivePolicy) {
            return "INTERACTIVE";
        }
        return policy.getClass().getName();
    }

    // ---- the events ---------------------------------------------------------------------------

    @Category({"MPTCP", "Path profile"})
    @StackTrace(false)
    abstract static class ConnectionEvent extends Event {
        @Label("Profile")
        @Description("PATH_PROFILE, or the class of a policy given to runPathPolicy")
        String profile;

        @Label("Token")
        @Description("The connection's MPTCP token")
        String token;

        void on(PolicyRunner runner) {
            profile = runner.profileName();
            token = runner.token().toString();
        }
    }

    @Name("io.mptcp.SubflowEstablished")
    @Label("Subflow Established")
    @Description("A subflow of a connection with a path profile is established")
    static final class SubflowEstablished extends ConnectionEvent {
        @Label("Local")
        String local;
        @Label("Remote")
        String remote;
        @Label("Backup")
        @Description("The backup flag of the kernel's SUB_ESTABLISHED event")
        boolean backup;
    }

    @Name("io.mptcp.SubflowClosed")
    @Label("Subflow Closed")
    @Description("A subflow of a connection with a path profile is closed, or failed to open")
    static final class SubflowClosed extends ConnectionEvent {
        @Label("Local")
        String local;
        @Label("Remote")
        String remote;
        @Label("Reason")
        @Description("The kernel's error and MP_TCPRST reason, or the profile's close")
        String reason;
    }

    @Name("io.mptcp.Handover")
    @Label("Handover")
    @Description("A profile moved traffic from one path to another")
    static final class Handover extends ConnectionEvent {
        @Label("From")
        String from;
        @Label("To")
        String to;
        @Label("Reason")
        String reason;
        @Label("Stall")
        @Description("How long the old path had bytes outstanding without an acknowledgement"
                + " when the profile decided; Long.MIN_VALUE when not known")
        @Timespan(Timespan.MILLISECONDS)
        long stall;
    }

    @Name("io.mptcp.PathDecision")
    @Label("Path Decision")
    @Description("A command a profile gave the kernel (open, close, backup, announce, remove),"
            + " or a decision not to act")
    static final class PathDecision extends ConnectionEvent {
        @Label("Action")
        String action;
        @Label("Local")
        String local;
        @Label("Remote")
        String remote;
        @Label("Reason")
        @Description("The profile's reported reason, else the event or tick that led to it")
        String reason;
        @Label("Error")
        @Description("Why the kernel refused the command; empty when it was carried out")
        String error;
    }

    @Name("io.mptcp.SubflowStatistics")
    @Label("Subflow Statistics")
    @Description("tcp_info of each subflow of each connection with a path profile")
    @Period("1 s")
    static final class SubflowStatistics extends ConnectionEvent {
        @Label("Local")
        String local;
        @Label("Remote")
        String remote;
        @Label("Backup")
        @Description("This host's backup flag")
        boolean backup;
        @Label("RTT")
        @Timespan(Timespan.MICROSECONDS)
        long rtt;
        @Label("Congestion Window")
        @Description("In segments")
        long cwnd;
        @Label("Bytes Sent")
        @DataAmount
        long bytesSent;
        @Label("Bytes Acked")
        @DataAmount
        long bytesAcked;
        @Label("Bytes Received")
        @DataAmount
        long bytesReceived;
        @Label("Retransmits")
        @Description("Segments retransmitted (tcpi_total_retrans)")
        long retransmits;
    }

    static long millisOrUnknown(Optional<Duration> d) {
        return d.map(Duration::toMillis).orElse(Long.MIN_VALUE);
    }
}
